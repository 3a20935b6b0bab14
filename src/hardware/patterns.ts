/**
 * Lamp patterns as data, and a player that turns a pattern into level changes
 * on a {@link DigitalOutput}. Timers are injectable so tests use fake clocks.
 */
import type { DigitalOutput, LampPattern } from './types.js';

/** One step of a pattern: hold `level` for `ms` milliseconds. */
export interface PatternStep {
  level: boolean;
  ms: number;
}

/** Timing of every pattern. A pattern with `repeat: false` ends and restores the steady pattern before it. */
export const PATTERNS: Record<LampPattern, { steps: PatternStep[]; repeat: boolean }> = {
  off: { steps: [{ level: false, ms: 0 }], repeat: false },
  on: { steps: [{ level: true, ms: 0 }], repeat: false },
  'slow-blink': { steps: [{ level: true, ms: 500 }, { level: false, ms: 500 }], repeat: true },
  'fast-blink': { steps: [{ level: true, ms: 125 }, { level: false, ms: 125 }], repeat: true },
  flash3: {
    steps: [
      { level: true, ms: 120 }, { level: false, ms: 120 },
      { level: true, ms: 120 }, { level: false, ms: 120 },
      { level: true, ms: 120 }, { level: false, ms: 120 },
    ],
    repeat: false,
  },
  'link-lost': { steps: [{ level: true, ms: 100 }, { level: false, ms: 1900 }], repeat: true },
  'overtime-pulse': { steps: [{ level: true, ms: 150 }, { level: false, ms: 150 }, { level: true, ms: 150 }, { level: false, ms: 1050 }], repeat: true },
};

/** A one-shot pattern plays once over the steady one, which resumes afterwards. */
export function isOneShot(pattern: LampPattern): boolean {
  return pattern === 'flash3';
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Drives one output with a pattern. `set()` of a steady or repeating pattern
 * replaces the current one; a one-shot (`flash3`) plays, then the last steady
 * pattern comes back.
 */
export class PatternOutput {
  private steady: LampPattern = 'off';
  private playing: LampPattern = 'off';
  private timer: unknown = null;
  private level = false;

  constructor(
    readonly output: DigitalOutput,
    private readonly timers: Timers = realTimers,
    private readonly onChange?: (pattern: LampPattern, level: boolean) => void,
  ) {
    this.output.write(false);
  }

  get name(): string {
    return this.output.name;
  }

  /** The pattern shown now (a one-shot while it plays, else the steady one). */
  get pattern(): LampPattern {
    return this.playing;
  }

  /** The steady pattern that a one-shot returns to. */
  get steadyPattern(): LampPattern {
    return this.steady;
  }

  get currentLevel(): boolean {
    return this.level;
  }

  set(pattern: LampPattern): void {
    if (isOneShot(pattern)) {
      this.play(pattern);
      return;
    }
    if (pattern === this.steady && !isOneShot(this.playing)) return;
    this.steady = pattern;
    // A running one-shot finishes first; it restores the new steady pattern.
    if (!isOneShot(this.playing)) this.play(pattern);
  }

  private play(pattern: LampPattern): void {
    this.cancel();
    this.playing = pattern;
    const { steps, repeat } = PATTERNS[pattern];
    let index = 0;
    const step = (): void => {
      const current = steps[index]!;
      this.apply(current.level);
      if (current.ms === 0) return;
      index += 1;
      if (index >= steps.length) {
        if (!repeat) {
          this.timer = this.timers.setTimeout(() => {
            this.timer = null;
            this.play(this.steady);
          }, current.ms);
          return;
        }
        index = 0;
      }
      this.timer = this.timers.setTimeout(step, current.ms);
    };
    step();
    this.onChange?.(this.playing, this.level);
  }

  private apply(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.output.write(level);
  }

  private cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  async close(): Promise<void> {
    this.cancel();
    this.apply(false);
    await this.output.close();
  }
}
