/** `@sinonjs/fake-timers` as the {@link Clock} the box's parts take. */
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/appliance/clock.js';

export interface FakeClock {
  /** Advance with `fake.tick(ms)`; count with `fake.countTimers()`. */
  fake: FakeTimers.Clock;
  clock: Clock;
}

export function fakeClock(start = 1_000_000): FakeClock {
  const fake = FakeTimers.withGlobal(globalThis).createClock(start);
  return {
    fake,
    clock: { now: () => fake.now, setTimeout: (fn, ms) => fake.setTimeout(fn, ms), clearTimeout: (h) => fake.clearTimeout(h as number) },
  };
}
