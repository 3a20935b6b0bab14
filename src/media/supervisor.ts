/**
 * Keeps one encoder process alive: restarts it with growing delays when it
 * dies or stalls, stops it politely (SIGINT, then SIGKILL), and keeps the live
 * figures parsed from its progress output.
 *
 *   idle --start()--> starting --first new frame--> live
 *   starting/live --exit or stall--> restarting --delay--> starting
 *   any --binary missing / too many failures--> failed
 *   any --stop()--> idle
 */
import { EventEmitter } from 'node:events';
import type { EncoderName } from './config.js';
import type { EncoderProcess, ExitInfo } from './ffmpeg.js';
import type { ProgressSample } from './progress.js';

export type SupervisorState = 'idle' | 'starting' | 'live' | 'restarting' | 'failed';

/** Live figures of the encoder, as reported in the site's state. */
export interface EncoderFigures {
  state: SupervisorState;
  /** The encoder, or the program the supervisor keeps alive (`srt-live-transmit`, `remux`). */
  encoder: EncoderName | string | null;
  pid: number | null;
  fps: number;
  bitrateKbps: number | null;
  speed: number | null;
  frames: number;
  dropFrames: number;
  dupFrames: number;
  restarts: number;
  /** ISO time the current process went live. */
  liveSince: string | null;
  lastExit: string | null;
}

export interface SupervisorEvents {
  state: [state: SupervisorState, previous: SupervisorState];
  /** A process was spawned (`attempt` counts from 1 since the last stable period). */
  spawn: [pid: number | undefined, attempt: number];
  /** The process ended on its own or was killed for a stall. */
  crash: [info: ExitInfo, reason: string];
  stall: [silentMs: number];
  figures: [figures: EncoderFigures];
}

export interface SupervisorOptions {
  /** Starts one process; called again for each restart (so URLs are re-signed). */
  launch: () => Promise<EncoderProcess>;
  encoder: EncoderName | string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Live this long: the restart delay goes back to `initialDelayMs`. */
  stableAfterMs?: number;
  /** No new frame for this long: the process is killed and restarted. */
  stallTimeoutMs?: number;
  /** SIGINT, then SIGKILL after this long. */
  killTimeoutMs?: number;
  /** Restarts without reaching a stable period before giving up (default: never give up). */
  maxConsecutiveFailures?: number;
  /** How often the stall check runs and `figures` is emitted. */
  tickMs?: number;
  now?: () => number;
}

