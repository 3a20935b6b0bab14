/**
 * Chooses the H.264 encoder by a real trial encode of a few frames, in the
 * order of {@link ENCODER_NAMES}. Being listed by `ffmpeg -encoders` proves
 * nothing (Debian's ffmpeg lists nvenc, qsv and vaapi on machines without the
 * hardware), so each candidate must actually encode.
 *
 * The result is remembered in a small JSON file keyed by the ffmpeg binary's
 * absolute path and version: a new ffmpeg or a different binary probes again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Logger } from '../util/log.js';
import { ENCODER_NAMES, type EncoderName } from './config.js';
import { boardInfo, encoderArgs } from './encoders.js';
import { ffmpegBinary, ffmpegVersion, resolveBinary, runFfmpeg } from './ffmpeg.js';
import { t } from '../i18n/index.js';

/** Where the device tree names the board. */
export const MODEL_PATHS = ['/proc/device-tree/model', '/sys/firmware/devicetree/base/model'];

export function defaultProbeCache(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'relais', 'encoder-probe.json');
}

export interface TrialResult {
  encoder: EncoderName;
  ok: boolean;
  /** Why it failed (the last lines of ffmpeg's error output), or `encoded N frames`. */
  reason: string;
  ms: number;
}

export interface ProbeResult {
  /** The encoder to use. */
  encoder: EncoderName;
  binary: string;
  version: string;
  board: string | null;
  note: string | null;
  trials: TrialResult[];
  /** True when this came from the cache file rather than from trials just now. */
  cached: boolean;
  at: string;
}

export interface ProbeOptions {
  /** ffmpeg binary; default `RELAIS_FFMPEG` or `ffmpeg` from PATH. */
  binary?: string;
  /** Cache file; `null` disables the cache. */
  cacheFile?: string | null;
  /** Device-tree model files to read (injectable for tests). */
  modelPaths?: readonly string[];
  candidates?: readonly EncoderName[];
  /** Try every candidate (for the report of `relais media probe`), not only up to the first that works. */
  all?: boolean;
  /** Ignore the cache (the result is still written to it). */
  fresh?: boolean;
  timeoutMs?: number;
  vaapiDevice?: string;
  log?: Logger;
}

export function readBoardModel(paths: readonly string[] = MODEL_PATHS): string | null {
  for (const file of paths) {
    try {
      const text = readFileSync(file, 'utf8').replace(/\0/g, '').trim();
      if (text) return text;
    } catch {
      // not a device-tree machine, or not this path
    }
  }
  return null;
}

function failureReason(stderr: string, fallback: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^Conversion failed!?$/.test(l) && !/^Error (while )?(opening|initializing) output stream/i.test(l));
  const tail = lines.slice(-2).join(' / ');
  return (tail || fallback).slice(0, 240);
}

/** One trial encode of 8 small frames to nowhere. */
export async function trialEncode(binary: string, encoder: EncoderName, timeoutMs = 10_000, vaapiDevice?: string): Promise<TrialResult> {
  const started = Date.now();
  const enc = encoderArgs(encoder, { fps: 25, bitrateKbps: 500, keyframeSeconds: 1, x264Preset: 'ultrafast', vaapiDevice });
  const args = [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    ...enc.globalArgs,
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-frames:v', '8',
    '-vf', enc.filters.join(','),
    ...enc.outputArgs,
    '-f', 'null', '-',
  ];
  const result = await runFfmpeg(binary, args, timeoutMs);
  const ms = Date.now() - started;
  if (result.spawnError) return { encoder, ok: false, reason: t('setup.trialSpawn', { reason: String(result.spawnError) }), ms };
  if (result.timedOut) return { encoder, ok: false, reason: t('setup.trialTimeout', { ms: timeoutMs }), ms };
  if (result.code === 0) return { encoder, ok: true, reason: t('setup.trialOk'), ms };
  const how = result.signal ? t('setup.trialKilled', { signal: result.signal }) : t('setup.trialExit', { code: String(result.code) });
  return { encoder, ok: false, reason: failureReason(result.stderr, how), ms };
}

interface CacheFile {
  version: 1;
  entries: Record<string, Omit<ProbeResult, 'cached'>>;
}

async function readCache(file: string, log?: Logger): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
    if (parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object') return parsed as CacheFile;
    log?.warn(t('logs.probeCacheLayout'), { file });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') log?.warn(t('logs.probeCacheUnreadable'), { file, error: (err as Error).message });
  }
  return { version: 1, entries: {} };
}

async function writeCache(file: string, cache: CacheFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(cache, null, 2) + '\n');
  await rename(tmp, file);
}

/**
 * Forgets what the cache says about `binary` (every version of it): the encoder
 * it names failed at run time, so the next start probes again. Returns whether
 * an entry was removed.
 */
export async function forgetProbe(binary: string, cacheFile: string, log?: Logger): Promise<boolean> {
  const resolved = resolveBinary(binary) ?? binary;
  const cache = await readCache(cacheFile, log);
  const keys = Object.keys(cache.entries).filter((key) => key.startsWith(`${resolved}|`));
  if (keys.length === 0) return false;
  for (const key of keys) delete cache.entries[key];
  await writeCache(cacheFile, cache);
  return true;
}

/**
 * Finds the encoder to use: from the cache when the same ffmpeg was probed
 * before, else by trial encodes. Throws when not even libx264 works.
 */
export async function chooseEncoder(o: ProbeOptions = {}): Promise<ProbeResult> {
  const name = o.binary ?? ffmpegBinary();
  const binary = resolveBinary(name);
  if (!binary) throw new Error(t('setup.ffmpegNotFound', { name, where: name.includes('/') ? '' : t('setup.ffmpegOnPath') }));
  const version = await ffmpegVersion(binary);
  const key = `${binary}|${version}`;
  const cacheFile = o.cacheFile === undefined ? defaultProbeCache() : o.cacheFile;
  const cache = cacheFile ? await readCache(cacheFile, o.log) : null;
  const hit = cache?.entries[key];
  if (hit && !o.fresh && !o.all) return { ...hit, cached: true };

  const board = boardInfo(readBoardModel(o.modelPaths));
  if (board.note) o.log?.warn(board.note);
  const trials: TrialResult[] = [];
  let chosen: EncoderName | null = null;
  for (const encoder of o.candidates ?? ENCODER_NAMES) {
    const skip = board.unavailable[encoder];
    if (skip) {
      trials.push({ encoder, ok: false, reason: t('setup.trialSkipped', { why: skip }), ms: 0 });
      continue;
    }
    const trial = await trialEncode(binary, encoder, o.timeoutMs, o.vaapiDevice);
    trials.push(trial);
    o.log?.debug('encoder trial', { ...trial });
    if (trial.ok && !chosen) {
      chosen = encoder;
      if (!o.all) break;
    }
  }
  if (!chosen) {
    const why = trials.map((trial) => `${trial.encoder}${t('punct.colon')}${trial.reason}`).join('; ');
    throw new Error(t('setup.noEncoder', { binary, version, why }));
  }
  const result: ProbeResult = { encoder: chosen, binary, version, board: board.model, note: board.note, trials, cached: false, at: new Date().toISOString() };
  if (cacheFile && cache) {
    const { cached: _cached, ...entry } = result;
    cache.entries[key] = entry;
    try {
      await writeCache(cacheFile, cache);
    } catch (err) {
      o.log?.warn(t('logs.probeCacheWrite'), { file: cacheFile, error: (err as Error).message });
    }
  }
  return result;
}
