/**
 * Turns a button's edges into gestures: press, double, long, release.
 *
 * Pure apart from the injected clock. The speaker's press must act at once,
 * so there is no debounce *delay*: the first edge is accepted immediately and
 * the contact's bounce is ignored for `bounceMs` after it. When the window
 * closes, the recognizer looks at the last level the contact reported and, if
 * it differs, accepts that as a late edge (a tap shorter than the window still
 * gets its release). The settling itself is ./settle.ts, shared with the
 * switcher's tally contacts.
 *
 * How gestures coexist without delaying the first action:
 *  - `press` fires on the first accepted down edge, always, with no waiting.
 *  - a down edge within `doubleMs` of the previous `press`'s down edge fires
 *    `double` *instead of* a second `press`; a third press starts over.
 *  - `long` fires while the button is still held, `longMs` after its down
 *    edge (for a `press` or a `double` alike); it ends any double chain.
 *  - `release` fires on the up edge, with how long the button was held.
 * So `long` and `double` always come after a `press` that has already acted:
 * map them to actions that make sense after it (the caller decides).
 */
import { EventEmitter } from 'node:events';
import { SettlingContact } from './settle.js';

export interface GestureOptions {
  /** Edges closer than this to the last accepted edge are contact bounce. */
  bounceMs: number;
  /** Held at least this long: `long`. */
  longMs: number;
  /** A second down edge within this time of the first press's down edge: `double` (0: never). */
  doubleMs: number;
}

export const DEFAULT_GESTURE_OPTIONS: GestureOptions = { bounceMs: 30, longMs: 800, doubleMs: 400 };

/** Time source and timers; tests pass `@sinonjs/fake-timers`' clock. */
export interface GestureClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realGestureClock: GestureClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type Gesture =
  | { kind: 'press'; atMs: number }
  | { kind: 'double'; atMs: number }
  | { kind: 'long'; atMs: number; heldMs: number }
  | { kind: 'release'; atMs: number; heldMs: number; long: boolean };

export type GestureKind = Gesture['kind'];

export class GestureRecognizer extends EventEmitter<{ gesture: [gesture: Gesture] }> {
  private readonly options: GestureOptions;
  /** The contact, settled (./settle.ts): its level is whether the button is held. */
  private readonly contact: SettlingContact;
  private longTimer: unknown = null;
  private downAt = 0;
  private longFired = false;
  /** Down time of the press a `double` would pair with; null when there is none. */
  private pairableAt: number | null = null;

  constructor(
    options: Partial<GestureOptions> = {},
    private readonly clock: GestureClock = realGestureClock,
  ) {
    super();
    this.options = { ...DEFAULT_GESTURE_OPTIONS, ...options };
    for (const key of ['bounceMs', 'longMs', 'doubleMs'] as const) {
      const value = this.options[key];
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`gesture option ${key} must be a number of milliseconds >= 0 (got ${String(value)})`);
    }
    this.contact = new SettlingContact(false, this.options.bounceMs, clock, (level) => {
      if (level) this.pressed(this.clock.now());
      else this.released(this.clock.now());
    });
  }

  /** Whether the button counts as held now. */
  get down(): boolean {
    return this.contact.level;
  }

  /** Edges ignored as bounce, for diagnostics. */
  get bounced(): number {
    return this.contact.bounced;
  }

  /** Feeds one level change from the input (`true` = pressed). */
  input(level: boolean): void {
    this.contact.input(level);
  }

  private pressed(now: number): void {
    this.downAt = now;
    this.longFired = false;
    if (this.pairableAt !== null && this.options.doubleMs > 0 && now - this.pairableAt <= this.options.doubleMs) {
      this.pairableAt = null;
      this.emit('gesture', { kind: 'double', atMs: now });
    } else {
      this.pairableAt = now;
      this.emit('gesture', { kind: 'press', atMs: now });
    }
    this.longTimer = this.clock.setTimeout(() => {
      this.longTimer = null;
      this.longFired = true;
      this.pairableAt = null;
      this.emit('gesture', { kind: 'long', atMs: this.clock.now(), heldMs: this.clock.now() - this.downAt });
    }, this.options.longMs);
  }

  private released(now: number): void {
    if (this.longTimer !== null) this.clock.clearTimeout(this.longTimer);
    this.longTimer = null;
    this.emit('gesture', { kind: 'release', atMs: now, heldMs: now - this.downAt, long: this.longFired });
  }

  /** Cancels pending timers; no gesture fires afterwards. */
  dispose(): void {
    this.contact.dispose();
    if (this.longTimer !== null) this.clock.clearTimeout(this.longTimer);
    this.longTimer = null;
    this.removeAllListeners();
  }
}
