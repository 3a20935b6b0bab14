/**
 * A room display that switches sites without a black frame: one ffmpeg
 * decodes every feed it may need at once (for 3 sites, the 2 others: a
 * display never shows its own room) and `streamselect` / `astreamselect`
 * pick the one on screen. A switch is a filter command written to ffmpeg's
 * standard input (its `c` key: "send a command to the first matching
 * filter"), so the new picture is the next decoded frame of a feed that is
 * already buffered: no new process, no new connection, no key-frame wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { eachLine } from '../util/lines.js';

export interface SwitcherFeed {
  site: string;
  url: string;
}

export interface SwitcherPlan {
  feeds: readonly SwitcherFeed[];
  /** Which feed is on screen at start. */
  initial: string;
  /** Options before each input (e.g. low-delay flags). */
  inputOptions: readonly string[];
  /**
   * The outputs, given the labels of the selected picture and sound: the
   * display sink, e.g. `(v, a) => ['-map', v, '-map', a, '-f', 'nut', '-c:v', 'rawvideo', 'pipe:1']`
   * piped to a player, or `-f xv` plus `-f alsa` for a screen and a sound card.
   */
  output: (video: string, audio: string) => string[];
}

/**
 * Default input options: no buffering beyond what SRT's own latency already holds.
 * `noparse`: the MPEG-TS demuxer hands each picture's PES (the box writes its length)
 * straight to the decoder; through ffmpeg's H.264 parser a picture is only known to be
 * whole when the next one begins, one frame later (33 ms at 30 fps).
 */
export const LOW_DELAY_INPUT = ['-fflags', 'nobuffer+noparse', '-flags', 'low_delay', '-probesize', '500000', '-analyzeduration', '1000000'];

/**
 * The room switcher's feeds: a short analysis, and each packet stamped with the wall clock at
 * arrival. ffmpeg opens its inputs one after the other, and what a feed sends while the later ones
 * are opened waits in its SRT buffer; on the feeds' own clocks streamselect kept that feed's picture
 * that much behind (docs/benchmarks.md, "Through the room display's switcher"); on the wall clock
 * the backlog is a burst the output drops (switch-plan.ts, WALL). The picture's size comes from
 * the first decoded picture, not from the analysis.
 */
export const SWITCHER_INPUT = [...LOW_DELAY_INPUT, '-analyzeduration', '100000', '-probesize', '32768', '-thread_queue_size', '64', '-use_wallclock_as_timestamps', '1'];

/** The ffmpeg argv (without the binary) of a switching display. */
export function switcherArgs(plan: SwitcherPlan): string[] {
  const n = plan.feeds.length;
  if (n < 1) throw new Error('a switching display needs at least one feed');
  const initial = plan.feeds.findIndex((f) => f.site === plan.initial);
  if (initial < 0) throw new Error(`the initial site ${plan.initial} is not one of the feeds (${plan.feeds.map((f) => f.site).join(', ')})`);
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats'];
  for (const feed of plan.feeds) args.push(...plan.inputOptions, '-i', feed.url);
  const v = plan.feeds.map((_, i) => `[${i}:v:0]`).join('');
  const a = plan.feeds.map((_, i) => `[${i}:a:0]`).join('');
  const graph = `${v}streamselect=inputs=${n}:map=${initial}[v];${a}astreamselect=inputs=${n}:map=${initial}[a]`;
  args.push('-filter_complex', graph, ...plan.output('[v]', '[a]'));
  return args;
}

/**
 * What to write on ffmpeg's stdin to put feed `index` on screen: one line (`C`: to every filter that
 * takes a `map` command, i.e. streamselect and astreamselect), so picture and sound change at the same
 * poll. ffmpeg reads one command line per 100 ms: two lines put the sound 100 ms behind the picture.
 */
export function switchCommand(index: number): string {
  return `Call -1 map ${index}\n`;
}

export interface SwitchingDisplayEvents {
  /** A process started (again, after an exit: a feed that could not be reached, a dropped connection). */
  spawn: [pid: number | undefined];
  exit: [code: number | null, signal: NodeJS.Signals | null];
  stderr: [line: string];
}

/** One switching ffmpeg. Its stdout is the display sink's (for a pipe output). */
export class SwitchingDisplay extends EventEmitter<SwitchingDisplayEvents> {
  private child: ChildProcess | null = null;
  private current: string;
  private stopped = false;
  private respawnTimer: NodeJS.Timeout | null = null;
  private delayMs: number;

  constructor(
    private readonly plan: SwitcherPlan,
    private readonly binary = 'ffmpeg',
    /** First delay before starting again after an exit; doubles up to 5 s. */
    private readonly respawnMs = 500,
  ) {
    super();
    this.current = plan.initial;
    this.delayMs = respawnMs;
  }

  get onScreen(): string {
    return this.current;
  }

  get stdout(): NodeJS.ReadableStream | null {
    return this.child?.stdout ?? null;
  }

  /** Starts the process; it is started again after an exit until `stop()`, on the site last selected. */
  start(): void {
    this.stopped = false;
    const child = spawn(this.binary, switcherArgs({ ...this.plan, initial: this.current }), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.emit('spawn', child.pid);
    eachLine(child.stderr, (line) => line.trim() && this.emit('stderr', line));
    child.stdin?.on('error', () => undefined);
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      this.emit('exit', code, signal);
      if (this.child !== child || this.stopped) return;
      this.child = null;
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = null;
        if (!this.stopped) this.start();
      }, this.delayMs);
      this.delayMs = Math.min(5000, this.delayMs * 2);
    });
  }

  /** Puts `site` on screen at once; false when it is not one of the feeds or the process is gone. */
  select(site: string): boolean {
    const index = this.plan.feeds.findIndex((f) => f.site === site);
    const stdin = this.child?.stdin;
    if (index < 0 || !stdin || stdin.destroyed) return false;
    stdin.write(switchCommand(index));
    this.current = site;
    return true;
  }

  /** `q` asks ffmpeg to finish cleanly; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdin?.write('q');
    await gone;
    clearTimeout(timer);
  }
}
