/**
 * Retrying with a growing delay, for links that come back by themselves (a USB
 * board replugged, a hub that glitched). Waits, tries, doubles the wait up to a
 * cap, and stops as soon as its AbortSignal fires: no timer outlives it.
 */

export interface RetryDelays {
  /** Wait before the first attempt, doubled after each failure. */
  initialDelayMs: number;
  /** The wait never grows past this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_DELAYS: Readonly<RetryDelays> = { initialDelayMs: 500, maxDelayMs: 10_000 };

/** The timers a reconnecting driver runs on; tests pass a fake clock. */
export interface RetryClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realRetryClock: RetryClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Resolves after `ms` on `clock`, or rejects at once when `signal` aborts (the timer cleared). */
export function sleepOn(clock: RetryClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One failed attempt, for logs and events. */
export interface RetryFailure {
  attempt: number;
  error: Error;
  /** Wait before the next attempt. */
  nextDelayMs: number;
}

export interface RetryOptions<T> extends RetryDelays {
  /** One bounded try; it should give up when `signal` aborts. */
  attempt(signal: AbortSignal): Promise<T>;
  signal: AbortSignal;
  onFailure?(failure: RetryFailure): void;
  /** The clock of the waits (default: real timers). */
  clock?: RetryClock;
}

/** The wait after `current`: doubled, at least 1 ms, at most `maxDelayMs`. */
export function nextRetryDelay(current: number, maxDelayMs: number): number {
  return Math.max(1, Math.min(current * 2, maxDelayMs));
}

/**
 * Runs `attempt` until it succeeds and resolves with its result, or with
 * `null` once `signal` aborts. Never rejects: failures go to `onFailure`.
 * A result that lands just as `signal` aborts is still returned; the caller
 * checks `signal.aborted` and lets go of it.
 */
export async function retryWithBackoff<T>(options: RetryOptions<T>): Promise<T | null> {
  const { signal, maxDelayMs } = options;
  let delay = Math.max(1, Math.min(options.initialDelayMs, maxDelayMs));
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sleepOn(options.clock ?? realRetryClock, delay, signal);
    } catch {
      return null; // aborted: the timer is already cleared
    }
    try {
      return await options.attempt(signal);
    } catch (err) {
      if (signal.aborted) return null;
      delay = nextRetryDelay(delay, maxDelayMs);
      options.onFailure?.({ attempt, error: err instanceof Error ? err : new Error(String(err)), nextDelayMs: delay });
    }
  }
}