/** Supervises one encoder process. Create one per feed. */
export class EncoderSupervisor extends EventEmitter<SupervisorEvents> {
  private current: SupervisorState = 'idle';
  private proc: EncoderProcess | null = null;
  private wanted = false;
  private failures = 0;
  private restarts = 0;
  private delayTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastFrame = 0;
  private lastAdvanceAt = 0;
  private liveSince: number | null = null;
  private lastSample: ProgressSample | null = null;
  private lastExit: string | null = null;
  /** The current process is being replaced on purpose: its exit is no failure. */
  private replacing = false;
  private readonly o: Required<Omit<SupervisorOptions, 'launch' | 'encoder' | 'now'>>;
  private readonly now: () => number;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.o = {
      initialDelayMs: options.initialDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 15_000,
      stableAfterMs: options.stableAfterMs ?? 30_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 5000,
      killTimeoutMs: options.killTimeoutMs ?? 3000,
      maxConsecutiveFailures: options.maxConsecutiveFailures ?? Number.POSITIVE_INFINITY,
      tickMs: options.tickMs ?? 1000,
    };
    this.now = options.now ?? Date.now;
  }

  get state(): SupervisorState {
    return this.current;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Delay before restart number `failures` (1-based): doubles, capped. */
  static delayFor(failures: number, initialMs: number, maxMs: number): number {
    return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
  }

  figures(): EncoderFigures {
    const s = this.lastSample;
    const running = this.current === 'live' || this.current === 'starting';
    return {
      state: this.current,
      encoder: this.options.encoder,
      pid: this.proc?.pid ?? null,
      fps: running && s ? s.fps : 0,
      bitrateKbps: running && s ? s.bitrateKbps : null,
      speed: running && s ? s.speed : null,
      frames: s?.frame ?? 0,
      dropFrames: s?.dropFrames ?? 0,
      dupFrames: s?.dupFrames ?? 0,
      restarts: this.restarts,
      liveSince: this.liveSince === null ? null : new Date(this.liveSince).toISOString(),
      lastExit: this.lastExit,
    };
  }

  /** Starts the encoder; resolves once the first process is spawned. */
  async start(): Promise<void> {
    if (this.wanted) return;
    this.wanted = true;
    this.failures = 0;
    this.tickTimer = setInterval(() => this.tick(), this.o.tickMs);
    await this.spawnOnce();
  }

  /** Stops the encoder: SIGINT, SIGKILL after the timeout; resolves when it is gone. */
  async stop(): Promise<void> {
    this.wanted = false;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.delayTimer = null;
    this.tickTimer = null;
    const proc = this.proc;
    if (proc && !proc.exited) await terminate(proc, this.o.killTimeoutMs);
    this.proc = null;
    this.liveSince = null;
    this.setState('idle');
  }

  /**
   * Replaces the running process at once (new settings: `launch` is called
   * again): SIGINT, and the next one starts without a delay. Not counted as a
   * failure or a restart.
   */
  replace(): void {
    const proc = this.proc;
    if (!this.wanted || !proc || proc.exited) return;
    this.replacing = true;
    proc.kill('SIGINT');
  }

  private setState(next: SupervisorState): void {
    if (next === this.current) return;
    const previous = this.current;
    this.current = next;
    this.emit('state', next, previous);
  }

  private async spawnOnce(): Promise<void> {
    this.setState('starting');
    this.lastSample = null;
    this.lastFrame = 0;
    this.lastAdvanceAt = this.now();
    let proc: EncoderProcess;
    try {
      proc = await this.options.launch();
    } catch (err) {
      this.onExit(null, { code: null, signal: null, spawnError: (err as Error).message, stderrTail: [] });
      return;
    }
    if (!this.wanted) {
      await terminate(proc, this.o.killTimeoutMs);
      return;
    }
    this.proc = proc;
    proc.on('progress', (sample) => this.onProgress(proc, sample));
    proc.on('exit', (info) => this.onExit(proc, info));
    if (proc.exitInfo) {
      // It ended before we listened (spawn error).
      this.onExit(proc, proc.exitInfo);
      return;
    }
    this.emit('spawn', proc.pid, this.failures + 1);
  }

  private onProgress(proc: EncoderProcess, sample: ProgressSample): void {
    if (proc !== this.proc) return;
    this.lastSample = sample;
    if (sample.frame > this.lastFrame) {
      this.lastFrame = sample.frame;
      this.lastAdvanceAt = this.now();
      if (this.current === 'starting') {
        this.liveSince = this.now();
        this.setState('live');
        this.emit('figures', this.figures());
      }
    }
  }

  private onExit(proc: EncoderProcess | null, info: ExitInfo): void {
    if (proc && proc !== this.proc) return;
    this.proc = null;
    if (!this.wanted) return;
    if (this.replacing) {
      this.replacing = false;
      this.liveSince = null;
      void this.spawnOnce();
      return;
    }
    const wasStable = this.liveSince !== null && this.now() - this.liveSince >= this.o.stableAfterMs;
    this.liveSince = null;
    if (wasStable) this.failures = 0;
    this.failures += 1;
    const reason = describeExit(info);
    this.lastExit = reason;
    this.emit('crash', info, reason);
    if (info.spawnError && /ENOENT|EACCES|Cannot find ffmpeg/i.test(info.spawnError)) {
      this.fail();
      return;
    }
    if (this.failures > this.o.maxConsecutiveFailures) {
      this.fail();
      return;
    }
    this.restarts += 1;
    this.setState('restarting');
    const delay = EncoderSupervisor.delayFor(this.failures, this.o.initialDelayMs, this.o.maxDelayMs);
    this.delayTimer = setTimeout(() => {
      this.delayTimer = null;
      if (this.wanted) void this.spawnOnce();
    }, delay);
  }

  private fail(): void {
    this.wanted = false;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.setState('failed');
    this.emit('figures', this.figures());
  }

  private tick(): void {
    const proc = this.proc;
    if (proc && !proc.exited && (this.current === 'live' || this.current === 'starting')) {
      const silent = this.now() - this.lastAdvanceAt;
      // A starting encoder gets twice the time: device open and RTMP handshake.
      const limit = this.current === 'live' ? this.o.stallTimeoutMs : this.o.stallTimeoutMs * 2;
      if (silent >= limit) {
        this.emit('stall', silent);
        // A stalled (e.g. stopped) process cannot act on SIGINT: kill outright.
        proc.kill('SIGKILL');
      }
    }
    if (this.current === 'live' && this.liveSince !== null && this.failures > 0 && this.now() - this.liveSince >= this.o.stableAfterMs) {
      this.failures = 0;
    }
    this.emit('figures', this.figures());
  }
}

/** One line for logs and the state: `exit code 1: Connection refused`. */
export function describeExit(info: ExitInfo): string {
  if (info.spawnError) return `could not start: ${info.spawnError}`;
  const how = info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
  const last = info.stderrTail.at(-1);
  return last ? `${how}: ${last.slice(0, 200)}` : how;
}

/** SIGINT, then SIGKILL if still alive after `timeoutMs`; resolves on exit. */
export function terminate(proc: EncoderProcess, timeoutMs: number): Promise<void> {
  if (proc.exited) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // A stopped process would never see SIGINT; wake it first.
    proc.kill('SIGCONT');
    proc.kill('SIGINT');
  });
}
