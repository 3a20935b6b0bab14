/**
 * The relay with real node-media-server and real ffmpeg publishers: a signed
 * feed comes out as HTTP-FLV with the configured picture; unsigned, expired,
 * wrongly signed and off-path publishes are refused and reach no viewer.
 */
import { WebSocket } from 'ws';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { parseEncoderConfig } from '../../src/media/config.js';
import { createFeed } from '../../src/media/feed.js';
import { EventEmitter } from 'node:events';
import type { ApplianceEvents, FeatureContext } from '../../src/appliance/feature.js';
import { EncoderFeature, type EncoderReport } from '../../src/media/encoder-feature.js';
import { Relay, type RefusedPublish, type StreamsSnapshot } from '../../src/media/relay.js';
import { signPublishUrl } from '../../src/media/sign.js';
import type { EncoderSupervisor } from '../../src/media/supervisor.js';
import { ffprobeStreams, freePort, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';

/** Publishes a few seconds of test pattern with plain ffmpeg; resolves with its exit code. */
function publishRaw(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'flv', url], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Reads from a WS-FLV URL until enough bytes for a header and a few tags have come. */
function readWebSocketFlv(url: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`WS-FLV ${url}: only ${size} bytes in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (data: Buffer) => {
      chunks.push(Buffer.from(data));
      size += data.length;
      if (size >= 16 * 1024) {
        clearTimeout(timer);
        socket.close();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Walks the FLV tags after the header and says whether one is video (type 9). */
function flvHasVideoTag(bytes: Buffer): boolean {
  let offset = bytes.readUInt32BE(5) + 4;
  while (offset + 11 <= bytes.length) {
    const type = bytes[offset]! & 0x1f;
    if (type === 9) return true;
    const dataSize = bytes.readUIntBE(offset + 1, 3);
    offset += 11 + dataSize + 4;
  }
  return false;
}

describe('media relay (node-media-server, signed publishing)', function () {
  this.timeout(30_000);
  let relay: Relay;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let feed: EncoderSupervisor | null = null;

  before(async () => {
    dir = await tempDir();
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 100 });
    await relay.start();
  });

  afterEach(async () => {
    await feed?.stop();
    feed = null;
  });

  after(async () => {
    await relay.stop();
    await dir.remove();
  });

  it('relays a supervised, signed test pattern as HTTP-FLV and WS-FLV H.264 at the configured size and rate', async () => {
    const config = parseEncoderConfig({
      size: '320x180',
      fps: 15,
      bitrateKbps: 400,
      x264Preset: 'ultrafast',
      input: { kind: 'test-pattern' },
      output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET },
    });
    const published = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live'), 10_000, 'saint-camille live on the relay');
    feed = createFeed({ config, site: 'saint-camille', encoder: 'libx264', binary: 'ffmpeg', log: quietLogger('feed') });
    const live = waitForEvent(feed, 'state', (s: string) => s === 'live', 10_000, 'encoder live');
    await feed.start();
    await Promise.all([live, published]);

    const streams = await ffprobeStreams(relay.playUrl('saint-camille'));
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    assert.equal(video?.codec_name, 'h264');
    assert.equal(video?.width, 320);
    assert.equal(video?.height, 180);
    assert.equal(video?.r_frame_rate, '15/1');
    assert.equal(audio?.codec_name, 'aac');

    // The same stream over WS-FLV, as the dashboard's previews play it: an FLV header, then a video tag.
    const wsBytes = await readWebSocketFlv(relay.playUrl('saint-camille').replace(/^http/, 'ws'), 10_000);
    assert.equal(wsBytes.subarray(0, 3).toString('latin1'), 'FLV');
    const firstTagType = wsBytes[wsBytes.readUInt32BE(5) + 4];
    assert.ok(firstTagType === 8 || firstTagType === 9 || firstTagType === 18, `an FLV tag follows the header (type ${firstTagType})`);
    assert.ok(flvHasVideoTag(wsBytes), 'a video tag arrives over WS-FLV');

    const snap = relay.snapshot().streams.find((s) => s.site === 'saint-camille');
    assert.equal(snap?.status, 'live');
    assert.equal(snap?.publisher?.width, 320);
    const figures = feed.figures();
    assert.equal(figures.state, 'live');
    assert.equal(figures.encoder, 'libx264');
    assert.ok(figures.frames > 0, 'frames counted from the progress output');
  });

  const refusals: Array<[string, () => string, RegExp]> = [
    ['unsigned', () => `${relay.rtmpUrl}/rouyn-noranda`, /unsigned/],
    ['expired', () => signPublishUrl({ base: relay.rtmpUrl, site: 'rouyn-noranda', secret: SECRET, ttlSeconds: 60, nowSeconds: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['signed with another secret', () => signPublishUrl({ base: relay.rtmpUrl, site: 'rouyn-noranda', secret: 'another-secret-0123456789', ttlSeconds: 60 }), /wrong signature/],
    [
      'signed for another site',
      () => signPublishUrl({ base: relay.rtmpUrl, site: 'saint-camille', secret: SECRET, ttlSeconds: 60 }).replace('/saint-camille?', '/rouyn-noranda?'),
      /wrong signature/,
    ],
    ['outside /live', () => signPublishUrl({ base: relay.rtmpUrl, site: 'rouyn-noranda', secret: SECRET, ttlSeconds: 60 }).replace('/live/', '/other/'), /not \/live\/<site>/],
  ];

  for (const [name, url, reason] of refusals) {
    it(`refuses a publish that is ${name}, and nothing reaches the stream list`, async () => {
      const refused = waitForEvent<[RefusedPublish]>(relay, 'refused', () => true, 10_000, 'a refused publish');
      const code = await publishRaw(url());
      const [refusal] = await refused;
      assert.match(refusal.reason, reason);
      assert.notEqual(code, 0, 'the publisher is cut off and ffmpeg fails');
      const stream = relay.snapshot().streams.find((s) => s.site === 'rouyn-noranda');
      assert.ok(!stream || stream.status === 'idle', `no live rouyn-noranda stream: ${JSON.stringify(stream)}`);
    });
  }

  it('the encoder feature probes, publishes and reports its figures in the site state', async () => {
    const reports = new EventEmitter<{ report: [value: EncoderReport] }>();
    const ctx = {
      event: 'test', site: 'riviere-du-loup', log: quietLogger('feature'), bus: new EventEmitter<ApplianceEvents>(),
      floor: () => null, role: () => 'idle', linkUp: () => true,
      reportState: (key: string, value: unknown) => key === 'encoder' && reports.emit('report', value as EncoderReport),
      subscribe: async () => undefined, publish: async () => undefined,
    } satisfies FeatureContext;
    const feature = new EncoderFeature({
      size: '320x180', fps: 15, bitrateKbps: 300, x264Preset: 'ultrafast', reportIntervalMs: 500,
      probeCache: `${dir.path}/probe.json`,
      output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET },
    });
    const live = waitForEvent<[EncoderReport]>(reports, 'report', (r) => r.state === 'live' && r.fps > 0, 15_000, 'a live encoder report');
    try {
      await feature.start(ctx);
      const [report] = await live;
      assert.equal(report.encoder, 'libx264', 'the only encoder that works on this machine');
      assert.equal(report.choice, 'probe');
      assert.equal(report.error, null);
      assert.equal(relay.snapshot().streams.find((s) => s.site === 'riviere-du-loup')?.status, 'live');
    } finally {
      await feature.stop();
    }

    const broken = new EncoderFeature({ ffmpeg: `${dir.path}/no-such-ffmpeg`, output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET } });
    const failed = waitForEvent<[EncoderReport]>(reports, 'report', (r) => r.state === 'failed', 5000, 'a failed encoder report');
    const saved = process.env.RELAIS_FFMPEG;
    delete process.env.RELAIS_FFMPEG;
    try {
      await broken.start(ctx);
      const [report] = await failed;
      assert.match(report.error ?? '', /ffmpeg introuvable .*no-such-ffmpeg.*RELAIS_FFMPEG/);
    } finally {
      if (saved !== undefined) process.env.RELAIS_FFMPEG = saved;
      await broken.stop();
    }
  });

  it('refuses a second relay in the same process with a clear error', async () => {
    const other = new Relay({ rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, log: quietLogger('relay2') });
    await assert.rejects(other.start(), /already running in this process/);
  });
});
