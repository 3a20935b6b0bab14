/**
 * A bound on how often one link resets itself (VISCA over IP control RESET)
 * or re-addresses its chain (AddressSet after a network change). A camera that
 * asks for one after every message would otherwise keep the link busy forever.
 *
 * At most `maxResets` in any `resetWindowMs`; the one asked beyond that is
 * refused and the link cools down until the oldest reset leaves the window,
 * then runs it (one reset, however many were asked meanwhile). A reset asked
 * while one runs is answered by the running one.
 */
import { t } from '../i18n/index.js';

export interface ResetRateOptions {
  /** Most resets (or addressings, the first included) in any window. Default 3. */
  maxResets?: number;
  /** The window. Default 10 000 ms. */
  resetWindowMs?: number;
}

export const DEFAULT_MAX_RESETS = 3;
export const DEFAULT_RESET_WINDOW_MS = 10_000;

export class ResetGuard {
  private readonly times: number[] = [];
  private readonly maxResets: number;
  private readonly windowMs: number;
  private coolTimer: ReturnType<typeof setTimeout> | undefined;
  private coolUntil = 0;
  private running: Promise<void> | null = null;
  private cause = '';

  constructor(
    options: ResetRateOptions,
    /** What is counted, plural, for errors: `resets`, `addressings`. */
    private readonly what: 'resets' | 'addressings',
    /** Runs the deferred reset when a cool-down ends. */
    private readonly onCooled: () => void,
    /** A monotonic clock in ms. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.maxResets = Math.max(1, options.maxResets ?? DEFAULT_MAX_RESETS);
    this.windowMs = options.resetWindowMs ?? DEFAULT_RESET_WINDOW_MS;
  }

  /** Whether a reset runs now. */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Runs `work` as the reset asked for `why`: at once when the rate allows,
   * not at all while another runs (that one's promise is returned). Beyond the
   * rate, calls `refuse` (the link fails what waits) and rejects with its error.
   */
  run(why: string, work: () => Promise<void>, refuse: () => Error): Promise<void> {
    if (this.running) return this.running;
    this.cause = why;
    if (!this.admit()) return Promise.reject(refuse());
    this.running = work().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** `the camera reports ... (already 3 resets within 10 s; relais tries again in 9 s)`, for errors. */
  get detail(): string {
    return t('visca.reset.cooling', { cause: this.cause, max: this.maxResets, what: t(`visca.reset.${this.what}`), s: Math.round(this.windowMs / 1000), left: this.secondsLeft });
  }

  /** Whether the link is cooling down (commands are refused meanwhile). */
  get cooling(): boolean {
    return this.coolTimer !== undefined;
  }

  /** Whole seconds (at least 1) until the cool-down ends; 0 when not cooling. */
  get secondsLeft(): number {
    return this.cooling ? Math.max(1, Math.ceil((this.coolUntil - this.now()) / 1000)) : 0;
  }

  /**
   * Asks for one reset now. True: go ahead (it is counted). False: refused;
   * the link cools down and `onCooled` runs once the window allows.
   */
  private admit(): boolean {
    if (this.cooling) return false;
    const now = this.now();
    while (this.times.length > 0 && now - this.times[0]! >= this.windowMs) this.times.shift();
    if (this.times.length < this.maxResets) {
      this.times.push(now);
      return true;
    }
    const waitMs = this.times[0]! + this.windowMs - now;
    this.coolUntil = now + waitMs;
    this.coolTimer = setTimeout(() => {
      this.coolTimer = undefined;
      this.times.shift(); // its window is over, whatever the clocks' rounding says
      this.onCooled();
    }, waitMs);
    return false;
  }

  /** Drops a pending cool-down (the link closes). */
  stop(): void {
    clearTimeout(this.coolTimer);
    this.coolTimer = undefined;
  }
}
