/**
 * The relay's SRT side, a hub: each site's feed comes in over SRT (the site
 * calls the relay's port for it, with the shared passphrase and latency) and
 * goes out again over SRT to each other site's display, and as FLV into
 * node-media-server for the browser previews. Per site:
 *
 *   site ─SRT─> srt-live-transmit (listener, stats) ─UDP─> fan-out ─┬─> ffmpeg -c copy ─RTMP─> NMS (FLV previews)
 *                                                                     └─> srt-live-transmit (listener) ─SRT─> display of site j
 *
 * Every process is supervised (supervisor.ts). The fan-out and the egress are
 * srt-fan.ts's (a box serving its feed directly uses the same): no protocol of
 * our own, SRT stays srt-live-transmit's.
 */
import { EventEmitter } from 'node:events';
import type { LinkStats } from '../protocol/schemas.js';
import { linkWhy } from '../protocol/link-why.js';
import type { Logger } from '../util/log.js';
import { launchEncoder } from './ffmpeg.js';
import { redactSign } from './sign.js';
import { srtIngestPort, srtTransmitUri, statsEveryPackets, toLinkStats, type SrtPortPlan, type SrtStatsSample } from './srt.js';
import { SrtFan, srtEgress, superviseSrt } from './srt-fan.js';
import { freeUdpPort, launchSrtTransmit } from './srt-transmit.js';
import { EncoderSupervisor } from './supervisor.js';
import { t } from '../i18n/index.js';

export interface SrtHubOptions extends SrtPortPlan {
  /** Address the SRT listeners bind to (empty or 0.0.0.0: every address). */
  bind: string;
  latencyMs: number;
  passphrase?: string;
  /** The feeds' expected bitrate, to ask for statistics about every `statsEveryMs`. */
  expectedKbps: number;
  statsEveryMs: number;
  /** Serve each feed over SRT to the other sites' displays. */
  egress: boolean;
  /** The RTMP publish URL (signed) of a site's feed on the relay's own node-media-server. */
  rtmpTarget: (site: string) => string;
  ffmpeg: string;
  srtTransmit?: string;
  log: Logger;
  now?: () => number;
}

export interface SrtHubEvents {
  /** A new interval of a site's incoming statistics. */
  link: [site: string, stats: LinkStats];
}

interface SiteHub {
  site: string;
  fan: SrtFan;
  supervisors: EncoderSupervisor[];
  last: { stats: LinkStats; atMs: number } | null;
}

export class SrtHub extends EventEmitter<SrtHubEvents> {
  private readonly hubs = new Map<string, SiteHub>();
  private readonly now: () => number;

  constructor(private readonly o: SrtHubOptions) {
    super();
    this.now = o.now ?? Date.now;
  }

  async start(): Promise<void> {
    try {
      for (const site of this.o.sites) this.hubs.set(site, await this.startSite(site));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.o.log.info('SRT hub ready', { sites: this.o.sites.join(' '), ingest: `${this.o.ingestPort}..${this.o.ingestPort + this.o.sites.length - 1}`, egress: this.o.egress ? this.o.egressPort : 'off' });
  }

  async stop(): Promise<void> {
    const hubs = [...this.hubs.values()];
    this.hubs.clear();
    await Promise.allSettled(hubs.flatMap((h) => h.supervisors.map((s) => s.stop())));
    await Promise.allSettled(hubs.map((h) => h.fan.close()));
  }

  /**
   * The newest statistics of a site's incoming feed; `down` once nothing has
   * come for three intervals (srt-live-transmit prints nothing while no packet arrives).
   */
  link(site: string): LinkStats | null {
    const last = this.hubs.get(site)?.last;
    if (!last) return null;
    const silentMs = this.now() - last.atMs;
    if (silentMs <= 3 * this.o.statsEveryMs) return last.stats;
    return { ...last.stats, verdict: 'down', ...linkWhy('silent', { seconds: Math.round(silentMs / 1000) }), receivedKbps: 0 };
  }

  private async startSite(site: string): Promise<SiteHub> {
    const log = this.o.log.child(site);
    const fan = await SrtFan.open(log);
    const hub: SiteHub = { site, fan, supervisors: [], last: null };
    const everyPackets = statsEveryPackets(this.o.expectedKbps, this.o.statsEveryMs);
    const endpoint = { host: this.o.bind === '0.0.0.0' ? '' : this.o.bind, latencyMs: this.o.latencyMs, passphrase: this.o.passphrase };
    const binary = this.o.srtTransmit ? { binary: this.o.srtTransmit } : {};

    const ingest = superviseSrt(log, 'ingest', () =>
      launchSrtTransmit({
        ...binary,
        input: srtTransmitUri({ ...endpoint, mode: 'listener', port: srtIngestPort(this.o, site) }),
        output: `udp://127.0.0.1:${fan.port}`,
        statsEveryPackets: everyPackets,
        onStats: (sample) => this.onStats(hub, sample),
      }),
    );
    hub.supervisors.push(ingest);

    const remuxPort = await freeUdpPort();
    fan.targets.push(remuxPort);
    const remux = new EncoderSupervisor({
      encoder: 'remux',
      stallTimeoutMs: 5000,
      maxDelayMs: 5000,
      launch: () =>
        launchEncoder(this.o.ffmpeg, {
          encoder: 'libx264',
          globalArgs: ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1', '-stats_period', '1'],
          // The MPEG-TS arrives as it comes: no probing delay, no reordering buffer.
          inputs: [{ source: `udp://127.0.0.1:${remuxPort}?fifo_size=100000&overrun_nonfatal=1`, options: ['-fflags', 'nobuffer', '-probesize', '500000', '-analyzeduration', '1000000', '-f', 'mpegts'] }],
          outputOptions: ['-map', '0', '-c', 'copy', '-f', 'flv', '-flvflags', 'no_duration_filesize'],
          target: this.o.rtmpTarget(site),
        }),
    });
    remux.on('crash', (_info, reason) => log.warn(t('logs.srtEnded', { what: 'remux' }), { reason: redactSign(reason) }));
    remux.on('state', (state, previous) => log.debug(`SRT remux ${previous} -> ${state}`));
    hub.supervisors.push(remux);

    if (this.o.egress) {
      hub.supervisors.push(...(await srtEgress(fan, { site, viewers: this.o.sites, plan: this.o, endpoint, statsEveryPackets: everyPackets, log, ...binary })));
    }
    await Promise.all(hub.supervisors.map((s) => s.start()));
    return hub;
  }

  private onStats(hub: SiteHub, sample: SrtStatsSample): void {
    const stats = toLinkStats('receiver', hub.site, sample, new Date(this.now()));
    hub.last = { stats, atMs: this.now() };
    this.emit('link', hub.site, stats);
  }
}
