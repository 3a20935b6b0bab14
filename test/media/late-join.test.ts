/**
 * A display or a preview that joins a feed mid-stream (every floor change)
 * decodes within about one GOP: real ffmpeg to the relay over SRT, a player
 * that joins after several key frames, on the SRT egress (MPEG-TS, where the
 * SPS/PPS must be in-band) and on HTTP-FLV.
 *
 * The encoder stands in for one that never repeats its headers in-band (as the
 * Pi 4's h264_v4l2m2m with a plain ffmpeg): libx264 with `repeat-headers=0`,
 * through a wrapper script. With the feed's flags the headers come back on
 * every key frame; without them a mid-stream cut has none and nothing decodes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEncoderConfig, parseRelayConfig } from '../../src/media/config.js';
import { createFeed } from '../../src/media/feed.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import { srtEgressPort, srtFfmpegUrl, srtIngestPort, srtTransmitUri } from '../../src/media/srt.js';
import { srtTransmitBinary } from '../../src/media/srt-transmit.js';
import { watchFirstFrame } from '../../src/media/ffmpeg.js';
import type { EncoderFigures, EncoderSupervisor } from '../../src/media/supervisor.js';
import { freePort, freeUdpBlock, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';
import { keyFrameHeaders } from './nal.js';

const PASS = 'relais-late-join-pass';
const FPS = 15;
const GOP_S = 1;
const LATENCY_MS = 200;

/**
 * An ffmpeg that tells libx264 not to repeat SPS/PPS; `withoutFix` also drops
 * the feed's `-flags +global_header` and `-bsf:v dump_extra=...` (the command line before the fix).
 */
async function headerlessEncoder(dir: string, withoutFix: boolean): Promise<string> {
  const file = join(dir, withoutFix ? 'encoder-without-fix.sh' : 'encoder.sh');
  await writeFile(
    file,
    `#!/bin/bash
args=("$@"); n=$#; out=(); skip=0
for a in "\${args[@]:0:n-1}"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  if [ ${withoutFix ? 1 : 0} = 1 ] && { [ "$a" = -flags ] || [ "$a" = -bsf:v ]; }; then skip=1; continue; fi
  out+=("$a")
done
exec ffmpeg "\${out[@]}" -x264-params repeat-headers=0 "\${args[n-1]}"
`,
  );
  await chmod(file, 0o755);
  return file;
}

/**
 * How long ffmpeg analyses a live input before it hands out frames. Its
 * default (5 s) would hide the GOP in the measure; a display keeps it short too.
 */
const ANALYZE_US = 500_000;

/** Milliseconds until a player decodes its first video frame from `url`, or null if it does not within `timeoutMs`. */
function firstFrameMs(url: string, timeoutMs: number): Promise<number | null> {
  return watchFirstFrame('ffmpeg', url, timeoutMs, ['-analyzeduration', String(ANALYZE_US)]).result;
}

