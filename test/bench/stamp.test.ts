/**
 * The glass-to-glass bench reads times back from the picture: its reader is
 * proved here, on known stamps and through a real lossy H.264 encode, a
 * downscale and a decode by ffmpeg.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { StampCamera } from '../../bench/camera.js';
import { drawStamp, judge, readStamp, seqStep, stampBandHeight, stampBits, stampFromBits, type Stamp } from '../../bench/stamp.js';

const W = 320;
const H = 180;

function picture(stamp: Stamp, background = 90): Buffer {
  const luma = Buffer.alloc(W * H, background);
  drawStamp(luma, W, stamp);
  return luma;
}

describe('glass-to-glass stamp', () => {
  const known: Stamp[] = [
    { timeMs: 0, seq: 0 },
    { timeMs: 1_796_000_000_123, seq: 4095 },
    { timeMs: 2 ** 36 - 1, seq: 1 },
    { timeMs: 1_796_000_000_124, seq: 2048 },
    { timeMs: 2 ** 40 + 2 ** 36 + 7, seq: 3 },
  ];

  it('reads back the time and frame number it drew', () => {
    for (const stamp of known) assert.deepEqual(readStamp(picture(stamp), W, H, W, H, stamp.timeMs + 400), stamp);
    // Frame numbers wrap at 4096.
    assert.deepEqual(readStamp(picture({ timeMs: 5, seq: 4097 }), W, H, W, H, 0), { timeMs: 5, seq: 1 });
  });

  it('puts the time back beside the reader\'s clock, across the wrap of its 36 bits', () => {
    const bits = stampBits({ timeMs: 3 * 2 ** 36 - 10, seq: 9 });
    // Read 20 ms later, after the low bits have wrapped to 10.
    assert.deepEqual(stampFromBits(bits, 3 * 2 ** 36 + 10), { timeMs: 3 * 2 ** 36 - 10, seq: 9 });
    assert.deepEqual(stampFromBits(stampBits({ timeMs: 3 * 2 ** 36 + 10, seq: 9 }), 3 * 2 ** 36 - 10), { timeMs: 3 * 2 ** 36 + 10, seq: 9 });
  });

  it('tells a broken picture from a wrong time: one flipped bit fails the CRC', () => {
    const bits = stampBits(known[1]!);
    assert.deepEqual(stampFromBits(bits, known[1]!.timeMs), known[1]);
    for (let i = 0; i < bits.length; i += 1) {
      const flipped = [...bits];
      flipped[i] = 1 - flipped[i]!;
      assert.equal(stampFromBits(flipped, known[1]!.timeMs), null, `bit ${i} flipped`);
    }
    // A grey picture with no stamp, one with a cell smeared towards grey (on the side of its
    // own bit, so only the margin can refuse it), and one with a cell painted over.
    assert.equal(readStamp(Buffer.alloc(W * H, 128), W, H, W, H), null);
    const smeared = picture(known[1]!);
    const grey = smeared[55] === 235 ? 140 : 110;
    for (let y = 0; y < W / 32; y += 1) smeared.fill(grey, y * W + 50, y * W + 60);
    assert.equal(readStamp(smeared, W, H, W, H), null);
    const hurt = picture(known[1]!);
    const cell = W / 32;
    for (let y = 0; y < cell; y += 1) hurt.fill(hurt[y * W + 3 * cell + 5] === 235 ? 16 : 235, y * W + 3 * cell, y * W + 4 * cell);
    assert.equal(readStamp(hurt, W, H, W, H), null);
  });

  it('reads a picture scaled to another size', () => {
    const small = Buffer.alloc(160 * 90);
    const full = picture(known[3]!);
    for (let y = 0; y < 90; y += 1) for (let x = 0; x < 160; x += 1) small[y * 160 + x] = full[2 * y * W + 2 * x]!;
    assert.deepEqual(readStamp(small, 160, 90, W, H, known[3]!.timeMs), known[3]);
  });

  it('refuses a picture of the wrong size and a time it cannot hold', () => {
    assert.throws(() => readStamp(Buffer.alloc(10), W, H, W, H), /needs 57600 bytes, got 10/);
    assert.throws(() => stampBits({ timeMs: 1.5, seq: 0 }), /not a whole, positive ms count/);
    assert.throws(() => stampBits({ timeMs: -1, seq: 0 }), /not a whole, positive ms count/);
    assert.equal(stampBandHeight(1280), 80);
  });

  it('counts frames across the wrap of the frame number', () => {
    assert.equal(seqStep(4095, 0), 1);
    assert.equal(seqStep(10, 13), 3);
    assert.equal(seqStep(7, 7), 0);
  });

  it('judges a window: latency, pictures lost, repeated and broken, and the freezes', () => {
    const t0 = 1_796_000_000_000;
    const shown = [
      { at: t0 + 500, stamp: { timeMs: t0, seq: 4094 } },
      { at: t0 + 533, stamp: { timeMs: t0 + 33, seq: 4095 } },
      // Across the wrap; then the same picture again (a freeze shown as a repeat).
      { at: t0 + 566, stamp: { timeMs: t0 + 66, seq: 0 } },
      { at: t0 + 600, stamp: { timeMs: t0 + 66, seq: 0 } },
      // A broken picture, then 2 never shown (frames 2 and 3 skipped after it), after a 250 ms gap.
      { at: t0 + 850, stamp: null },
      { at: t0 + 880, stamp: { timeMs: t0 + 166, seq: 4 } },
      // An older picture late: no loss.
      { at: t0 + 900, stamp: { timeMs: t0 + 133, seq: 3 } },
    ];
    const j = judge(shown);
    assert.deepEqual(j.latency, [500, 500, 500, 534, 714, 767]);
    assert.deepEqual({ ...j, latency: undefined }, { latency: undefined, pictures: 7, lost: 2, repeated: 1, unreadable: 1, longestGapMs: 250, gapsOver100ms: 1 });
    assert.equal(judge([]).pictures, 0);
  });

  it("survives the camera's moving picture through a lossy libx264 encode, a downscale and a decode", async function () {
    this.timeout(30_000);
    const count = 24;
    // Encode at a starved bitrate, then decode to half size in gray, as the bench's display does.
    const encode = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-framerate', '30', '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', '120k', '-maxrate', '120k', '-bufsize', '120k', '-g', '30', '-f', 'mpegts', 'pipe:1'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const decode = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-s', '160x90', '-pix_fmt', 'gray', '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:1'], { stdio: ['pipe', 'pipe', 'inherit'] });
    encode.stdout.pipe(decode.stdin);
    const chunks: Buffer[] = [];
    decode.stdout.on('data', (d: Buffer) => chunks.push(d));
    const decoded = new Promise<number | null>((resolve) => decode.on('close', (code) => resolve(code)));

    const drawn: Stamp[] = [];
    const audio = new PassThrough().resume();
    let clock = 1_796_000_000_000;
    const camera: StampCamera = new StampCamera({
      width: W,
      height: H,
      fps: 30,
      now: () => (clock += 33.4),
      video: encode.stdin,
      audio,
      onStamp: (s) => {
        drawn.push(s);
        if (drawn.length === count) camera.stop();
      },
    });
    camera.start();
    assert.equal(await decoded, 0);

    const all = Buffer.concat(chunks);
    const frames = all.length / (160 * 90);
    assert.equal(frames, count);
    const read = Array.from({ length: frames }, (_, i) => readStamp(all.subarray(i * 160 * 90, (i + 1) * 160 * 90), 160, 90, W, H, clock));
    assert.deepEqual(read, drawn);
  });
});
