/**
 * Run-time encoder fallback, with real ffmpeg: a probe cache written outside
 * the unit says h264_vaapi, which fails for real here (no /dev/dri). After
 * three starts that never go live the feature tries the encoder alone, forgets
 * the cached probe, moves the feed to libx264 and says so in the state and in
 * French in the log. Failures that are not the encoder's (the relay is
 * unreachable) change nothing.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncoderFeature } from '../../src/media/encoder-feature.js';
import { ffmpegVersion, resolveBinary } from '../../src/media/ffmpeg.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import type { EncoderPart } from '../../src/protocol/site-state.js';
import { fakeFeatureContext } from '../helpers/feature-context.js';
import { announcedLines, recordingLogger } from '../helpers/log.js';
import { freePort, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';

const feedConfig = (output: unknown, extra: Record<string, unknown> = {}) => ({
  size: '320x180',
  fps: 15,
  bitrateKbps: 300,
  x264Preset: 'ultrafast',
  input: { kind: 'test-pattern' },
  output,
  restart: { initialDelayMs: 100, maxDelayMs: 400 },
  ...extra,
});

describe('encoder fallback at run time (real ffmpeg, h264_vaapi without /dev/dri)', function () {
  this.timeout(60_000);
  let relay: Relay;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let feature: EncoderFeature | null = null;

  before(async function () {
    if (existsSync('/dev/dri/renderD128')) this.skip(); // a machine where VA-API really works would not fail
    dir = await tempDir();
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 100 });
    await relay.start();
  });

  afterEach(async () => {
    await feature?.stop();
    feature = null;
  });

  after(async () => {
    await relay?.stop();
    await dir?.remove();
  });

  function start(config: unknown) {
    const fake = fakeFeatureContext();
    const { lines, logged } = announcedLines();
    const ctx = { ...fake.ctx, log: recordingLogger(lines) };
    feature = new EncoderFeature(config);
    return { fake, lines, logged, started: feature.start(ctx) };
  }

  it('a cached h264_vaapi that fails at run time: the feed comes up on libx264, the cache entry is gone, the state says why', async () => {
    const binary = resolveBinary('ffmpeg');
    assert.ok(binary, 'ffmpeg on PATH');
    const version = await ffmpegVersion(binary);
    const cacheFile = join(dir.path, 'encoder-probe.json');
    const stale = { encoder: 'h264_vaapi', binary, version, board: null, note: null, trials: [], at: '2026-11-30T08:00:00.000Z' };
    await writeFile(cacheFile, JSON.stringify({ version: 1, entries: { [`${binary}|${version}`]: stale, '/other/ffmpeg|7.1': { ...stale, binary: '/other/ffmpeg' } } }));

    const { fake, lines, started } = start(feedConfig({ kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET }, { probeCache: cacheFile }));
    const onX264 = waitForEvent<[string, EncoderPart]>(fake.seen, 'report', (key, part) => key === 'encoder' && part.state === 'live' && part.encoder === 'libx264', 45_000, 'the feed live on libx264');
    const onRelay = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live'), 45_000, 'saint-camille live on the relay');
    await started;
    const [, part] = await onX264;
    await onRelay;

    assert.equal(part.choice, 'fallback');
    assert.equal(part.fallback?.from, 'h264_vaapi');
    assert.equal(part.fallback?.to, 'libx264');
    assert.ok(part.fallback && part.fallback.reason.length > 0, 'the trial says why');
    assert.ok(!Number.isNaN(Date.parse(part.fallback?.at ?? '')));

    const cache = JSON.parse(await readFile(cacheFile, 'utf8')) as { entries: Record<string, unknown> };
    assert.deepEqual(Object.keys(cache.entries), ['/other/ffmpeg|7.1'], 'only this ffmpeg is forgotten; the fallback itself is not cached');
    const said = lines.find((l) => l.includes('h264_vaapi') && l.includes('libx264'));
    assert.match(said ?? '', /^error l’encodeur h264_vaapi échoue au démarrage .*le flux de la salle passe à libx264/);
  });

  it('failures that are not the encoder (relay unreachable): the encoder passes its trial and stays', async () => {
    const closed = await freePort();
    const { fake, logged, started } = start(feedConfig({ kind: 'rtmp', url: `rtmp://127.0.0.1:${closed}/live`, secret: SECRET }, { encoder: 'libx264' }));
    const reports: EncoderPart[] = [];
    fake.seen.on('report', (key, value) => key === 'encoder' && reports.push(value as EncoderPart));
    const warned = waitForEvent<[string]>(logged, 'line', (line) => line.startsWith('warn l’encodeur libx264 encode encore'), 30_000, 'the warning that the encoder still encodes');
    await started;
    await warned;
    assert.ok(reports.length > 0);
    assert.ok(reports.every((r) => r.encoder === 'libx264' && !r.fallback), 'still libx264, no fallback');
  });
});
