/**
 * Contact settling without a delay: the podium buttons and the switcher's
 * tally contacts both go through it.
 *
 * A mechanical contact or a relay bounces for a few milliseconds when it
 * closes or opens. Waiting for it to be still would delay every change by the
 * settle time, so the first edge is taken at once and the edges that follow
 * within `settleMs` are counted as bounce. When the window closes, the last
 * level the contact reported is compared with the one taken: if it differs
 * (the contact really moved again inside the window, or the first edge was a
 * glitch), that level is taken then, as a late edge.
 */
import type { Timers } from '../hardware/patterns.js';

export class SettlingContact {
  /** The accepted (settled) level. */
  private settled: boolean;
  /** The latest level the contact reported, bounce included. */
  private raw: boolean;
  private timer: unknown = null;
  /** Edges ignored as bounce, for diagnostics. */
  bounced = 0;

  /**
   * @param initial the level the contact has now (no change is reported for it)
   * @param settleMs edges closer than this to the last accepted edge are bounce (0: take every edge)
   * @param onChange called once per accepted change, synchronously with the edge that caused it or when the window closes
   */
  constructor(
    initial: boolean,
    private readonly settleMs: number,
    private readonly timers: Timers,
    private readonly onChange: (level: boolean) => void,
  ) {
    if (!Number.isFinite(settleMs) || settleMs < 0) throw new RangeError(`settle time must be a number of milliseconds >= 0 (got ${String(settleMs)})`);
    this.settled = initial;
    this.raw = initial;
  }

  /** The settled level. */
  get level(): boolean {
    return this.settled;
  }

  /** Feeds one level the contact reported. */
  input(level: boolean): void {
    this.raw = level;
    if (this.timer !== null) {
      this.bounced += 1;
      return;
    }
    this.accept(level);
  }

  private accept(level: boolean): void {
    if (level === this.settled) return;
    this.settled = level;
    if (this.settleMs > 0) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        if (this.raw !== this.settled) this.accept(this.raw);
      }, this.settleMs);
    }
    this.onChange(level);
  }

  /** Cancels the pending window; no change is reported afterwards. */
  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
