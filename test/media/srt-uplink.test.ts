/**
 * A box's SRT uplink through srt-live-transmit, over the link emulator: the
 * box reports its sender statistics (state.link), and when the link turns
 * bad (15 % loss) the bitrate steps down: the encoder is replaced at the new
 * bitrate (not counted as a restart) while the relay's feed stays live.
 */
import assert from 'node:assert/strict';
import { parseRelayConfig } from '../../src/media/config.js';
import { EncoderFeature } from '../../src/media/encoder-feature.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import { srtIngestPort } from '../../src/media/srt.js';
import type { EncoderPart } from '../../src/protocol/site-state.js';
import type { LinkStats } from '../../src/protocol/schemas.js';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';
import { fakeFeatureContext } from '../helpers/feature-context.js';
import { freePort, freeUdpBlock, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';

describe('SRT uplink on the box: sender statistics and a bitrate that follows the link', function () {
  this.timeout(90_000);
  let relay: Relay;
  let proxy: UdpLinkProxy;
  let feature: EncoderFeature | null = null;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    dir = await tempDir();
    const plan = { sites: ['saint-camille'], ingestPort: await freeUdpBlock(2), egressPort: 0 };
    plan.egressPort = plan.ingestPort + 1;
    const srt = parseRelayConfig({ secret: SECRET, srt: { ...plan, egress: false, latencyMs: 200, expectedKbps: 400, statsEveryMs: 1000 } }).srt;
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 100, srt });
    await relay.start();
    proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: srtIngestPort(plan, 'saint-camille'), impairment: parseImpairment({ delayMs: 20 }), random: seededRandom(8) });
    await proxy.start();
  });

  after(async () => {
    await feature?.stop();
    await proxy?.stop();
    await relay?.stop();
    await dir?.remove();
  });

  it('reports the link from the box, steps the bitrate down on 15 % loss, and the relay keeps the feed', async () => {
    const fake = fakeFeatureContext({ site: 'saint-camille' });
    feature = new EncoderFeature({
      encoder: 'libx264', size: '320x180', fps: 15, bitrateKbps: 400, keyframeSeconds: 1, x264Preset: 'ultrafast', input: { kind: 'test-pattern' },
      output: { kind: 'srt', url: `srt://127.0.0.1:${proxy.port}`, latencyMs: 200, uplink: 'srt-live-transmit' },
      adaptiveBitrate: { floorKbps: 150, ceilingKbps: 400 },
    });
    const links: LinkStats[] = [];
    const encoders: EncoderPart[] = [];
    fake.seen.on('report', (key, value) => {
      if (key === 'link') links.push(value as LinkStats);
      if (key === 'encoder' && value) encoders.push(value as EncoderPart);
    });
    const live = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live'), 30_000, 'the feed live at the relay');
    await feature.start(fake.ctx);
    await live;
    await waitForEvent(fake.seen, 'report', (key: string, v: unknown) => key === 'link' && (v as LinkStats).role === 'sender' && (v as LinkStats).rttMs >= 35, 20_000, 'sender statistics showing the 40 ms RTT');
    assert.equal(links.at(-1)?.peer, 'relay');

    proxy.set(parseImpairment({ delayMs: 20, lossPercent: 15 }));
    // The replaced encoder starts again: the supervisor goes through `starting`, with no restart counted.
    await waitForEvent(fake.seen, 'report', (key: string, v: unknown) => key === 'encoder' && (v as EncoderPart | null)?.state === 'starting', 30_000, 'the encoder replaced at a lower bitrate');
    assert.ok(links.some((l) => l.lossPercent > 3), `a lossy interval seen: ${links.map((l) => l.lossPercent).join(' ')}`);
    proxy.set(parseImpairment({ delayMs: 20 }));
    await waitForEvent(fake.seen, 'report', (key: string, v: unknown) => key === 'encoder' && (v as EncoderPart | null)?.state === 'live', 30_000, 'the new encoder live');
    assert.equal(encoders.at(-1)?.restarts, 0);
    // The relay has the feed live again from the new encoder (its remux may blink `reconnecting` for a moment).
    const isLive = (): boolean => relay.snapshot().streams.some((s) => s.site === 'saint-camille' && s.status === 'live');
    if (!isLive()) await waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live'), 15_000, 'the feed live again at the relay');
  });
});
