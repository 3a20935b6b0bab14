/**
 * Which H.264 encoders really work on this box: listing `ffmpeg -encoders` is
 * not enough (h264_v4l2m2m is compiled in everywhere, works only with the
 * Pi 4's codec block), so each candidate gets a short trial encode.
 */
import { spawn } from 'node:child_process';
import type { CheckResult } from './types.js';
import { t } from '../i18n/index.js';

export interface FfmpegRun {
  code: number | null;
  stderr: string;
  /** Set when the binary could not be started. */
  error?: string;
}

/** Runs ffmpeg with `args`; injectable for tests. */
export type FfmpegRunner = (args: string[], timeoutMs: number) => Promise<FfmpegRun>;

/** Hardware encoders first; libx264 is the software fallback. */
export const CANDIDATE_ENCODERS = ['h264_v4l2m2m', 'h264_vaapi', 'h264_qsv', 'h264_nvenc', 'libx264'] as const;

export function spawnFfmpeg(binary = 'ffmpeg'): FfmpegRunner {
  return (args, timeoutMs) =>
    new Promise((resolve) => {
      const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      proc.on('error', (err) => {
        clearTimeout(timer);
        resolve({ code: null, stderr, error: err.message });
      });
      proc.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
}

/** The arguments of a one-second 640x360 trial encode with `encoder`, to the null muxer. */
export function trialArgs(encoder: string, vaapiDevice = '/dev/dri/renderD128'): string[] {
  const input = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'];
  const output = ['-frames:v', '25', '-f', 'null', '-'];
  switch (encoder) {
    case 'h264_vaapi':
      return ['-hide_banner', '-loglevel', 'error', '-vaapi_device', vaapiDevice, '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-vf', 'format=nv12,hwupload', '-c:v', encoder, ...output];
    case 'h264_v4l2m2m':
      return [...input, '-pix_fmt', 'yuv420p', '-c:v', encoder, '-b:v', '2M', ...output];
    default:
      return [...input, '-pix_fmt', 'yuv420p', '-c:v', encoder, ...output];
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 160);
}

export interface FfmpegCheckOptions {
  run: FfmpegRunner;
  /** Per trial (default 15 s; a Pi 3 needs a few seconds for libx264). */
  timeoutMs?: number;
  candidates?: readonly string[];
}

export async function checkFfmpeg(o: FfmpegCheckOptions): Promise<CheckResult> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const listing = await o.run(['-hide_banner', '-encoders'], timeoutMs);
  if (listing.error || listing.code !== 0) {
    return {
      check: 'ffmpeg',
      status: 'FAIL',
      summary: t('doctor.ffmpeg.noRun', { reason: listing.error ?? lastLine(listing.stderr) }),
      fix: 'sudo apt-get install ffmpeg',
    };
  }
  // The listing only proves ffmpeg starts; a compiled-in encoder can still fail on this hardware.
  const results: Record<string, string> = {};
  const working: string[] = [];
  for (const encoder of o.candidates ?? CANDIDATE_ENCODERS) {
    const run = await o.run(trialArgs(encoder), timeoutMs);
    if (run.code === 0) {
      working.push(encoder);
      results[encoder] = 'ok';
    } else {
      results[encoder] = run.code === null ? `no result within ${timeoutMs} ms` : lastLine(run.stderr) || `exit ${run.code}`;
    }
  }
  const data = { working, results };
  if (working.length === 0) {
    return { check: 'ffmpeg', status: 'FAIL', summary: t('doctor.ffmpeg.noEncoder'), fix: t('doctor.ffmpeg.noEncoderFix'), data };
  }
  const hardware = working.filter((e) => e !== 'libx264');
  if (hardware.length === 0) {
    return {
      check: 'ffmpeg',
      status: 'WARN',
      summary: t('doctor.ffmpeg.softwareOnly'),
      fix: t('doctor.ffmpeg.softwareOnlyFix'),
      data,
    };
  }
  return { check: 'ffmpeg', status: 'PASS', summary: t('doctor.ffmpeg.working', { list: working.join(', ') }), data };
}
