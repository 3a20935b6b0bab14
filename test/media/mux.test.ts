/**
 * How the box packs its MPEG-TS, read back packet by packet from real ffmpeg
 * running the box's own encoder plan: every sound PES holds one AAC frame
 * (a room with a tone, and a silent room, whose frames are a few bytes and
 * were packed a third of a second at a time), and every picture's PES carries
 * its length. The room switcher decodes every feed's sound in one graph: a
 * feed whose sound comes in bursts held the picture on screen in the same
 * bursts (docs/benchmarks.md, "Sound in bursts").
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEncoderPlan, planArgs } from '../../src/media/command.js';
import { parseEncoderConfig } from '../../src/media/config.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { tempDir } from './helpers.js';
import { adtsFrames, pesPackets } from './nal.js';

/** The box's argv for an SRT output, written to `file` for `seconds` instead; `silent`: no microphone (anullsrc), as a box without `audioDevice` sends. */
function boxArgs(file: string, silent: boolean, seconds: number): string[] {
  const config = parseEncoderConfig({ output: { kind: 'srt', url: 'srt://relay:9000?streamid=publish:s' }, size: '320x180', fps: 30, input: { kind: 'test-pattern', pattern: 'testsrc2' } });
  const args = planArgs(buildEncoderPlan({ config, site: 's', encoder: 'libx264', target: config.output.url, fontFile: null }));
  const tone = args.findIndex((a) => a.startsWith('sine='));
  assert.ok(tone > 0, 'the test pattern comes with a tone');
  if (silent) args[tone] = 'anullsrc=channel_layout=stereo:sample_rate=48000';
  // Not paced: the packing does not depend on the pace, and the test is quicker.
  const unpaced = args.filter((a) => a !== '-re');
  return [...unpaced.slice(0, -1).filter((a, i, all) => a !== '-progress' && all[i - 1] !== '-progress'), '-t', String(seconds), '-y', file];
}

describe('media: the box\'s MPEG-TS packing (real ffmpeg, the encoder plan)', function () {
  this.timeout(60_000);

  for (const silent of [false, true]) {
    it(`${silent ? 'a silent room' : 'a room with sound'}: one AAC frame in each sound PES, and each picture's PES with its length`, async () => {
      const dir = await tempDir();
      try {
        const file = join(dir.path, 'feed.ts');
        const result = await runFfmpeg('ffmpeg', boxArgs(file, silent, 2), 30_000);
        assert.equal(result.code, 0, result.stderr);
        const ts = await readFile(file);
        const sound = pesPackets(ts, 'aac');
        // 2 s of 48 kHz sound is about 94 frames of 1024 samples.
        assert.ok(sound.length >= 85, `${sound.length} sound PES in 2 s`);
        const perPes = sound.map((p) => adtsFrames(p.payload));
        assert.ok(perPes.every((n) => n === 1), `AAC frames per sound PES: ${[...new Set(perPes)].join(', ')}`);
        const pictures = pesPackets(ts, 'h264');
        assert.ok(pictures.length >= 55, `${pictures.length} pictures`);
        // The field is 16 bits: a picture over 64 KiB goes without (none at this size).
        assert.deepEqual(pictures.filter((p) => p.lengthField === 0).length, 0, 'every picture PES carries its length');
      } finally {
        await dir.remove();
      }
    });
  }
});
