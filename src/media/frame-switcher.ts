/**
 * The room display's switch made between whole pictures, outside ffmpeg's
 * graph: each feed is decoded by its own ffmpeg into raw pictures (yuv420p at
 * the screen's size, on its stdout) and raw sound (48 kHz stereo s16le, on fd
 * 3), the slate by one more; this process passes on the pictures and the
 * sound of the source on screen, whole, to one ffmpeg that stamps them at
 * arrival and writes raw NUT into the sink player's stdin. A switch is taken
 * at the next picture of the new source, which is already decoding: no black
 * frame, no new process, and no graph that waits for every input's next
 * picture before it gives one (`streamselect`'s `framesync`: a picture held
 * whenever the inputs' times cross, docs/benchmarks.md).
 *
 * The source on screen that stops giving pictures leaves its last one on
 * screen, sent again every HELD_PICTURE_MS so that the player's clock goes
 * on; its silence is filled with the slate's. A feed's decoder that ends (its
 * SRT read timed out, the connection was refused) is reported failed; the
 * others go on. Same events and calls as RoomSwitcher (room-switcher.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { eachLine } from '../util/lines.js';
import { fitToScreen, RAW_OUT_THREADS, smoothedAudioPts, smoothedVideoPts } from './switch-plan.js';
import { endChild, type RoomSwitcherEvents, type SwitchProcess } from './room-switcher.js';

/** The on-screen source's last picture again after this long without a new one. */
export const HELD_PICTURE_MS = 250;
/** A feed whose last picture is older than this is not moving. */
export const MOVING_MS = 1000;
/** The on-screen feed's sound missing this long: the slate's silence instead. */
export const SOUND_GAP_MS = 100;
/** Bytes of one sound frame (two 16-bit channels). */
const SOUND_FRAME = 4;
/** At most this much sound (48 kHz stereo s16le, 200 ms) waiting for the mux: beyond, it is dropped. */
const SOUND_BACKLOG = 48_000 * SOUND_FRAME / 5;

export interface FrameSwitcherOptions {
  ffmpeg: string;
  /** Player argv reading NUT on stdin. */
  sink: readonly string[];
  size: { width: number; height: number };
  /** The output's nominal rate (each picture goes out at its own time). */
  fps: number;
  /** The slate's lavfi graph (its pictures at the screen's size). */
  slate: string;
  feeds: ReadonlyArray<{ site: string; url: string }>;
  /** Source on screen at start: 0 the slate, i the feed `feeds[i - 1]`. */
  initial: number;
  /** Input options of each feed's decoder (FEED_DECODER_INPUT by default). */
  inputOptions?: readonly string[];
  /** Grace after SIGTERM before SIGKILL. */
  killTimeoutMs?: number;
}

/** A feed decoder's input: the display's low-delay reading, a short analysis (a feed is known: H.264 and AAC). */
export const FEED_DECODER_INPUT = ['-fflags', 'nobuffer+noparse', '-flags', 'low_delay', '-probesize', '32768', '-analyzeduration', '100000'];

/** Bytes of one yuv420p picture of `size`. */
export function pictureBytes(size: { width: number; height: number }): number {
  return size.width * size.height * 3 / 2;
}

const PICTURE_OUT = [...RAW_OUT_THREADS, '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:1'];
const SOUND_OUT = [...RAW_OUT_THREADS, '-c:a', 'pcm_s16le', '-ar', '48000', '-ac', '2', '-f', 's16le', 'pipe:3'];

/** A feed's decoder: its pictures scaled and padded to the screen, its sound as the mux takes it. */
export function feedDecoderArgs(url: string, size: { width: number; height: number }, inputOptions: readonly string[] = FEED_DECODER_INPUT): string[] {
  return ['-hide_banner', '-loglevel', 'warning', '-nostats', '-nostdin', ...inputOptions, '-i', url,
    '-map', '0:v:0', '-vf', fitToScreen(size), ...PICTURE_OUT,
    '-map', '0:a:0', '-af', 'aresample=48000,aformat=sample_fmts=s16:channel_layouts=stereo', ...SOUND_OUT];
}

