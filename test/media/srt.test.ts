/**
 * SRT end to end with real ffmpeg (libsrt) and real srt-live-transmit, the
 * box's link emulated by `relais sim link`'s UDP proxy: a site's feed reaches
 * the relay over SRT with a passphrase, comes out as HTTP-FLV for the previews
 * and over SRT for another site's display, and its link statistics show the
 * emulated RTT and, once the link is cut, a `down` verdict.
 */
import assert from 'node:assert/strict';
import { parseDisplayConfig, parseEncoderConfig, parseRelayConfig } from '../../src/media/config.js';
import { displayTarget } from '../../src/media/display.js';
import { displaySource } from '../../src/media/display-feature.js';
import { createFeed } from '../../src/media/feed.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import { encoderSrtUrl, linkVerdict, parseSrtStats, srtEgressPort, srtFfmpegUrl, srtIngestPort, srtTransmitUri, statsEveryPackets, type SrtStatsSample } from '../../src/media/srt.js';
import type { EncoderSupervisor } from '../../src/media/supervisor.js';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';
import { ffprobeStreams, freePort, freeUdpBlock, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';

/** A line srt-live-transmit 1.5.1 printed at a receiving listener (`-pf:json`). */
const RECEIVER_LINE =
  '{"sid":156463879,"timepoint":"2026-12-01T23:51:52.960214+0000","time":4526,"window":{"flow":8192,"congestion":8192,"flight":0},"link":{"rtt":80.743,"bandwidth":12,"maxBandwidth":1000},"send":{"packets":0,"packetsUnique":0,"packetsLost":0,"packetsDropped":0,"packetsRetransmitted":0,"packetsFilterExtra":0,"bytes":0,"bytesUnique":0,"bytesDropped":0,"byteAvailBuf":12288000,"msBuf":0,"mbitRate":0,"sendPeriod":12},"recv":{"packets":104,"packetsUnique":104,"packetsLost":2,"packetsDropped":0,"packetsRetransmitted":2,"packetsBelated":0,"packetsFilterExtra":0,"packetsFilterSupply":0,"packetsFilterLoss":0,"bytes":129784,"bytesUnique":129784,"bytesLost":0,"bytesDropped":0,"byteAvailBuf":12273000,"msBuf":172,"mbitRate":0.517401,"msTsbPdDelay":300}}';

function sample(changes: Partial<SrtStatsSample['received']> & { rttMs?: number }): SrtStatsSample {
  const base = parseSrtStats(RECEIVER_LINE);
  if (!base) throw new Error('fixture does not parse');
  const { rttMs, ...received } = changes;
  return { ...base, rttMs: rttMs ?? base.rttMs, received: { ...base.received, ...received } };
}

describe('SRT statistics and URLs (pure)', () => {
  it('reads srt-live-transmit JSON stats and ignores its other lines', () => {
    const s = parseSrtStats(RECEIVER_LINE);
    assert.ok(s);
    assert.equal(s.rttMs, 80.743);
    assert.deepEqual(s.received, { packets: 104, lost: 2, retransmitted: 2, dropped: 0, belated: 0, mbitRate: 0.517401, bufferMs: 172, latencyMs: 300 });
    assert.equal(parseSrtStats('Accepted SRT source connection'), null);
    assert.equal(parseSrtStats('{"not":"stats"}'), null);
    assert.equal(parseSrtStats('{broken'), null);
  });

  it('says late or unwatchable for the reasons a person can act on', () => {
    assert.deepEqual(linkVerdict('receiver', sample({})), { verdict: 'good', why: null });
    assert.equal(linkVerdict('receiver', sample({ packets: 0 })).verdict, 'down');
    assert.equal(linkVerdict('receiver', sample({ dropped: 5 })).verdict, 'unwatchable');
    assert.equal(linkVerdict('receiver', sample({ lost: 30 })).verdict, 'unwatchable');
    assert.match(linkVerdict('receiver', sample({ latencyMs: 500 })).why ?? '', /one way/);
    assert.match(linkVerdict('receiver', sample({ latencyMs: 150 })).why ?? '', /short for an RTT/);
    // The same causes as codes with their figures, for the page and the CLI to translate.
    assert.deepEqual(linkVerdict('receiver', sample({ dropped: 5 })), { verdict: 'unwatchable', why: '4.7 % of packets came too late to be shown', whyCode: 'too-late-share', whyParams: { percent: 4.7 } });
    assert.deepEqual(linkVerdict('receiver', sample({ latencyMs: 150 })), { verdict: 'late', why: 'buffer 150 ms is short for an RTT of 81 ms', whyCode: 'short-buffer', whyParams: { latency: 150, rtt: 81 } });
    assert.deepEqual(linkVerdict('receiver', sample({ packets: 0 })), { verdict: 'down', why: 'no packets in the last interval', whyCode: 'no-packets', whyParams: {} });
  });

  it('writes latency in ms for srt-live-transmit and in microseconds for ffmpeg', () => {
    const e = { host: 'relay.example', port: 9000, mode: 'caller' as const, latencyMs: 240, passphrase: 'secret phrase!' };
    assert.equal(srtTransmitUri(e), 'srt://relay.example:9000?mode=caller&latency=240&passphrase=secret%20phrase!');
    assert.equal(srtFfmpegUrl(e), 'srt://relay.example:9000?mode=caller&latency=240000&passphrase=secret%20phrase!&pkt_size=1316');
    assert.equal(encoderSrtUrl('srt://relay.example:9000?latency=120000', { mode: 'caller', latencyMs: 240 }), 'srt://relay.example:9000?latency=120000&mode=caller&pkt_size=1316');
    assert.equal(statsEveryPackets(2500, 2000), 475);
    const plan = { sites: ['a', 'b', 'c'], ingestPort: 9000, egressPort: 9100 };
    assert.equal(srtIngestPort(plan, 'c'), 9002);
    assert.equal(srtEgressPort(plan, 'b', 'c'), 9105);
    assert.throws(() => srtIngestPort(plan, 'z'), /n’est pas dans le plan des ports SRT/);
  });

  it("points a display at its own egress port of the on-air site's feed", () => {
    const config = parseDisplayConfig({ srt: { host: 'relay.example', sites: ['a', 'b', 'c'], egressPort: 9100, latencyMs: 300, passphrase: 'display-passphrase' } });
    const target = displayTarget({ epoch: 2, onAir: 'c', next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor: 'x', updatedAt: 'now' }, 'a', displaySource(config, 'a'), 'Day');
    assert.deepEqual(target, { kind: 'stream', site: 'c', url: 'srt://relay.example:9106?mode=caller&latency=300000&passphrase=display-passphrase&pkt_size=1316' });
    assert.equal(displaySource(parseDisplayConfig({}), 'a'), 'http://127.0.0.1:8000');
  });

  it('refuses a passphrase libsrt would refuse', () => {
    assert.throws(() => parseRelayConfig({ secret: SECRET, srt: { sites: ['a'], passphrase: 'short' } }), /relay\.srt\.passphrase\s: doit compter de 10 à 79 caractères/);
  });
});

describe('SRT end to end through the relay (real ffmpeg, srt-live-transmit, emulated link)', function () {
  this.timeout(60_000);
  const PASS = 'relais-test-passphrase';
  let relay: Relay;
  let proxy: UdpLinkProxy;
  let feed: EncoderSupervisor | null = null;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let plan: { sites: string[]; ingestPort: number; egressPort: number };

  before(async () => {
    dir = await tempDir();
    const base = await freeUdpBlock(8);
    plan = { sites: ['saint-camille', 'rouyn-noranda'], ingestPort: base, egressPort: base + 2 };
    const srt = parseRelayConfig({ secret: SECRET, srt: { ...plan, latencyMs: 200, passphrase: PASS, expectedKbps: 300, statsEveryMs: 1000 } }).srt;
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 100, srt });
    await relay.start();
    // The box's uplink: 40 ms RTT, 1 % loss.
    proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: srtIngestPort(plan, 'saint-camille'), impairment: parseImpairment({ delayMs: 20, lossPercent: 1 }), random: seededRandom(4) });
    await proxy.start();
  });

  after(async () => {
    await feed?.stop();
    await proxy?.stop();
    await relay?.stop();
    await dir?.remove();
  });

  it('takes a feed over SRT, serves it as FLV and over SRT, and reports the link', async () => {
    const config = parseEncoderConfig({
      size: '320x180',
      fps: 15,
      bitrateKbps: 300,
      keyframeSeconds: 1,
      x264Preset: 'ultrafast',
      input: { kind: 'test-pattern' },
      output: { kind: 'srt', url: `srt://127.0.0.1:${proxy.port}`, latencyMs: 200, passphrase: PASS },
    });
    const stats = waitForEvent<[StreamsSnapshot]>(
      relay,
      'streams',
      (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live' && x.link !== undefined && x.link.rttMs >= 35 && x.link.receivedKbps > 0),
      30_000,
      'saint-camille live with SRT statistics showing the emulated RTT',
    );
    feed = createFeed({ config, site: 'saint-camille', encoder: 'libx264', binary: 'ffmpeg', log: quietLogger('feed') });
    await feed.start();
    const [snap] = await stats;
    const link = snap.streams.find((x) => x.site === 'saint-camille')?.link;
    assert.equal(link?.role, 'receiver');
    assert.equal(link?.latencyMs, 200);
    assert.ok(link && link.rttMs < 200, `RTT ${link?.rttMs} ms over a 40 ms link`);

    const flv = await ffprobeStreams(relay.playUrl('saint-camille'), 20_000);
    assert.equal(flv.find((s) => s.codec_type === 'video')?.width, 320);
    assert.equal(flv.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');

    const egress = srtFfmpegUrl({ host: '127.0.0.1', port: srtEgressPort(plan, 'saint-camille', 'rouyn-noranda'), mode: 'caller', latencyMs: 200, passphrase: PASS });
    const overSrt = await ffprobeStreams(egress, 20_000);
    assert.equal(overSrt.find((s) => s.codec_type === 'video')?.codec_name, 'h264');
    assert.equal(overSrt.find((s) => s.codec_type === 'video')?.height, 180);

    // A display that comes back (a player restarted) gets the feed again on the same port.
    const again = await ffprobeStreams(egress, 20_000);
    assert.equal(again.find((s) => s.codec_type === 'video')?.codec_name, 'h264');

    // A display with the wrong passphrase gets nothing.
    const wrong = srtFfmpegUrl({ host: '127.0.0.1', port: srtEgressPort(plan, 'saint-camille', 'rouyn-noranda'), mode: 'caller', latencyMs: 200, passphrase: 'not-the-passphrase' });
    await assert.rejects(ffprobeStreams(wrong, 15_000), /ffprobe .* failed/);
  });

  it('says the feed is down once the link is cut', async () => {
    const down = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.link?.verdict === 'down'), 20_000, 'a down verdict');
    proxy.set(parseImpairment({ delayMs: 20, lossPercent: 100 }));
    const [snap] = await down;
    assert.match(snap.streams.find((x) => x.site === 'saint-camille')?.link?.why ?? '', /no packets for \d+ s/);
    proxy.set(parseImpairment({ delayMs: 20, lossPercent: 1 }));
  });
});
