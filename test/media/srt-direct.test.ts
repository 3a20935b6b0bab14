/**
 * A box serving its feed straight to the other sites' displays
 * (`encoder.direct`): real ffmpeg and srt-live-transmit, the relay's hub
 * beside it, the display's way through the link emulator. The display
 * decodes a picture from the box itself, the relay still has the feed live
 * (previews), and the box reports each display's link in its state.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { displaySource } from '../../src/media/display-feature.js';
import { displayTarget } from '../../src/media/display.js';
import { parseDisplayConfig, parseEncoderConfig, parseRelayConfig } from '../../src/media/config.js';
import { EncoderFeature } from '../../src/media/encoder-feature.js';
import { watchFirstFrame } from '../../src/media/ffmpeg.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import { srtEgressPort, srtFfmpegUrl, srtIngestPort } from '../../src/media/srt.js';
import { LOW_DELAY_INPUT } from '../../src/media/switcher.js';
import type { EncoderPart } from '../../src/protocol/site-state.js';
import type { LinkStats } from '../../src/protocol/schemas.js';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';
import { fakeFeatureContext } from '../helpers/feature-context.js';
import { freePort, freeUdpBlock, quietLogger, SECRET, tempDir, udpBound, waitForEvent } from './helpers.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const PASS = 'relais-direct-passphrase';

describe('a feed served directly: the config', () => {
  it('needs an SRT output, and says so', () => {
    const rtmp = { kind: 'rtmp', url: 'rtmp://relay:1935/live', secret: SECRET };
    assert.throws(() => parseEncoderConfig({ output: rtmp, direct: { sites: SITES } }), /encoder\.direct\s: demande une sortie SRT/);
    const config = parseEncoderConfig({ output: { kind: 'srt', url: 'srt://relay:9000' }, direct: { sites: SITES } });
    assert.deepEqual(config.direct, { sites: SITES, egressPort: 9100, bind: '0.0.0.0' });
  });

  it('plays a direct site from its box and the others from the relay, at the same port', () => {
    const config = parseDisplayConfig({ srt: { host: 'relay.example', sites: SITES, latencyMs: 240, direct: { 'saint-camille': '10.1.0.5' } } });
    const from = displaySource(config, 'rouyn-noranda');
    const floor = (onAir: string) => ({ epoch: 2, onAir, next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor: 'x', updatedAt: 'now' });
    assert.deepEqual(displayTarget(floor('saint-camille'), 'rouyn-noranda', from, 'Day'), { kind: 'stream', site: 'saint-camille', url: 'srt://10.1.0.5:9101?mode=caller&latency=240000&pkt_size=1316' });
    assert.deepEqual(displayTarget(floor('riviere-du-loup'), 'rouyn-noranda', from, 'Day'), { kind: 'stream', site: 'riviere-du-loup', url: 'srt://relay.example:9107?mode=caller&latency=240000&pkt_size=1316' });
  });

  it('refuses a direct host for a site the plan does not have', () => {
    assert.throws(() => parseDisplayConfig({ srt: { host: 'relay.example', sites: SITES, direct: { 'val-d-or': '10.1.0.9' } } }), /display\.srt\.direct\.val-d-or\s: le site «\u00a0val-d-or\u00a0» n’est pas dans srt\.sites/);
  });

  it('refuses to serve the feed of a site that is not in its list, and the box reports why', async () => {
    const fake = fakeFeatureContext({ site: 'val-d-or' });
    const feature = new EncoderFeature({ encoder: 'libx264', output: { kind: 'srt', url: 'srt://127.0.0.1:9' }, direct: { sites: SITES } });
    const reports: EncoderPart[] = [];
    fake.seen.on('report', (key, value) => key === 'encoder' && reports.push(value as EncoderPart));
    await feature.start(fake.ctx);
    await feature.stop();
    assert.equal(reports.at(-1)?.state, 'failed');
    assert.match(reports.at(-1)?.error ?? '', /le site «\u00a0val-d-or\u00a0» n’est pas dans srt\.sites \(saint-camille, rouyn-noranda, riviere-du-loup\)/);
  });
});

describe('a feed served directly: end to end (real ffmpeg, srt-live-transmit, emulated link)', function () {
  this.timeout(90_000);
  let relay: Relay;
  let down: UdpLinkProxy;
  let feature: EncoderFeature | null = null;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let egressPort = 0;
  let base = 0;

  before(async () => {
    dir = await tempDir();
    base = await freeUdpBlock(SITES.length);
    const srt = parseRelayConfig({ secret: SECRET, srt: { sites: SITES, ingestPort: base, egressPort: base + 100, egress: false, latencyMs: 200, passphrase: PASS, expectedKbps: 400, statsEveryMs: 1000 } }).srt;
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 100, srt });
    await relay.start();
    egressPort = await freeUdpBlock(SITES.length * SITES.length);
    // The display of rouyn-noranda reaches saint-camille's box over 30 ms each way and 1 % loss.
    down = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: srtEgressPort({ sites: SITES, ingestPort: 0, egressPort }, 'saint-camille', 'rouyn-noranda'), impairment: parseImpairment({ delayMs: 30, lossPercent: 1 }), random: seededRandom(11) });
    await down.start();
  });

  after(async () => {
    await feature?.stop();
    await down?.stop();
    await relay?.stop();
    await dir?.remove();
  });

  it('the display decodes the box itself, the relay keeps the feed, and the box reports the display\'s link', async () => {
    const fake = fakeFeatureContext({ site: 'saint-camille' });
    const plan = { sites: SITES, ingestPort: base, egressPort };
    feature = new EncoderFeature({
      encoder: 'libx264', size: '320x180', fps: 15, bitrateKbps: 300, audioBitrateKbps: 64, keyframeSeconds: 1, x264Preset: 'ultrafast', input: { kind: 'test-pattern' },
      output: { kind: 'srt', url: `srt://127.0.0.1:${srtIngestPort(plan, 'saint-camille')}`, latencyMs: 200, passphrase: PASS },
      direct: { sites: SITES, egressPort, bind: '127.0.0.1' },
    });
    const direct: LinkStats[][] = [];
    fake.seen.on('report', (key, value) => key === 'directLinks' && direct.push(value as LinkStats[]));
    const live = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live'), 30_000, 'the feed live at the relay');
    await feature.start(fake.ctx);
    // One listener per other site, none for its own.
    const ports = SITES.map((viewer) => srtEgressPort(plan, 'saint-camille', viewer));
    assert.deepEqual(ports.map(udpBound), [false, true, true]);
    await live;

    const url = srtFfmpegUrl({ host: '127.0.0.1', port: down.port, mode: 'caller', latencyMs: 200, passphrase: PASS });
    const picture = await watchFirstFrame('ffmpeg', url, 20_000, LOW_DELAY_INPUT).result;
    assert.ok(picture !== null, 'a picture decoded from the box over the direct link');
    const wrong = await watchFirstFrame('ffmpeg', srtFfmpegUrl({ host: '127.0.0.1', port: down.port, mode: 'caller', latencyMs: 200, passphrase: 'not-the-passphrase' }), 4000, LOW_DELAY_INPUT).result;
    assert.equal(wrong, null, 'no picture without the passphrase');

    // A display that stays: the box's listener reports its link while packets flow.
    const player = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'quiet', ...LOW_DELAY_INPUT, '-i', url, '-t', '25', '-f', 'null', '-'], { stdio: 'ignore' });
    try {
      await waitForEvent(fake.seen, 'report', (key: string, v: unknown) => key === 'directLinks' && (v as LinkStats[]).some((l) => l.peer === 'rouyn-noranda' && l.rttMs >= 50), 20_000, 'the display\'s link with the emulated 60 ms RTT');
    } finally {
      player.kill('SIGKILL');
    }
    const last = direct.at(-1)!.find((l) => l.peer === 'rouyn-noranda')!;
    assert.equal(last.role, 'sender');
    assert.ok(last.rttMs < 200, `RTT ${last.rttMs} ms`);
  });
});
