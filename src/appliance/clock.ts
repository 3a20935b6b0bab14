/**
 * The time a box part reads and the timers it sets, passed in so that the
 * lease, the press outbox and the state reporter run on fake timers in tests.
 */
import type { Timers } from '../hardware/patterns.js';

/** A clock with the timers that go with it; every owner clears its own timers on stop. */
export interface Clock extends Timers {
  now(): number;
}

/** The wall clock and Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