/** `ms` of the raw MPEG-TS bytes an SRT listener serves, from the first byte received. */
function captureSrt(uri: string, ms: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const child = spawn(srtTransmitBinary(), ['-q', uri, 'file://con'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let timer: NodeJS.Timeout | null = null;
    const guard = setTimeout(() => child.kill('SIGKILL'), ms + 15_000);
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      timer ??= setTimeout(() => child.kill('SIGTERM'), ms);
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

describe('late join: SPS/PPS on every key frame (real ffmpeg, relay, SRT and FLV players)', function () {
  this.timeout(90_000);
  let relay: Relay;
  let feed: EncoderSupervisor | null = null;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let plan: { sites: string[]; ingestPort: number; egressPort: number };
  const egress = (viewer: string) => ({ host: '127.0.0.1', port: srtEgressPort(plan, 'saint-camille', viewer), mode: 'caller' as const, latencyMs: LATENCY_MS, passphrase: PASS });

  before(async () => {
    dir = await tempDir();
    const base = await freeUdpBlock(10);
    plan = { sites: ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'], ingestPort: base, egressPort: base + 3 };
    const srt = parseRelayConfig({ secret: SECRET, srt: { ...plan, latencyMs: LATENCY_MS, passphrase: PASS, expectedKbps: 300, statsEveryMs: 1000 } }).srt;
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 100, srt });
    await relay.start();
  });

  afterEach(async () => {
    await feed?.stop();
    feed = null;
  });

  after(async () => {
    await relay?.stop();
    await dir?.remove();
  });

  /** Starts the feed through `binary` and resolves once it has sent `gops` key-frame intervals. */
  async function startFeed(binary: string, gops: number): Promise<void> {
    const config = parseEncoderConfig({
      size: '320x180',
      fps: FPS,
      bitrateKbps: 300,
      keyframeSeconds: GOP_S,
      x264Preset: 'ultrafast',
      input: { kind: 'test-pattern' },
      output: { kind: 'srt', url: `srt://127.0.0.1:${srtIngestPort(plan, 'saint-camille')}`, latencyMs: LATENCY_MS, passphrase: PASS },
    });
    feed = createFeed({ config, site: 'saint-camille', encoder: 'libx264', binary, log: quietLogger('feed'), fontFile: null });
    const sent = waitForEvent<[EncoderFigures]>(feed, 'figures', (f) => f.frames >= gops * GOP_S * FPS, 30_000, `${gops} key-frame intervals sent`);
    await feed.start();
    await sent;
  }

  it('a display over SRT and a preview over FLV that join mid-stream decode within about one GOP', async () => {
    const live = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'saint-camille' && x.status === 'live'), 30_000, 'the feed live on the relay');
    await startFeed(await headerlessEncoder(dir.path, false), 4);
    await live;

    const cut = keyFrameHeaders(await captureSrt(srtTransmitUri(egress('rouyn-noranda')), 2500));
    assert.ok(cut.keyFrames >= 2, `key frames in a 2.5 s cut: ${JSON.stringify(cut)}`);
    assert.equal(cut.withHeaders, cut.keyFrames, `every key frame carries SPS/PPS: ${JSON.stringify(cut)}`);

    // One GOP to wait for a key frame, the analysis, the SRT latency, and two seconds for ffmpeg to start and connect on a busy machine.
    const bound = GOP_S * 1000 + ANALYZE_US / 1000 + LATENCY_MS + 2000;
    const overSrt = await firstFrameMs(srtFfmpegUrl(egress('riviere-du-loup')), 10_000);
    assert.ok(overSrt !== null && overSrt < bound, `SRT display: first frame after ${overSrt} ms (bound ${bound} ms)`);
    const overFlv = await firstFrameMs(relay.playUrl('saint-camille'), 10_000);
    assert.ok(overFlv !== null && overFlv < bound, `FLV preview: first frame after ${overFlv} ms (bound ${bound} ms)`);
    console.log(`      late join: first frame over SRT after ${overSrt} ms, over FLV after ${overFlv} ms (GOP ${GOP_S * 1000} ms, analysis ${ANALYZE_US / 1000} ms)`);
  });

  it('without the key-frame headers, a mid-stream MPEG-TS cut has none and a late player decodes nothing', async () => {
    await startFeed(await headerlessEncoder(dir.path, true), 3);
    const cut = keyFrameHeaders(await captureSrt(srtTransmitUri(egress('rouyn-noranda')), 2500));
    assert.ok(cut.keyFrames >= 2, `key frames in a 2.5 s cut: ${JSON.stringify(cut)}`);
    assert.equal(cut.withHeaders, 0, `no key frame carries SPS/PPS: ${JSON.stringify(cut)}`);
    assert.equal(await firstFrameMs(srtFfmpegUrl(egress('riviere-du-loup')), 3 * GOP_S * 1000 + ANALYZE_US / 1000 + 2000), null, 'no frame within three GOPs');
  });
});
