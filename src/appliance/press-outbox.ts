/**
 * The way out for this site's presses. A press made while the link is down is
 * held (one at most: a newer press replaces it) and sent when the link comes
 * back, unless it has waited `holdPressMs`; then it is dropped and counted.
 * A sent press waits for the conductor's answer on `events`; with none within
 * `answerTimeoutMs` it settles as unanswered, so the button never blinks
 * "pending" for ever.
 */
import { EventEmitter } from 'node:events';
import type { EventResult, IntentAction } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import type { Clock } from './clock.js';
import { t } from '../i18n/index.js';

/** How long a sent press waits for the conductor's answer on `events`. */
export const ANSWER_TIMEOUT_MS = 5000;

export interface Press {
  id: string;
  action: IntentAction;
  /** Free text for the conductor's log (`button:podium:press`). */
  origin: string;
  to?: string;
  /** When it was made, on the outbox's clock. */
  at: number;
}

/** How a press ended: answered either way, never answered, or never sent. */
export type PressSettlement = 'accepted' | 'rejected' | 'unanswered' | 'dropped';

export interface PressOutboxEvents {
  /** A press was sent (`sent`), held while the link is down (`held`) or dropped as stale (`dropped`). */
  press: [outcome: 'sent' | 'held' | 'dropped', action: IntentAction, id: string];
  /** A press reached its end; `reason` is the conductor's when it rejected it. */
  settled: [press: Press, how: PressSettlement, reason: string | null];
  /** {@link PressOutbox.pending} may have changed. */
  change: [];
}

export interface PressOutboxOptions {
  site: string;
  holdPressMs: number;
  answerTimeoutMs?: number;
  clock: Clock;
  /** Puts one intent on the wire (never throws: the publisher logs a failure). */
  send: (press: Press) => void;
  log: Logger;
}

export class PressOutbox extends EventEmitter<PressOutboxEvents> {
  private held: { press: Press; timer: unknown } | null = null;
  private readonly inFlight = new Map<string, { press: Press; timer: unknown }>();
  private linkUp = false;
  private dropped = 0;
  private stopped = false;

  constructor(private readonly options: PressOutboxOptions) {
    super();
  }

  /** A press is held or waits for its answer. */
  get pending(): boolean {
    return this.held !== null || this.inFlight.size > 0;
  }

  /** Presses dropped because the link stayed down longer than `holdPressMs`. */
  get droppedPresses(): number {
    return this.dropped;
  }

  /** Sends a press now, or holds it while the link is down. */
  submit(press: Press): void {
    if (this.stopped) return;
    if (this.linkUp) return this.send(press);
    if (this.held) this.drop();
    const { holdPressMs, clock } = this.options;
    this.held = { press, timer: clock.setTimeout(() => this.drop(), holdPressMs) };
    this.options.log.info('link down: holding the press', { action: press.action, holdMs: holdPressMs });
    this.emit('press', 'held', press.action, press.id);
    this.emit('change');
  }

  linkChanged(up: boolean): void {
    this.linkUp = up;
    if (!up || !this.held || this.stopped) return;
    const age = this.options.clock.now() - this.held.press.at;
    if (age >= this.options.holdPressMs) return this.drop();
    const { press, timer } = this.held;
    this.options.clock.clearTimeout(timer);
    this.held = null;
    this.options.log.info('link back: sending the held press', { action: press.action, ageMs: age });
    this.send(press);
  }

  /** A result on `events`; only answers to this site's presses in flight count. */
  answer(result: EventResult): void {
    if (result.kind !== 'intent' || result.site !== this.options.site) return;
    const entry = this.inFlight.get(result.id);
    if (!entry) return;
    this.options.clock.clearTimeout(entry.timer);
    this.inFlight.delete(result.id);
    if (result.result === 'rejected') {
      this.options.log.info('intent rejected', { id: result.id, reason: result.reason ?? '' });
      this.settle(entry.press, 'rejected', result.reason ?? 'rejected');
    } else this.settle(entry.press, 'accepted', null);
  }

  stop(): void {
    this.stopped = true;
    if (this.held) this.options.clock.clearTimeout(this.held.timer);
    this.held = null;
    for (const { timer } of this.inFlight.values()) this.options.clock.clearTimeout(timer);
    this.inFlight.clear();
  }

  private send(press: Press): void {
    const { clock, answerTimeoutMs = ANSWER_TIMEOUT_MS } = this.options;
    const timer = clock.setTimeout(() => {
      if (!this.inFlight.delete(press.id)) return;
      this.options.log.warn(t('logs.pressNoAnswer'), { action: press.action, id: press.id });
      this.settle(press, 'unanswered', null);
    }, answerTimeoutMs);
    this.inFlight.set(press.id, { press, timer });
    this.options.send(press);
    this.emit('press', 'sent', press.action, press.id);
    this.emit('change');
  }

  private drop(): void {
    const held = this.held;
    if (!held) return;
    this.options.clock.clearTimeout(held.timer);
    this.held = null;
    this.dropped += 1;
    const ageMs = this.options.clock.now() - held.press.at;
    this.options.log.warn(t('logs.pressTooOld'), { action: held.press.action, ageMs });
    this.emit('press', 'dropped', held.press.action, held.press.id);
    this.settle(held.press, 'dropped', null);
  }

  private settle(press: Press, how: PressSettlement, reason: string | null): void {
    this.emit('settled', press, how, reason);
    this.emit('change');
  }
}
