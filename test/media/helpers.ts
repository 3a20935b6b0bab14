/** Shared bits of the media tests: ports, temp dirs, waiting, ffprobe. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MPEGTS_MUX_OPTIONS } from '../../src/media/command.js';

export const SECRET = 'test-secret-0123456789abcdef';

export { quietLogger } from '../helpers/log.js';

export { freePort } from '../helpers/ports.js';

/**
 * The ffmpeg argv of a test site's feed, packed as a box packs it: a paced lavfi picture (`video`,
 * 160x90, a key frame a second) and a `toneHz` tone, H.264 and AAC in MPEG-TS to `target`.
 */
export function testFeedArgs(o: { video: string; toneHz: number; fps: number; target: string; seconds?: number }): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', o.video, '-re', '-f', 'lavfi', '-i', `sine=frequency=${o.toneHz}:sample_rate=48000`,
    ...(o.seconds === undefined ? [] : ['-t', String(o.seconds)]),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(o.fps), '-b:v', '200k', '-c:a', 'aac', '-b:a', '64k', ...MPEGTS_MUX_OPTIONS, '-f', 'mpegts', o.target];
}

export async function tempDir(prefix = 'relais-media-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Resolves when `predicate` holds, checked on each `event`; rejects after `timeoutMs`. */
export function waitForEvent<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  predicate: (...args: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const listener = (...args: unknown[]): void => {
      if (!predicate(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    };
    emitter.on(event, listener);
  });
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
}

/** ffprobe of a live URL (bounded by `-read_intervals` and a kill timeout). */
export function ffprobeStreams(url: string, timeoutMs = 10_000): Promise<ProbedStream[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', '-rw_timeout', '5000000', '-show_entries', 'stream=codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate', '-of', 'json', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`ffprobe ${url} failed (${code}): ${err.trim().slice(-300)}`));
      try {
        resolve((JSON.parse(out) as { streams: ProbedStream[] }).streams);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

/** Whether a pid is alive (signal 0). */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export { freeUdpBlock } from '../../bench/ports.js';

/** Whether some process has a UDP socket bound to `port` (an SRT listener is up), from /proc/net/udp. */
export function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/udp', '/proc/net/udp6'].some((file) => {
    try {
      return readFileSync(file, 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex));
    } catch {
      return false;
    }
  });
}
