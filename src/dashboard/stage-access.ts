/**
 * Who may open a site's speaker screen (`/stage/<site>`): a link carrying a
 * per-site token, which the dashboard server hands out to a login the broker
 * accepts. The token is an HMAC of the event and the site under the server's
 * secret, so a link opens its own site's screen and no other. A valid link
 * gives the screen the configured watch-only login; without one the screen
 * asks for a login itself.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import mqtt from 'mqtt';
import QRCode from 'qrcode';
import type { StageLink } from './web/config.js';

export interface StageAccessOptions {
  /** HMAC key of the links (default: random at start, so links change with each start). */
  secret?: string;
  /** The watch-only broker login a speaker screen opened by a link uses; none: the screen asks. */
  login?: { username: string; password: string } | null;
}

export class StageAccess {
  private readonly secret: Buffer;
  readonly login: { username: string; password: string } | null;

  constructor(private readonly event: string, options: StageAccessOptions = {}) {
    this.secret = options.secret ? Buffer.from(options.secret, 'utf8') : randomBytes(32);
    this.login = options.login ?? null;
  }

  /** The token of a site's link: 128 bits of HMAC-SHA256, URL-safe. */
  token(site: string): string {
    return createHmac('sha256', this.secret).update(`relais-stage\n${this.event}\n${site}`).digest('base64url').slice(0, 22);
  }

  /** True when `token` is this site's (compared in constant time). */
  verify(site: string, token: string | null): boolean {
    if (!token) return false;
    const want = Buffer.from(this.token(site));
    const got = Buffer.from(token);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** Every site's link below `base` (`http://host:port/`), each with its QR code. */
  async links(base: string, sites: readonly string[]): Promise<StageLink[]> {
    return Promise.all(
      sites.map(async (site) => {
        const url = new URL(`stage/${encodeURIComponent(site)}?token=${this.token(site)}`, base).toString();
        return { site, url, qr: await QRCode.toDataURL(url, { margin: 1, width: 320, errorCorrectionLevel: 'M' }) };
      }),
    );
  }
}

/**
 * Whether the broker accepts this login: one short connection, closed at once.
 * The dashboard server holds no MQTT link; this is only how it knows whom to
 * give the links to.
 */
export async function brokerAcceptsLogin(brokerWsUrl: string, username: string, password: string, timeoutMs = 4000): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(brokerWsUrl, { username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: timeoutMs, clientId: `relais-dashboard-check-${randomBytes(4).toString('hex')}` });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

/** `user:password` of an HTTP Basic `authorization` header, or null. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return null;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The host a tablet should use for the links: the one the operator's browser
 * used, unless that is loopback while the server listens on every address;
 * then this machine's first outside IPv4 address.
 */
export function linkBase(hostHeader: string | undefined, listenHost: string, port: number): string {
  const host = hostHeader ?? `127.0.0.1:${port}`;
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(name);
  if (loopback && (listenHost === '0.0.0.0' || listenHost === '::')) {
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (outside) return `http://${outside.address}:${port}/`;
  }
  return `http://${host}/`;
}
