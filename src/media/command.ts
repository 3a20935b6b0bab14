/**
 * Builds the ffmpeg command line of the room feed from the config (pure,
 * apart from {@link findFont}). The result is plain data that the fluent-ffmpeg
 * edge (`ffmpeg.ts`) turns into a process.
 */
import { existsSync } from 'node:fs';
import type { EncoderConfig, EncoderName } from './config.js';
import { parseSize } from './config.js';
import { encoderArgs } from './encoders.js';

export interface FfmpegInput {
  source: string;
  options: string[];
}

/** Everything needed to start one encoder process. */
export interface EncoderPlan {
  encoder: EncoderName;
  /** Options that go before the first input (log level, progress, devices). */
  globalArgs: string[];
  inputs: FfmpegInput[];
  outputOptions: string[];
  /** Output URL (contains the publish signature for RTMP). */
  target: string;
}

/** Fonts tried for the drawn text, first found wins (fonts-dejavu-core, fonts-freefont). */
export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/freefont/FreeSans.ttf',
];

/** The first existing font file, or null (text is then left out, with a warning). */
export function findFont(candidates: readonly string[] = FONT_CANDIDATES): string | null {
  return candidates.find((file) => existsSync(file)) ?? null;
}

/**
 * Escapes `value` for one level of ffmpeg's quoting (`\` before each of `chars`
 * and before `\` itself). Filter arguments pass two levels (option value, then
 * filter graph); drawtext text passes a third (its own `%` expansion).
 */
export function escapeLevel(value: string, chars: string): string {
  let out = '';
  for (const ch of value) out += ch === '\\' || chars.includes(ch) ? `\\${ch}` : ch;
  return out;
}

/** A drawtext `text=` value for literal text, escaped for the filter graph. */
export function drawtextLiteral(text: string): string {
  // Newlines and control characters would end the filter description.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return escapeLevel(clean, '%');
}

/** Escapes a complete `key=value` argument list of one filter for the graph level. */
export function filterArg(value: string): string {
  return escapeLevel(value, "':");
}

export function graphEscape(filter: string): string {
  return escapeLevel(filter, "'[],;");
}

export interface DrawTextOptions {
  fontFile: string;
  /** Already passed through {@link drawtextLiteral}, may contain `%{...}` expansions. */
  text: string;
  /** Read the text from this file instead, again at every frame (written by rename, so always whole); `text` is then ignored. */
  textFile?: string;
  size: number;
  x: string;
  y: string;
  box?: boolean;
}

/** One drawtext filter, fully escaped for use inside a filter chain. */
export function drawtext(o: DrawTextOptions): string {
  const opts = [
    `fontfile=${filterArg(o.fontFile)}`,
    ...(o.textFile === undefined ? [`text=${filterArg(o.text)}`] : [`textfile=${filterArg(o.textFile)}`, 'reload=1', 'expansion=none']),
    `fontsize=${o.size}`,
    'fontcolor=white',
    `x=${filterArg(o.x)}`,
    `y=${filterArg(o.y)}`,
  ];
  if (o.box) opts.push('box=1', 'boxcolor=black@0.6', 'boxborderw=8');
  return graphEscape(`drawtext=${opts.join(':')}`);
}

export interface PlanOptions {
  config: EncoderConfig;
  site: string;
  encoder: EncoderName;
  target: string;
  fontFile: string | null;
}

/**
 * How the box packs its MPEG-TS, for the displays that read it live:
 * - one sound frame per PES. By default the muxer packs sound into PES of about 3 KB, and flushes a
 *   smaller one only after half the mux delay (0.35 s by default): a quiet or silent room (no
 *   microphone: `anullsrc`) then sends its sound in bursts of a quarter to a third of a second. The
 *   room switcher decodes every feed's sound in one graph, and its picture came in the same bursts,
 *   170 ms later on average (docs/benchmarks.md, "Sound in bursts"). `-pes_payload_size 0` lets a
 *   frame over 170 bytes go alone; `-muxdelay 0.04` (PCR 40 ms ahead of the pictures' decoding time
 *   instead of 0.7 s) flushes every smaller one before the next.
 * - each picture's PES with its length: the display's demuxer hands a picture on once it is whole,
 *   not when the next one begins (one frame later).
 */
