/**
 * The one-off player that tells whether a feed shows a picture (a lost feed's
 * probe on the room display, the late-join test): a join between two key
 * frames decodes a picture but makes ffmpeg exit with a failure (the decode
 * errors before the key frame pass `-max_error_rate`), so the picture is told
 * by its bytes, and a cut with no usable key frame is told apart. Real ffmpeg,
 * on MPEG-TS files cut mid-stream as a late-joining display receives them.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg, watchFirstFrame } from '../../src/media/ffmpeg.js';
import { freeUdpBlock, tempDir } from './helpers.js';
import { MPEGTS_MUX_OPTIONS } from '../../src/media/command.js';

const TS_PACKET = 188;

/** Three seconds of 15 fps video with a key frame each second, and sound in small PES packets (as a box sends it). */
async function encode(file: string, headersOnKeyFrames: boolean): Promise<void> {
  const video = headersOnKeyFrames ? ['-bsf:v', 'dump_extra'] : ['-x264-params', 'repeat-headers=0'];
  const result = await runFfmpeg('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=15', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo', '-t', '3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', ...video, '-c:a', 'aac', ...MPEGTS_MUX_OPTIONS, '-f', 'mpegts', file,
  ], 30_000);
  assert.equal(result.code, 0, result.stderr);
}

/** The stream from `fraction` of its length on, cut on a TS packet boundary. */
async function cutAt(source: string, fraction: number, target: string): Promise<string> {
  const whole = await readFile(source);
  const packets = Math.floor(whole.length / TS_PACKET);
  await writeFile(target, whole.subarray(Math.floor(packets * fraction) * TS_PACKET));
  return target;
}

describe('media: the first picture of a feed (real ffmpeg)', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cuts: string[] = [];
  let headerless = '';

  before(async () => {
    dir = await tempDir();
    const full = join(dir.path, 'full.ts');
    await encode(full, true);
    cuts = await Promise.all([0.15, 0.2, 0.3, 0.35, 0.4, 0.45].map((f, i) => cutAt(full, f, join(dir.path, `cut-${i}.ts`))));
    const bare = join(dir.path, 'bare.ts');
    await encode(bare, false);
    headerless = await cutAt(bare, 0.3, join(dir.path, 'bare-cut.ts'));
  });

  after(async () => {
    await dir?.remove();
  });

  it('a cut between two key frames gives its picture, even where ffmpeg exits with a failure', async () => {
    // A short analysis, as a display keeps it: the decoder then sees the packets before the key frame.
    const analysis = ['-analyzeduration', '100000'];
    const exits = await Promise.all(cuts.map((cut) => runFfmpeg('ffmpeg', ['-hide_banner', '-loglevel', 'quiet', ...analysis, '-i', cut, '-map', '0:v:0', '-frames:v', '1', '-f', 'null', '-'], 20_000)));
    assert.ok(exits.some((e) => e.code !== 0), `some cut makes ffmpeg exit with a failure (what an exit-status check would call "no picture"): ${exits.map((e) => e.code).join(', ')}`);
    const pictures = await Promise.all(cuts.map((cut) => watchFirstFrame('ffmpeg', cut, 20_000, analysis).result));
    assert.ok(pictures.every((ms) => ms !== null), `every cut gives a picture: ${pictures.join(', ')}`);
  });

  it('a cut whose key frames carry no SPS/PPS gives none, and the watch ends by itself', async () => {
    assert.equal(await watchFirstFrame('ffmpeg', headerless, 20_000).result, null);
  });

  it('a feed that never answers is given up at the time allowed, and stop() ends it at once', async () => {
    // A UDP port nobody sends to: ffmpeg waits for ever.
    const silent = `udp://127.0.0.1:${await freeUdpBlock(1)}`;
    const started = performance.now();
    assert.equal(await watchFirstFrame('ffmpeg', silent, 600).result, null);
    const waited = performance.now() - started;
    assert.ok(waited >= 550 && waited < 5000, `gave up after ${Math.round(waited)} ms`);
    const watch = watchFirstFrame('ffmpeg', silent, 60_000);
    watch.stop();
    assert.equal(await watch.result, null);
  });
});
