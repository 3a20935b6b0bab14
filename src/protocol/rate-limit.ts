/**
 * A token bucket per key (a site): `burst` messages at once, then one more
 * every `refillMs`. Pure: the time is passed in, so a page, a box and a test
 * on a stepped clock share it. Used for the technicians' messages to the
 * operator (docs/protocol.md): a stuck key or a script in a loop cannot bury
 * the operator's page.
 */
export interface RateLimitOptions {
  burst: number;
  refillMs: number;
}

/** Technician → operator messages: three at once, then one every 20 s. */
export const OPERATOR_MESSAGE_RATE: RateLimitOptions = { burst: 3, refillMs: 20_000 };

export type RateVerdict = { ok: true } | { ok: false; retryInMs: number };

export class RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.burst >= 1) || !(options.refillMs > 0)) throw new Error(`rate limit: burst must be at least 1 and refillMs above 0 (got ${options.burst}, ${options.refillMs})`);
  }

  /** Takes one token for `key` at `now` (ms), or says how long until one is free. */
  take(key: string, now: number): RateVerdict {
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    const earned = Math.floor(Math.max(0, now - bucket.at) / this.options.refillMs);
    if (earned > 0) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + earned);
      bucket.at = bucket.tokens === this.options.burst ? now : bucket.at + earned * this.options.refillMs;
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      if (bucket.tokens === this.options.burst) bucket.at = now;
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryInMs: bucket.at + this.options.refillMs - now };
  }
}
