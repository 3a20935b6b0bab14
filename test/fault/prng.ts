/**
 * A seeded PRNG (mulberry32) for the nemesis and the client: the same seed
 * gives the same schedule of faults and operations, so a failure can be
 * replayed with `RELAIS_FAULT_SEED`.
 */
export class Prng {
  private s: number;

  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A copy of `items` in a seeded order. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** The seed from `RELAIS_FAULT_SEED`, else a fresh one (printed by the run so it can be replayed). */
/** The seed `CI=true` runs use when none is given (one of the seeds docs/benchmarks.md reports). */
export const CI_SEED = 7;

export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RELAIS_FAULT_SEED;
  // CI replays one known seed, so a run there is repeatable; elsewhere each run explores a new one.
  if (raw === undefined || raw === '') return env.CI === 'true' ? CI_SEED : Math.floor(Math.random() * 2 ** 31);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`RELAIS_FAULT_SEED must be a non-negative integer, not "${raw}"`);
  return n;
}
