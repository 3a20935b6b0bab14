/** `@sinonjs/fake-timers` as the {@link Clock} the box's parts take. */
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/appliance/clock.js';
import type { RetryClock } from '../../src/hardware/reconnect.js';

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

/** A fake clock for a reconnecting driver, recording every timer it arms (`ms`, and `at`: the clock's time then). */
export function recordingRetryClock(): { fake: FakeTimers.Clock; clock: RetryClock; armed: Array<{ ms: number; at: number }> } {
  const fake = FakeTimers.withGlobal(globalThis).createClock(0);
  const armed: Array<{ ms: number; at: number }> = [];
  const clock: RetryClock = {
    setTimeout: (fn, ms) => {
      armed.push({ ms, at: fake.now });
      return fake.setTimeout(fn, ms);
    },
    clearTimeout: (h) => fake.clearTimeout(h as number),
  };
  return { fake, clock, armed };
}
