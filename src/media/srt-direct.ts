/**
 * A box that serves its own feed straight to the other sites' displays
 * (`encoder.direct`), beside its uplink to the relay:
 *
 *   encoder ─UDP─> fan ─┬─> uplink (srt-live-transmit caller) ─SRT─> relay (previews, the hub's displays)
 *                       └─> srt-live-transmit listener per other site ─SRT─> display of site j
 *
 * The way through the relay crosses two SRT receive buffers, each costing its
 * latency plus its hop's one-way time; this way crosses one. The listeners use
 * the relay's egress port plan, so a display finds a site's feed at the same
 * port on the box as on the relay (display.srt.direct names the box's host).
 */
import type { LinkStats } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';
import { statsEveryPackets, toLinkStats } from './srt.js';
import { SrtFan, srtEgress } from './srt-fan.js';
import type { EncoderSupervisor } from './supervisor.js';

export interface SrtDirectOptions {
  site: string;
  sites: readonly string[];
  egressPort: number;
  bind: string;
  latencyMs: number;
  passphrase?: string;
  /** The feed's bitrate, kbit/s (sets how often statistics come). */
  expectedKbps: number;
  /** Loopback ports that get a copy too (the uplink's). */
  alsoTo: readonly number[];
  srtTransmit?: string;
  log: Logger;
  /** A new interval of one display's link, as the box sends to it. */
  onStats?: (stats: LinkStats) => void;
}

export class SrtDirect {
  private fan: SrtFan | null = null;
  private supervisors: EncoderSupervisor[] = [];

  constructor(private readonly o: SrtDirectOptions) {
    if (!o.sites.includes(o.site)) throw new Error(`encoder.direct.sites${t('punct.colon')}${t('config.media.directUnknownSite', { site: o.site, sites: o.sites.join(', ') })}`);
  }

  /** Where the encoder sends its MPEG-TS; valid after start(). */
  get encoderTarget(): string {
    if (!this.fan) throw new Error('SrtDirect: not started');
    return `udp://127.0.0.1:${this.fan.port}?pkt_size=1316`;
  }

  async start(): Promise<void> {
    const log = this.o.log.child('direct');
    const fan = await SrtFan.open(log);
    this.fan = fan;
    fan.targets.push(...this.o.alsoTo);
    this.supervisors = await srtEgress(fan, {
      site: this.o.site,
      viewers: this.o.sites,
      plan: { sites: this.o.sites, ingestPort: 0, egressPort: this.o.egressPort },
      endpoint: { host: this.o.bind === '0.0.0.0' ? '' : this.o.bind, latencyMs: this.o.latencyMs, passphrase: this.o.passphrase },
      statsEveryPackets: statsEveryPackets(this.o.expectedKbps),
      log,
      ...(this.o.srtTransmit ? { srtTransmit: this.o.srtTransmit } : {}),
      ...(this.o.onStats ? { onStats: (viewer: string, sample) => this.o.onStats!(toLinkStats('sender', viewer, sample, new Date())) } : {}),
    });
    await Promise.all(this.supervisors.map((s) => s.start()));
    log.info('feed served directly', { to: this.o.sites.filter((s) => s !== this.o.site).join(' ') });
  }

  async stop(): Promise<void> {
    const supervisors = this.supervisors;
    this.supervisors = [];
    await Promise.allSettled(supervisors.map((s) => s.stop()));
    await this.fan?.close();
    this.fan = null;
  }
}
