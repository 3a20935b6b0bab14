/**
 * The demo's room feeds: the relay, and for every simulated site a test-pattern
 * encoder and a display that follows the floor (played headless: the demo
 * checks the stream decodes rather than opening windows).
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { ffmpegBinary, resolveBinary } from '../media/ffmpeg.js';
import { Relay } from '../media/relay.js';
import { createDisplayFeature } from '../media/display-feature.js';
import { createEncoderFeature } from '../media/encoder-feature.js';
import { LinkTestFeature } from '../media/link-test-feature.js';
import { demoEncoderSettings } from '../media/demo.js';
import { TopicPublisher } from '../mqtt/publisher.js';
import type { RelayStreams } from '../protocol/schemas.js';
import type { DemoContext, DemoExtension } from './demo.js';

export function mediaDemoExtension(ports: { rtmpPort: number; httpPort: number }): DemoExtension {
  const secret = randomBytes(16).toString('hex');
  const available = resolveBinary(ffmpegBinary()) !== null;
  const httpBase = (ctx: DemoContext): string => `http://${ctx.host}:${ports.httpPort}`;
  return {
    name: 'room feeds',
    siteFeatures(site, ctx) {
      // `relais link test --report` lands in the site's state, feeds or not.
      if (!available) return [new LinkTestFeature()];
      return [
        new LinkTestFeature(),
        createEncoderFeature({
          ...demoEncoderSettings(`${ctx.title} · ${ctx.sites.find((s) => s.id === site)?.name ?? site}`, `rtmp://${ctx.host}:${ports.rtmpPort}/live`, secret),
          reportIntervalMs: 2000,
        }),
        createDisplayFeature({
          relayHttp: httpBase(ctx),
          title: ctx.title,
          player: ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-i', '{url}', '-an', '-f', 'null', '-'],
          slate: ['sleep', '86400'],
        }),
      ];
    },
    async start(ctx) {
      if (!available) return { lines: ['room feeds: off (ffmpeg is not installed; run: sudo apt-get install -y ffmpeg)'], stop: async () => undefined };
      const relay = new Relay({ bind: ctx.host, rtmpPort: ports.rtmpPort, httpPort: ports.httpPort, secret, log: ctx.log.child('relay') });
      await relay.start();
      const client = await mqtt.connectAsync(ctx.brokerUrl, { clientId: `relais-demo-relay-${randomBytes(3).toString('hex')}`, reconnectPeriod: 1000 });
      client.on('error', () => undefined);
      const publisher = new TopicPublisher(client, ctx.event, ctx.log.child('relay'));
      const report = (): void => {
        void publisher.publish('relayStreams', {}, relay.snapshot());
      };
      relay.on('streams', report);
      report();
      return {
        lines: [`relay: RTMP rtmp://${ctx.host}:${ports.rtmpPort}/live (signed), feeds at ${httpBase(ctx)}/live/<site>.flv`],
        stop: async () => {
          relay.off('streams', report);
          await client.endAsync().catch(() => undefined);
          await relay.stop();
        },
      };
    },
  };
}