/** The slate at its own rate (paced: `-re`), and its silence. */
export function slateSourceArgs(slate: string, size: { width: number; height: number }): string[] {
  return ['-hide_banner', '-loglevel', 'warning', '-nostats', '-nostdin', '-re', '-f', 'lavfi', '-i', `${slate}[out0];anullsrc=r=48000:cl=stereo[out1]`,
    '-map', '0:v', '-vf', 'format=yuv420p,setsar=1', ...PICTURE_OUT, '-map', '0:a', ...SOUND_OUT];
}

/**
 * The mux's inputs are known (raw, their sizes given): no analysis. What an
 * analysis reads of a live pipe would stay queued ahead of every later
 * picture: two pictures read to analyse were two pictures' time on all.
 */
const RAW_INPUT = ['-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0'];

/**
 * The mux reads the sound 1024 samples at a time (ffmpeg's raw PCM packet)
 * and stamps a packet when its last sample has come: its first was heard that
 * much earlier.
 */
const SOUND_PACKET_S = 1024 / 48_000;
/**
 * The mux: pictures on stdin and sound on fd 3, each stamped with the wall
 * clock as it comes (one clock for both: lip sync as the sources gave them),
 * out in raw NUT on stdout from near zero, each packet as it comes (no wait to
 * interleave the two). Arrival times jitter (a feed's sound comes two or three
 * AAC frames at a time, a picture's time is rounded to the demuxer's rate), so
 * each goes through the graph engine's loops (smoothedVideoPts,
 * smoothedAudioPts, switch-plan.ts), which hold nothing back. Measured: on the
 * raw arrival times ffplay dropped 10 to 51 pictures in 6 s as late, and the
 * beep came 65-71 ms after its flash or 72 ms before it from run to run; with
 * the loops, no picture dropped and the beep within 8 ms of its flash.
 */
