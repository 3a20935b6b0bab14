/**
 * What every source shares: its connection state and the events that tell
 * it. A source calls `connected()` / `disconnected(error)` and `publish()`;
 * repeated identical snapshots are not sent twice.
 */
import { EventEmitter } from 'node:events';
import type { SourceConnection, SourceTimers, SwitcherSnapshot, TallySourceEvents, TallySourceKind } from './source.js';

export abstract class BaseSource extends EventEmitter<TallySourceEvents> {
  abstract readonly kind: TallySourceKind;
  abstract readonly describe: string;
  private state: SourceConnection;
  private lastSnapshot = '';

  protected constructor(protected readonly timers: SourceTimers) {
    super();
    this.state = { connected: false, since: timers.now(), error: null };
  }

  connection(): SourceConnection {
    return { ...this.state };
  }

  protected connected(): void {
    if (this.state.connected && this.state.error === null) return;
    this.state = { connected: true, since: this.timers.now(), error: null };
    // A new link must give fresh tally at once, even if it equals the old one.
    this.lastSnapshot = '';
    this.emit('connection', this.connection());
  }

  protected disconnected(error: string): void {
    if (!this.state.connected && this.state.error === error) return;
    const since = this.state.connected ? this.timers.now() : this.state.since;
    this.state = { connected: false, since, error };
    this.emit('connection', this.connection());
  }

  protected publish(snapshot: SwitcherSnapshot): void {
    const key = JSON.stringify(snapshot.inputs);
    if (key === this.lastSnapshot) return;
    this.lastSnapshot = key;
    this.emit('tally', { inputs: snapshot.inputs.map((i) => ({ ...i })) });
  }
}
