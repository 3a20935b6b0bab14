/**
 * How long the last word of a switcher can be believed. While the source is
 * connected its latest snapshot holds; once it drops, that snapshot holds for
 * `trustMs` more (a switcher restarting, a cable reseated), then the tally is
 * unknown and the lamps say so (hardware/tally.md), never a stale red. After a
 * reconnect only fresh tally from the new link makes it known again.
 */
import { EventEmitter } from 'node:events';
import type { SourceConnection, SourceTimers, SwitcherSnapshot } from './source.js';
import type { SwitcherTally } from '../appliance/camera-tally.js';

export class TallyTrust extends EventEmitter<{ change: [] }> {
  private snapshot: SwitcherSnapshot | null = null;
  private expiry: unknown = null;

  constructor(private readonly trustMs: number, private readonly timers: SourceTimers) {
    super();
  }

  /** The snapshot that can be believed now, or null: tally unknown. */
  current(): SwitcherSnapshot | null {
    return this.snapshot;
  }

  /** Fresh tally from a live link: believed at once, whatever came before. */
  tally(snapshot: SwitcherSnapshot): void {
    this.disarm();
    this.snapshot = snapshot;
    this.emit('change');
  }

  connection(state: SourceConnection): void {
    if (state.connected) return; // believed again only on fresh tally
    if (this.snapshot === null || this.expiry !== null) return;
    this.expiry = this.timers.setTimeout(() => {
      this.expiry = null;
      this.snapshot = null;
      this.emit('change');
    }, this.trustMs);
  }

  stop(): void {
    this.disarm();
    this.snapshot = null;
  }

  private disarm(): void {
    if (this.expiry !== null) this.timers.clearTimeout(this.expiry);
    this.expiry = null;
  }
}

/** Which switcher input a camera is: its number/id, or its name on the switcher. */
export type InputRef = string | number;

/**
 * Program/preview of each mapped camera from one snapshot; null for all when
 * the snapshot is null (unknown). An input the switcher did not list is off.
 * An id match wins over a name match, so input 2 named "1" stays input 2.
 */
export function camerasFromSnapshot(snapshot: SwitcherSnapshot | null, mapping: Readonly<Record<string, InputRef>>): Record<string, SwitcherTally | null> {
  const out: Record<string, SwitcherTally | null> = {};
  for (const [camera, ref] of Object.entries(mapping)) {
    if (!snapshot) {
      out[camera] = null;
      continue;
    }
    const key = String(ref);
    const input = snapshot.inputs.find((i) => i.id === key) ?? snapshot.inputs.find((i) => i.name === key);
    out[camera] = { program: input?.program ?? false, preview: input?.preview ?? false };
  }
  return out;
}
