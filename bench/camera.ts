/**
 * A stand-in for a box's camera and microphone: raw 4:2:0 pictures and PCM
 * sound written to an encoder's pipes at the frame rate, each picture stamped
 * with the wall-clock time at which it is handed over (bench/stamp.ts). The
 * picture moves and carries a little noise, so that the encoder spends its
 * bitrate as on a real room, and the stamp stays readable.
 */
import type { Writable } from 'node:stream';
import { drawStamp, type Stamp } from './stamp.js';

export interface CameraOptions {
  width: number;
  height: number;
  fps: number;
  /** The clock the stamp carries (ms since 1970); the reader must use the same. */
  now: () => number;
  video: Writable;
  /** s16le, 2 channels, 48 kHz. */
  audio: Writable;
  /** Told of each stamp as its picture is handed over (not of dropped ones). */
  onStamp?: (stamp: Stamp) => void;
}

/** Distinct pictures prepared before the run and shown in turn (one second at 30 fps). */
const LOOP = 30;

function backgrounds(width: number, height: number, count: number): Buffer[] {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4_294_967_296;
  };
  const out: Buffer[] = [];
  for (let k = 0; k < count; k += 1) {
    const luma = Buffer.alloc(width * height);
    const shift = k * 6;
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        // Bars that slide sideways, a slow vertical ramp, and grain.
        const bar = ((x + shift) >> 5) & 1 ? 150 : 70;
        const ramp = (y * 60) / height;
        luma[y * width + x] = Math.max(16, Math.min(235, Math.round(bar + ramp + (random() - 0.5) * 6)));
      }
    }
    out.push(luma);
  }
  return out;
}

export class StampCamera {
  private readonly frames: Buffer[];
  private readonly chroma: Buffer;
  private readonly silence: Buffer;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private startedAt = 0;
  /** Pictures taken (handed to the encoder or dropped). */
  sent = 0;
  /**
   * Pictures not handed over because the encoder had not taken the last two
   * yet: a capture device overruns the same way, its ring of buffers full.
   */
  dropped = 0;

  constructor(private readonly o: CameraOptions) {
    if (o.width % 32 !== 0 || o.height % 2 !== 0) throw new Error(`camera size ${o.width}x${o.height}: the width must be a multiple of 32 and the height even`);
    this.frames = backgrounds(o.width, o.height, LOOP);
    this.chroma = Buffer.alloc((o.width * o.height) / 2, 128);
    this.silence = Buffer.alloc(Math.round(48_000 / o.fps) * 4);
  }

  start(): void {
    this.startedAt = performance.now();
    this.tick();
  }

  /** Ends both pipes (the encoder then finishes); may be called from `onStamp`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.o.video.end();
    this.o.audio.end();
  }

  private tick(): void {
    const base = this.frames[this.sent % LOOP]!;
    const bytes = base.length + this.chroma.length;
    const stamp = { timeMs: Math.round(this.o.now()), seq: this.sent };
    const drop = this.o.video.writableLength >= 2 * bytes;
    if (drop) {
      this.dropped += 1;
    } else {
      const picture = Buffer.allocUnsafe(bytes);
      base.copy(picture, 0);
      this.chroma.copy(picture, base.length);
      drawStamp(picture, this.o.width, stamp);
      this.o.video.write(picture);
    }
    this.o.audio.write(this.silence);
    this.sent += 1;
    if (!drop) this.o.onStamp?.(stamp);
    if (this.stopped) return;
    // Paced against the start (monotonic), so a late tick does not push every later one.
    const due = this.startedAt + (this.sent * 1000) / this.o.fps;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - performance.now()));
  }
}