export function frameMuxArgs(size: { width: number; height: number }, fps: number, originS: number): string[] {
  return ['-hide_banner', '-loglevel', 'warning', '-nostats', '-nostdin', '-copyts',
    ...RAW_INPUT, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${size.width}x${size.height}`, '-framerate', String(fps), '-use_wallclock_as_timestamps', '1', '-i', 'pipe:0',
    ...RAW_INPUT, '-f', 's16le', '-ar', '48000', '-ac', '2', '-use_wallclock_as_timestamps', '1', '-itsoffset', String(-SOUND_PACKET_S), '-i', 'pipe:3',
    '-map', '0:v', '-vf', `settb=AVTB,${smoothedVideoPts(fps, 0)}`, ...RAW_OUT_THREADS, '-c:v', 'rawvideo', '-fps_mode:v', 'passthrough', '-enc_time_base:v', '1:90000',
    '-map', '1:a', '-af', smoothedAudioPts(0), ...RAW_OUT_THREADS, '-c:a', 'pcm_s16le',
    '-output_ts_offset', `-${originS.toFixed(3)}`, '-flush_packets', '1', '-max_interleave_delta', '1', '-f', 'nut', 'pipe:1'];
}

/** Cuts a byte stream into pictures of `size` bytes, each as the chunks' parts it is made of (no copy). */
export class PictureCutter {
  private parts: Buffer[] = [];
  private have = 0;

  constructor(private readonly size: number, private readonly onPicture: (parts: Buffer[]) => void) {}

  push(chunk: Buffer): void {
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(this.size - this.have, chunk.length - at);
      this.parts.push(chunk.subarray(at, at + take));
      this.have += take;
      at += take;
      if (this.have === this.size) {
        const parts = this.parts;
        this.parts = [];
        this.have = 0;
        this.onPicture(parts);
      }
    }
  }
}

interface Source {
  name: string;
  url: string | null;
  proc: ChildProcess;
  /** Sound bytes short of a whole sound frame. */
  rest: Buffer;
  /** When its last whole picture came (performance.now()), 0 before the first. */
  lastPictureAt: number;
  lastSoundAt: number;
  ended: boolean;
}

export class FrameSwitcher extends EventEmitter<RoomSwitcherEvents> implements SwitchProcess {
  private sources: Source[] = [];
  private mux: ChildProcess | null = null;
  private sink: ChildProcess | null = null;
  private onAir: number;
  private lastPicture: Buffer[] | null = null;
  private lastWriteAt = 0;
  private frames = 0;
  private readonly failed = new Set<string>();
  private readonly tail: string[] = [];
  private held: NodeJS.Timeout | null = null;
  private stopping = false;
  private exited = false;
  private readonly bytes: number;

  constructor(private readonly o: FrameSwitcherOptions) {
    super();
    if (o.size.width % 2 || o.size.height % 2) throw new Error(`the screen's size ${o.size.width}x${o.size.height} must be even both ways (yuv420p)`);
    if (o.initial < 0 || o.initial > o.feeds.length) throw new Error(`source ${o.initial} is not one of the ${o.feeds.length + 1} sources (the slate and ${o.feeds.length} feeds)`);
    this.onAir = o.initial;
    this.bytes = pictureBytes(o.size);
  }

  /** The mux's pid: the process whose output is the room's picture. */
  get pid(): number | undefined {
    return this.mux?.pid;
  }

  /** Every process it runs, by role (the slate, each feed's site, the mux, the sink): for a person, or a measure. */
  processIds(): Record<string, number> {
    const ids: Record<string, number> = {};
    for (const s of this.sources) if (s.proc.pid) ids[s.name] = s.proc.pid;
    if (this.mux?.pid) ids.mux = this.mux.pid;
    if (this.sink?.pid) ids.sink = this.sink.pid;
    return ids;
  }

  start(): void {
    const [sinkCmd, ...sinkArgs] = this.o.sink;
    const sink = spawn(sinkCmd!, sinkArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.sink = sink;
    sink.on('error', (err) => this.note(`sink: ${err.message}`));
    this.lines(sink.stderr, 'sink');
    sink.stdin?.on('error', () => undefined);
    const mux = spawn(this.o.ffmpeg, frameMuxArgs(this.o.size, this.o.fps, Date.now() / 1000), { stdio: ['pipe', sink.stdin!, 'pipe', 'pipe'] });
    this.mux = mux;
    // The mux writes into the sink's stdin itself; our end goes, so the sink sees the end when the mux exits.
    sink.stdin?.destroy();
    mux.on('error', (err) => this.note(`mux: ${err.message}`));
    this.lines(mux.stderr, 'mux');
    mux.stdin?.on('error', () => undefined);
    (mux.stdio[3] as Writable | null)?.on('error', () => undefined);

    this.sources = [this.spawnSource('slate', null, slateSourceArgs(this.o.slate, this.o.size))];
    this.o.feeds.forEach((f) => this.sources.push(this.spawnSource(f.site, f.url, feedDecoderArgs(f.url, this.o.size, this.o.inputOptions))));
    this.held = setInterval(() => this.holdPicture(), HELD_PICTURE_MS / 5);

    let open = 2;
    const closed = (): void => {
      open -= 1;
      // The picture is gone with either: everything else goes too.
      void this.stop();
      if (open === 0) this.finish(mux);
    };
    mux.on('close', () => {
      this.end(sink, 'SIGTERM');
      closed();
    });
    sink.on('close', closed);
  }

  private spawnSource(name: string, url: string | null, args: string[]): Source {
    const proc = spawn(this.o.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const source: Source = { name, url, proc, rest: Buffer.alloc(0), lastPictureAt: 0, lastSoundAt: 0, ended: false };
    const index = this.sources.length;
    const cutter = new PictureCutter(this.bytes, (parts) => this.picture(index, parts));
    proc.stdout!.on('data', (d: Buffer) => cutter.push(d));
    const sound = proc.stdio[3] as Readable;
    sound.on('data', (d: Buffer) => this.sound(index, d));
    sound.on('error', () => undefined);
    proc.on('error', (err) => this.note(`${name}: ${err.message}`));
    this.lines(proc.stderr, name);
    proc.on('close', (code, signal) => {
      source.ended = true;
      if (this.stopping) return;
      if (url === null) {
        // No slate, no silence to fill with: this switcher is done.
        this.note(`slate ended (${code ?? signal})`);
        void this.stop();
        return;
      }
      this.note(`${name}: ended (${code ?? signal})`);
      if (!this.failed.has(url)) {
        this.failed.add(url);
        this.emit('failed', url);
      }
    });
    return source;
  }

  private picture(index: number, parts: Buffer[]): void {
    const source = this.sources[index];
    if (source) source.lastPictureAt = performance.now();
    if (index !== this.onAir || this.stopping) return;
    this.write(parts);
  }

  private write(parts: Buffer[]): void {
    const stdin = this.mux?.stdin;
    if (!stdin || stdin.destroyed) return;
    this.lastPicture = parts;
    this.lastWriteAt = performance.now();
    // A mux that falls behind loses pictures here, not seconds of delay in a queue.
    if (stdin.writableLength > this.bytes) return;
    stdin.cork();
    for (const p of parts) stdin.write(p);
    stdin.uncork();
    this.frames += 1;
    this.emit('frames', this.frames);
  }

  private holdPicture(): void {
    if (this.stopping || !this.lastPicture || performance.now() - this.lastWriteAt < HELD_PICTURE_MS) return;
    this.write(this.lastPicture);
  }

  private sound(index: number, chunk: Buffer): void {
    const source = this.sources[index];
    if (!source) return;
    const all = source.rest.length ? Buffer.concat([source.rest, chunk]) : chunk;
    const whole = all.length - (all.length % SOUND_FRAME);
    source.rest = all.subarray(whole);
    if (whole === 0) return;
    const now = performance.now();
    source.lastSoundAt = now;
    const onAir = this.sources[this.onAir];
    const slateFills = index === 0 && (!onAir || now - onAir.lastSoundAt > SOUND_GAP_MS);
    if (index !== this.onAir && !slateFills) return;
    const out = this.mux?.stdio[3] as Writable | null | undefined;
    if (!out || out.destroyed || this.stopping || out.writableLength > SOUND_BACKLOG) return;
    out.write(all.subarray(0, whole));
  }

  /** Whether the feed of `site` gives pictures now (one within MOVING_MS): a switch to it shows it at once. */
  moving(site: string): boolean {
    const source = this.sources.find((s) => s.url !== null && s.name === site);
    return Boolean(source && !source.ended && source.lastPictureAt > 0 && performance.now() - source.lastPictureAt < MOVING_MS);
  }

  /** Puts source `index` on screen (0: the slate): from its next picture and its next sound. */
  select(index: number): boolean {
    if (this.exited || this.stopping || !this.mux || index < 0 || index >= this.sources.length) return false;
    this.onAir = index;
    return true;
  }

  private lines(stream: Readable | null, name: string): void {
    eachLine(stream, (line) => line.trim() && this.note(`${name}: ${line}`));
  }

  private note(line: string): void {
    this.tail.push(line.slice(0, 300));
    if (this.tail.length > 8) this.tail.shift();
  }

  private finish(mux: ChildProcess): void {
    const others = this.sources.filter((s) => !s.ended).map((s) => new Promise<void>((r) => s.proc.once('close', () => r())));
    void Promise.all(others).then(() => {
      if (this.exited) return;
      this.exited = true;
      this.emit('exit', { code: mux.exitCode, signal: mux.signalCode, failed: [...this.failed], tail: [...this.tail] });
    });
  }

  private end(child: ChildProcess | null, signal: NodeJS.Signals): void {
    if (child) endChild(child, signal, this.o.killTimeoutMs ?? 1500);
  }

  /** Ends every process; resolves once all are gone. */
  async stop(): Promise<void> {
    if (!this.mux || this.exited) return;
    const gone = new Promise<void>((resolve) => (this.exited ? resolve() : this.once('exit', () => resolve())));
    if (!this.stopping) {
      this.stopping = true;
      if (this.held) clearInterval(this.held);
      for (const s of this.sources) this.end(s.proc, 'SIGTERM');
      // The mux sees the end of its inputs and ends; the sink, the end of its.
      this.mux.stdin?.end();
      (this.mux.stdio[3] as Writable | null)?.end();
      this.end(this.mux, 'SIGTERM');
    }
    await gone;
  }
}
