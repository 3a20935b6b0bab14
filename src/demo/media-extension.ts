/**
 * The demo's room feeds: the relay, and for every simulated site a test-pattern
 * encoder and a display that follows the floor (played headless: the demo
 * checks the stream decodes rather than opening windows).
 *
 * `srt` (the default when srt-live-transmit is installed): each box sends its
 * feed over SRT to the relay's hub, which measures it (link statistics on
 * `relay/streams`), remuxes it to FLV for the dashboard's previews and serves
 * it over SRT to the other sites' displays, each a switcher decoding the two
 * other sites. `rtmp`: the boxes push RTMP, the displays play HTTP-FLV.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { t } from '../i18n/index.js';
import { parseRelayConfig } from '../media/config.js';
import { ffmpegBinary, resolveBinary } from '../media/ffmpeg.js';
import { Relay } from '../media/relay.js';
import { createDisplayFeature } from '../media/display-feature.js';
import { createEncoderFeature } from '../media/encoder-feature.js';
import { LinkTestFeature } from '../media/link-test-feature.js';
import { DEMO_DISPLAY_SIZE, DEMO_FEED_KBPS, demoEncoderSettings } from '../media/demo.js';
import { srtIngestPort } from '../media/srt.js';
import { srtTransmitBinary } from '../media/srt-transmit.js';
import { TopicPublisher } from '../mqtt/publisher.js';
import type { DemoContext, DemoExtension } from './demo.js';

export type DemoFeeds = 'srt' | 'rtmp';

export interface MediaDemoOptions {
  rtmpPort: number;
  httpPort: number;
  /** First of the SRT ports: ingest `srtPort + i`, then the egress block (sites × sites). */
  srtPort?: number;
  /** `srt` falls back to `rtmp` (with a warning) when srt-live-transmit is missing. */
  feeds?: DemoFeeds;
  /** srt-live-transmit binary (else `RELAIS_SRT_LIVE_TRANSMIT` or PATH). */
  srtTransmit?: string;
  /** The relay's WebRTC previews (WHEP) on this port; none without. */
  whepPort?: number | null;
}

const SRT_LATENCY_MS = 200;
const STATS_EVERY_MS = 2000;

/** Which feeds the demo runs: SRT when asked for and srt-live-transmit is there, with the warning otherwise. */
export function chooseDemoFeeds(wanted: DemoFeeds, srtTransmit: string): { feeds: DemoFeeds; warning: string | null } {
  if (wanted === 'rtmp') return { feeds: 'rtmp', warning: null };
  if (resolveBinary(srtTransmit) !== null) return { feeds: 'srt', warning: null };
  return { feeds: 'rtmp', warning: t('demo.srtMissing') };
}

export function mediaDemoExtension(o: MediaDemoOptions): DemoExtension {
  const secret = randomBytes(16).toString('hex');
  const passphrase = randomBytes(16).toString('hex');
  const available = resolveBinary(ffmpegBinary()) !== null;
  const srtTransmit = o.srtTransmit ?? srtTransmitBinary();
  const { feeds, warning } = chooseDemoFeeds(o.feeds ?? 'srt', srtTransmit);
  const httpBase = (ctx: DemoContext): string => `http://${ctx.host}:${o.httpPort}`;
  const siteIds = (ctx: DemoContext): string[] => ctx.sites.map((s) => s.id);
  const plan = (ctx: DemoContext): { sites: string[]; ingestPort: number; egressPort: number } => {
    const base = o.srtPort ?? 9100;
    return { sites: siteIds(ctx), ingestPort: base, egressPort: base + ctx.sites.length };
  };
  const encoderOutput = (site: string, ctx: DemoContext): Record<string, unknown> =>
    feeds === 'srt'
      ? { kind: 'srt', url: `srt://${ctx.host}:${srtIngestPort(plan(ctx), site)}`, latencyMs: SRT_LATENCY_MS, passphrase }
      : { kind: 'rtmp', url: `rtmp://${ctx.host}:${o.rtmpPort}/live`, secret };
  const display = (ctx: DemoContext): Record<string, unknown> => {
    const headless = { relayHttp: httpBase(ctx), title: ctx.title, slateSize: DEMO_DISPLAY_SIZE };
    if (feeds === 'rtmp') {
      return { ...headless, player: ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-i', '{url}', '-an', '-f', 'null', '-'], slate: ['sleep', '86400'] };
    }
    // The switcher's raw output goes nowhere: a headless room screen.
    const { sites, egressPort } = plan(ctx);
    return { ...headless, mode: 'switcher', srt: { host: ctx.host, sites, egressPort, latencyMs: SRT_LATENCY_MS, passphrase }, switcher: { sink: ['sh', '-c', 'exec cat >/dev/null'] } };
  };
  return {
    name: 'room feeds',
    siteFeatures(site, ctx) {
      // `relais link test --report` lands in the site's state, feeds or not.
      if (!available) return [new LinkTestFeature()];
      const name = ctx.sites.find((s) => s.id === site)?.name ?? site;
      const settings = demoEncoderSettings(`${ctx.title} · ${name}`, encoderOutput(site, ctx));
      return [new LinkTestFeature(), createEncoderFeature({ ...settings, reportIntervalMs: 2000 }), createDisplayFeature(display(ctx))];
    },
    async start(ctx) {
      if (!available) return { lines: [t('demo.feedsOff')], stop: async () => undefined };
      if (warning) ctx.log.warn(warning);
      const srt = feeds === 'srt'
        ? parseRelayConfig({ secret, srt: { ...plan(ctx), latencyMs: SRT_LATENCY_MS, passphrase, expectedKbps: DEMO_FEED_KBPS, statsEveryMs: STATS_EVERY_MS } }).srt
        : undefined;
      const relay = new Relay({ bind: ctx.host, rtmpPort: o.rtmpPort, httpPort: o.httpPort, whepPort: o.whepPort ?? null, secret, log: ctx.log.child('relay'), srt, ...(srt ? { srtTransmit } : {}) });
      await relay.start();
      const client = await mqtt.connectAsync(ctx.brokerUrl, { clientId: `relais-demo-relay-${randomBytes(3).toString('hex')}`, reconnectPeriod: 1000 });
      client.on('error', () => undefined);
      const publisher = new TopicPublisher(client, ctx.event, ctx.log.child('relay'));
      const report = (): void => {
        void publisher.publish('relayStreams', {}, relay.snapshot());
      };
      relay.on('streams', report);
      report();
      const { ingestPort, egressPort } = plan(ctx);
      const n = ctx.sites.length;
      const line = feeds === 'srt'
        ? t('demo.feedsSrt', { ingest: `srt://${ctx.host}:${ingestPort}-${ingestPort + n - 1}`, egress: `${egressPort}-${egressPort + n * n - 1}`, http: httpBase(ctx) })
        : t('demo.feedsRtmp', { host: ctx.host, rtmp: o.rtmpPort, http: httpBase(ctx) });
      return {
        lines: [...(warning ? [warning] : []), line],
        stop: async () => {
          relay.off('streams', report);
          await client.endAsync().catch(() => undefined);
          await relay.stop();
        },
      };
    },
  };
}
