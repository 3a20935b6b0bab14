/**
 * The ffmpeg edge: the only module that imports fluent-ffmpeg. The live
 * encoder runs through fluent-ffmpeg; short one-off runs (version, filters,
 * trial encodes, first-frame probes) use a plain bounded spawn here. The
 * long-running pipelines whose stdio is wired to other processes spawn ffmpeg
 * themselves, with their argv built in pure modules: the room display
 * (room-switcher.ts, frame-switcher.ts, switcher.ts, display.ts) and the
 * relay's WebRTC preview (whep.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import type { EncoderPlan } from './command.js';
import { ProgressParser, type ProgressSample } from './progress.js';
import { t } from '../i18n/index.js';

/** `RELAIS_FFMPEG`, then the configured path, then `ffmpeg` from PATH. */
export function ffmpegBinary(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.RELAIS_FFMPEG || configured || 'ffmpeg';
}

/** Resolves a bare command name through PATH to an absolute file, or null. */
export function resolveBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return executable(name) ? path.resolve(name) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return null;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the binary could not be started at all (ENOENT, EACCES). */
  spawnError: string | null;
}

const OUTPUT_LIMIT = 256 * 1024;

/** Runs a short ffmpeg job to completion, killed after `timeoutMs`. */
export function runFfmpeg(binary: string, args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | null = null;
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-OUTPUT_LIMIT);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = `${binary}: ${err.code ?? err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, spawnError });
    });
  });
}

/** A one-off player's watch on a feed: how long until it decodes a picture, and a handle to stop it. */
export interface FirstFrameWatch {
  /** Milliseconds from the start to the first decoded picture, or null if none came within the time allowed. */
  readonly result: Promise<number | null>;
  /** Stops the player at once (the result is then null, unless a picture already came). */
  stop(): void;
}

/**
 * Plays `url` until its first video picture is decoded, for at most
 * `timeoutMs`. The picture is told by its bytes on stdout, not by ffmpeg's
 * exit status: a player that joins a feed between two key frames counts an
 * error for every packet before the first one, and past `-max_error_rate`
 * (2/3 by default) ffmpeg exits with a failure after decoding the picture
 * it was asked for.
 */
export function watchFirstFrame(binary: string, url: string, timeoutMs: number, inputOptions: readonly string[] = []): FirstFrameWatch {
  const started = performance.now();
  const child = spawn(binary, ['-hide_banner', '-loglevel', 'quiet', ...inputOptions, '-i', url, '-map', '0:v:0', '-frames:v', '1', '-vf', 'scale=16:16', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let settle: (ms: number | null) => void = () => undefined;
  const result = new Promise<number | null>((resolve) => {
    let done = false;
    settle = (ms) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(ms);
    };
    const timer = setTimeout(() => settle(null), timeoutMs);
    child.stdout.once('data', () => settle(Math.round(performance.now() - started)));
    child.on('error', () => settle(null));
    child.on('close', () => settle(null));
  });
  return { result, stop: () => settle(null) };
}

/** First line of `ffmpeg -version`, e.g. `ffmpeg version 5.1.6-0+deb12u1`. */
export async function ffmpegVersion(binary: string): Promise<string> {
  const result = await runFfmpeg(binary, ['-hide_banner', '-version'], 10_000);
  if (result.spawnError) throw new Error(t('setup.ffmpegCannotRun', { reason: String(result.spawnError) }));
  const first = result.stdout.split('\n')[0]?.trim() ?? '';
  const match = /^ffmpeg version (\S+)/.exec(first);
  if (!match) throw new Error(t('setup.ffmpegNotFfmpeg', { binary, first: first.slice(0, 80) }));
  return match[1] ?? first;
}

/** How an encoder process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The binary could not be started (missing, not executable). */
  spawnError: string | null;
  /** Last lines ffmpeg wrote to stderr: the reason, usually. */
  stderrTail: string[];
}

export interface EncoderProcessEvents {
  progress: [sample: ProgressSample];
  stderr: [line: string];
  exit: [info: ExitInfo];
}

/** A running encoder, as the supervisor sees it. */
export interface EncoderProcess extends EventEmitter<EncoderProcessEvents> {
  readonly pid: number | undefined;
  readonly exited: boolean;
  /** How it ended, once it has (also when that happened before anyone listened). */
  readonly exitInfo: ExitInfo | null;
  kill(signal: NodeJS.Signals): void;
}

/** The part of fluent-ffmpeg's command object that is not in its typings. */
interface CommandWithProcess {
  ffmpegProc?: ChildProcess;
}

class FluentEncoderProcess extends EventEmitter<EncoderProcessEvents> implements EncoderProcess {
  exited = false;
  exitInfo: ExitInfo | null = null;
  private child: ChildProcess | null = null;
  private readonly tail: string[] = [];

  get pid(): number | undefined {
    return this.child?.pid;
  }

  attach(child: ChildProcess): void {
    this.child = child;
    const parser = new ProgressParser((sample) => this.emit('progress', sample));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => parser.push(d));
    child.on('exit', (code, signal) => this.finish({ code, signal, spawnError: null, stderrTail: [...this.tail] }));
  }

  stderrLine(line: string): void {
    if (!line.trim()) return;
    this.tail.push(line);
    if (this.tail.length > 20) this.tail.shift();
    this.emit('stderr', line);
  }

  finish(info: ExitInfo): void {
    if (this.exited) return;
    this.exited = true;
    this.exitInfo = info;
    this.emit('exit', info);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exited || !this.child) return;
    try {
      this.child.kill(signal);
    } catch {
      // already gone: the exit event follows
    }
  }
}

// fluent-ffmpeg keeps the binary path in a module-wide cache; launches are
// serialised until each process has spawned so one path never leaks into
// another launch.
let launchChain: Promise<void> = Promise.resolve();

/**
 * Starts the encoder of `plan` through fluent-ffmpeg. Resolves once the
 * process is spawned (or failed to spawn: the handle then emits `exit` with
 * `spawnError`).
 */
export function launchEncoder(binary: string, plan: EncoderPlan): Promise<EncoderProcess> {
  const handle = new FluentEncoderProcess();
  const launched = launchChain.then(
    () =>
      new Promise<EncoderProcess>((resolve) => {
        const command = ffmpeg({ stdoutLines: 20 });
        command.setFfmpegPath(binary);
        plan.inputs.forEach((input, i) => {
          command.input(input.source);
          const options = i === 0 ? [...plan.globalArgs, ...input.options] : input.options;
          command.inputOptions(options);
        });
        command.output(plan.target).outputOptions(plan.outputOptions);
        let started = false;
        command.on('start', () => {
          started = true;
          const child = (command as unknown as CommandWithProcess).ffmpegProc;
          if (child) {
            handle.attach(child);
            child.on('error', (err: NodeJS.ErrnoException) => {
              handle.finish({ code: null, signal: null, spawnError: `${binary}: ${err.code ?? err.message}`, stderrTail: [] });
            });
          }
          resolve(handle);
        });
        command.on('stderr', (line: string) => handle.stderrLine(line));
        command.on('error', (err: Error) => {
          // Exit codes and signals arrive through the child's own exit event;
          // this only matters when ffmpeg never started (missing binary, a
          // format fluent-ffmpeg's capability check rejects).
          if (!started) {
            handle.finish({ code: null, signal: null, spawnError: err.message, stderrTail: [] });
            resolve(handle);
          }
        });
        command.run();
      }),
  );
  launchChain = launched.then(
    () => undefined,
    () => undefined,
  );
  return launched;
}
