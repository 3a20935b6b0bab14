/**
 * One switching display process and its sink: ffmpeg (switch-plan.ts's argv)
 * writes the picture and sound as raw NUT straight into the sink player's
 * stdin (ffplay or mpv on the room's screen: KMS/DRM or the desktop, as the
 * single player does), takes switch commands (over ZeroMQ when its graph has
 * the control filters, else on its stdin: switch-control.ts) and tells its
 * output's frame count on fd 3. It does not restart itself: the display
 * (switched-display.ts) decides what the next process decodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { eachLine } from '../util/lines.js';
import { ZmqSwitch, type ControlEndpoints } from './switch-control.js';
import { failedInput } from './switch-plan.js';
import { switchCommand } from './switcher.js';

export interface RoomSwitcherExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Feed URLs ffmpeg named as failed (a read that timed out, a connection refused). */
  failed: string[];
  /** The last lines of its log, for a person (may hold URLs: not for the site's state). */
  tail: string[];
}

export interface RoomSwitcherEvents {
  /** The output's frame count went up (every progress period while the picture moves). */
  frames: [count: number];
  /** ffmpeg named a feed URL as failed; the process goes on without its picture (the graph pads it). */
  failed: [url: string];
  exit: [info: RoomSwitcherExit];
}

/** Sends `signal` to `child` unless it is gone, then SIGKILL after `graceMs` if it is still there. */
export function endChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill(signal);
  } catch {
    // gone already
  }
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  child.once('close', () => clearTimeout(timer));
}

/** What the display drives: this graph switcher, or the switch between whole pictures (frame-switcher.ts). */
export interface SwitchProcess extends EventEmitter<RoomSwitcherEvents> {
  readonly pid: number | undefined;
  start(): void;
  /** Puts source `index` on screen (0: the slate); false when it cannot be asked. */
  select(index: number): boolean;
  /** Ends its processes; resolves once all are gone. */
  stop(): Promise<void>;
  /** Whether one feed gives pictures now, where the process knows it feed by feed. */
  moving?(site: string): boolean;
}

export interface RoomSwitcherOptions {
  ffmpeg: string;
  args: readonly string[];
  /** Player argv reading NUT on stdin. */
  sink: readonly string[];
  /** The feed URLs, to recognise the one ffmpeg names when it fails. */
  urls: readonly string[];
  /** Grace after `q` (ffmpeg) and SIGTERM (sink) before SIGKILL. */
  killTimeoutMs?: number;
  /** The control filters' sockets, when `args` has them (roomSwitcherArgs with `control`). */
  control?: ControlEndpoints | null;
}

export class RoomSwitcher extends EventEmitter<RoomSwitcherEvents> implements SwitchProcess {
  private ffmpeg: ChildProcess | null = null;
  private sink: ChildProcess | null = null;
  private frames = 0;
  private readonly failed = new Set<string>();
  private readonly tail: string[] = [];
  private exited = false;
  private zmq: ZmqSwitch | null = null;

  constructor(private readonly o: RoomSwitcherOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.ffmpeg?.pid;
  }

  start(): void {
    const [sinkCmd, ...sinkArgs] = this.o.sink;
    const sink = spawn(sinkCmd!, sinkArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.sink = sink;
    sink.on('error', (err) => this.note(`sink: ${err.message}`));
    sink.stderr?.setEncoding('utf8').on('data', (d: string) => this.note(`sink: ${d.trim()}`));
    sink.stdin?.on('error', () => undefined);
    // ffmpeg writes into the sink's stdin itself: no copy through this process.
    const ff = spawn(this.o.ffmpeg, [...this.o.args], { stdio: ['pipe', sink.stdin!, 'pipe', 'pipe'] });
    this.ffmpeg = ff;
    if (this.o.control) this.zmq = new ZmqSwitch(this.o.control);
    // Our end of the sink's stdin goes: the sink sees the end when ffmpeg exits.
    sink.stdin?.destroy();
    ff.on('error', (err) => this.note(`ffmpeg: ${err.message}`));
    ff.stdin?.on('error', () => undefined);
    eachLine(ff.stderr, (line) => this.line(line));
    const progress = ff.stdio[3] as Readable | null;
    eachLine(progress, (line) => {
      const m = /^frame=(\d+)/.exec(line);
      if (m && Number(m[1]) > this.frames) {
        this.frames = Number(m[1]);
        this.emit('frames', this.frames);
      }
    });
    progress?.on('error', () => undefined);
    let ffExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let sinkGone = false;
    const done = (): void => {
      if (!ffExit || !sinkGone || this.exited) return;
      this.exited = true;
      this.zmq?.close();
      this.emit('exit', { ...ffExit, failed: [...this.failed], tail: [...this.tail] });
    };
    ff.on('close', (code, signal) => {
      ffExit = { code, signal };
      // The sink has nothing more to show: it ends at the end of its input, or is told to.
      this.end(sink, 'SIGTERM');
      done();
    });
    sink.on('close', () => {
      sinkGone = true;
      // A sink that died takes the picture with it: ffmpeg goes too (a broken pipe, or this).
      this.end(ff, 'SIGTERM');
      done();
    });
  }

  private line(line: string): void {
    if (!line.trim()) return;
    const url = failedInput(line, this.o.urls);
    if (url && !this.failed.has(url)) {
      this.failed.add(url);
      this.emit('failed', url);
    }
    this.note(line);
  }

  private note(line: string): void {
    this.tail.push(line.slice(0, 300));
    if (this.tail.length > 8) this.tail.shift();
  }

  /**
   * Puts input `index` on screen (0: the slate): over ZeroMQ, picture and
   * sound each at its next frame; on stdin, both at ffmpeg's next poll. A
   * ZeroMQ command that is refused or not answered is written on stdin too.
   */
  select(index: number): boolean {
    const stdin = this.ffmpeg?.stdin;
    if (!stdin || stdin.destroyed || this.exited) return false;
    const byStdin = (): void => {
      if (!stdin.destroyed && !this.exited) stdin.write(switchCommand(index));
    };
    if (!this.zmq) {
      byStdin();
      return true;
    }
    this.zmq.select(index).then(
      (reply) => {
        if (reply.video.startsWith('0 ') && reply.audio.startsWith('0 ')) return;
        this.note(`switch control: ${reply.video} / ${reply.audio}`);
        byStdin();
      },
      (err: Error) => {
        if (this.exited) return;
        this.note(`switch control: ${err.message}`);
        byStdin();
      },
    );
    return true;
  }

  private end(child: ChildProcess, signal: NodeJS.Signals): void {
    endChild(child, signal, this.o.killTimeoutMs ?? 1500);
  }

  /** Ends both processes; resolves once both are gone. */
  async stop(): Promise<void> {
    const ff = this.ffmpeg;
    if (!ff || this.exited) return;
    const gone = new Promise<void>((resolve) => (this.exited ? resolve() : this.once('exit', () => resolve())));
    if (ff.stdin && !ff.stdin.destroyed) ff.stdin.write('q');
    this.end(ff, 'SIGTERM');
    await gone;
  }
}