export const MPEGTS_MUX_OPTIONS: readonly string[] = ['-pes_payload_size', '0', '-muxdelay', '0.04', '-omit_video_pes_length', '0'];

/** The inputs, filters and outputs of the room feed. */
export function buildEncoderPlan(o: PlanOptions): EncoderPlan {
  const { config } = o;
  const { width, height } = parseSize(config.size);
  const enc = encoderArgs(o.encoder, {
    fps: config.fps,
    bitrateKbps: config.bitrateKbps,
    keyframeSeconds: config.keyframeSeconds,
    x264Preset: config.x264Preset,
    vaapiDevice: config.vaapiDevice,
  });
  const inputs: FfmpegInput[] = [];
  const filters: string[] = [];
  if (config.input.kind === 'test-pattern') {
    // -re paces the generated sources at real time, like a camera would.
    const pattern = config.input.pattern === 'color' ? `color=c=${config.input.color}:` : `${config.input.pattern}=`;
    inputs.push({ source: `${pattern}size=${width}x${height}:rate=${config.fps}`, options: ['-re', '-f', 'lavfi'] });
    // Grain that changes every frame: a plain colour would otherwise cost the encoder almost nothing.
    if (config.input.pattern === 'color') filters.push('noise=alls=24:allf=t');
    inputs.push({ source: `sine=frequency=${config.input.toneHz}:sample_rate=48000`, options: ['-re', '-f', 'lavfi'] });
    if (o.fontFile) {
      const size = Math.max(12, Math.round(height / 14));
      filters.push(drawtext({ fontFile: o.fontFile, text: drawtextLiteral(config.input.label ?? o.site), size, x: '(w-tw)/2', y: 'h/8', box: true }));
      filters.push(drawtext({ fontFile: o.fontFile, text: '%{localtime:%T}', size, x: '(w-tw)/2', y: 'h-h/8-th', box: true }));
    }
  } else {
    const input = config.input;
    const capture = input.size ? parseSize(input.size) : { width, height };
    inputs.push({
      source: input.device,
      options: [
        '-f', 'v4l2',
        '-thread_queue_size', '512',
        '-input_format', input.pixelFormat,
        '-video_size', `${capture.width}x${capture.height}`,
        '-framerate', String(input.rate ?? config.fps),
      ],
    });
    if (input.audioDevice) {
      inputs.push({ source: input.audioDevice, options: ['-f', 'alsa', '-thread_queue_size', '512', '-ac', '2'] });
    } else {
      inputs.push({ source: 'anullsrc=channel_layout=stereo:sample_rate=48000', options: ['-f', 'lavfi'] });
    }
    if (capture.width !== width || capture.height !== height) filters.push(`scale=${width}:${height}`);
    if ((input.rate ?? config.fps) !== config.fps) filters.push(`fps=${config.fps}`);
  }
  filters.push(...enc.filters);
  const container = /^(srt|udp):\/\//.test(o.target) ? 'mpegts' : 'flv';
  const outputOptions = [
    '-map', '0:v:0',
    '-map', '1:a:0',
    '-vf', filters.join(','),
    ...enc.outputArgs,
    '-c:a', 'aac',
    '-b:a', `${config.audioBitrateKbps}k`,
    '-ar', '48000',
    '-ac', '2',
    ...(container === 'mpegts' ? MPEGTS_MUX_OPTIONS : []),
    '-f', container,
    ...(container === 'flv' ? ['-flvflags', 'no_duration_filesize'] : []),
  ];
  return {
    encoder: o.encoder,
    globalArgs: ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1', '-stats_period', '1', ...enc.globalArgs],
    inputs,
    outputOptions,
    target: o.target,
  };
}

/** The full argv (without the binary) of a plan, as ffmpeg will see it. */
export function planArgs(plan: EncoderPlan): string[] {
  const args = [...plan.globalArgs];
  for (const input of plan.inputs) args.push(...input.options, '-i', input.source);
  args.push(...plan.outputOptions, plan.target);
  return args;
}
