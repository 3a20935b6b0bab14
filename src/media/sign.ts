/**
 * Signed publish URLs for the relay (pure; no server code here so that the
 * encoder and the CLI can sign without loading node-media-server).
 *
 * `rtmp://host:1935/live/<site>?sign=<expiry>-<hmac>` where `expiry` is a Unix
 * time in seconds and `hmac` is the lowercase hex HMAC-SHA256, keyed with the
 * shared secret, of the text `/live/<site>-<expiry>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The only application the relay accepts publishes on. */
export const RELAY_APP = 'live';

export interface SignOptions {
  /** `rtmp://host:1935/live` (a trailing slash is fine). */
  base: string;
  site: string;
  secret: string;
  /** Seconds from `nowSeconds` until the URL stops being accepted. */
  ttlSeconds: number;
  /** Clock, for tests. */
  nowSeconds?: number;
}

/** The signature of a stream path, e.g. `signature('/live/a', 1700000000, s)`. */
export function signature(streamPath: string, expiry: number, secret: string): string {
  return createHmac('sha256', secret).update(`${streamPath}-${expiry}`).digest('hex');
}

/** Builds the signed publish URL of one site. */
export function signPublishUrl(options: SignOptions): string {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const expiry = now + Math.max(1, Math.floor(options.ttlSeconds));
  const base = options.base.replace(/\/+$/, '');
  const streamPath = `/${RELAY_APP}/${options.site}`;
  return `${base}/${options.site}?sign=${expiry}-${signature(streamPath, expiry, options.secret)}`;
}

export type SignCheck = { ok: true; expiry: number } | { ok: false; reason: string };

/**
 * Checks the `sign` query value of a publish on `streamPath` (`/live/<site>`).
 * Reasons are meant for the relay's log and the `refused` event.
 */
export function verifyPublishSign(streamPath: string, sign: unknown, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): SignCheck {
  if (typeof sign !== 'string' || sign.length === 0) return { ok: false, reason: 'unsigned: the URL has no ?sign=<expiry>-<hmac>' };
  const match = /^(\d{1,12})-([0-9a-f]{64})$/.exec(sign);
  if (!match) return { ok: false, reason: 'malformed sign: expected <unix-expiry>-<64 hex digits>' };
  const expiry = Number(match[1]);
  if (expiry < nowSeconds) return { ok: false, reason: `expired ${nowSeconds - expiry} s ago: sign a new URL (relais media sign)` };
  const expected = Buffer.from(signature(streamPath, expiry, secret), 'hex');
  const given = Buffer.from(match[2] ?? '', 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'wrong signature: the secret differs from the relay\'s, or the URL was made for another site' };
  }
  return { ok: true, expiry };
}

/** Removes the signature from a URL before it is logged or reported. */
export function redactSign(url: string): string {
  // SRT passphrases are secrets too.
  return url.replace(/([?&](?:sign|passphrase)=)[^&\s]*/g, '$1***');
}
