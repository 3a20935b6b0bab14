/**
 * A clock for the `now` option of the conductor and the box: wall-clock time
 * plus an offset the test moves forward. Their timers stay real (the broker
 * link needs them), but a rate limit or a window that reads `now()` is passed
 * in one step instead of waited out.
 */
export interface SteppedClock {
  now(): number;
  /** Moves the clock forward by `ms` at once. */
  advance(ms: number): void;
}

export function steppedClock(): SteppedClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}
