/**
 * ffmpeg flags of each H.264 encoder for live, low-latency use (pure).
 *
 * Every encoder gets a constant bitrate, no B-frames where the encoder lets us
 * choose, and a key frame every `keyframeSeconds` so that a viewer (or the
 * room display after a floor change) starts within one GOP.
 *
 * A player can only start at a key frame that carries the stream's SPS/PPS
 * (the parameter sets). FLV sends them once, in its sequence header, which the
 * relay keeps for every new viewer; MPEG-TS over SRT has no such header, so a
 * display joining mid-stream needs them in-band before each IDR frame. Every
 * encoder therefore gets {@link keyFrameHeaders}: the encoder fills its
 * extradata (`-flags +global_header`) and the `dump_extra` bitstream filter
 * puts it in front of every key frame (docs/media.md, "Joining mid-stream").
 */
import type { EncoderName } from './config.js';
import { t } from '../i18n/index.js';

export interface EncoderTuning {
  fps: number;
  bitrateKbps: number;
  keyframeSeconds: number;
  /** libx264 only. */
  x264Preset?: string;
  /** h264_vaapi only. */
  vaapiDevice?: string;
}

export interface EncoderArgs {
  /** Global options that must come before the inputs (hardware device set-up). */
  globalArgs: string[];
  /** Filters appended to the picture's filter chain (pixel format, upload). */
  filters: string[];
  /** Output options for the video stream. */
  outputArgs: string[];
}

function rate(kbps: number): string[] {
  // maxrate/bufsize of one second keep the rate steady on a thin uplink.
  return ['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`];
}

function gop(t: EncoderTuning): string[] {
  const frames = Math.max(1, Math.round(t.fps * t.keyframeSeconds));
  return ['-g', String(frames), '-keyint_min', String(frames)];
}

/**
 * SPS/PPS in front of every key frame. `dump_extra` copies the encoder's
 * extradata, so the encoder is asked for it (`+global_header`), except the
 * V4L2 encoder: Raspberry Pi OS's ffmpeg moves the headers out of the stream
 * into extradata once its first frame is out (too late for the filter and the
 * muxer) when asked, and repeats them before each key frame itself when not.
 */
export function keyFrameHeaders(name: EncoderName): string[] {
  const filter = ['-bsf:v', 'dump_extra=freq=keyframe'];
  return name === 'h264_v4l2m2m' ? filter : ['-flags', '+global_header', ...filter];
}

/** Flags of one encoder, with the key-frame headers. */
export function encoderArgs(name: EncoderName, t: EncoderTuning): EncoderArgs {
  const args = codecArgs(name, t);
  return { ...args, outputArgs: [...args.outputArgs, ...keyFrameHeaders(name)] };
}

function codecArgs(name: EncoderName, t: EncoderTuning): EncoderArgs {
  switch (name) {
    case 'h264_v4l2m2m':
      // The Raspberry Pi 4 encoder takes yuv420p, refuses -g and ignores
      // -maxrate; key frames are forced by time instead.
      return {
        globalArgs: [],
        filters: ['format=yuv420p'],
        outputArgs: ['-c:v', 'h264_v4l2m2m', '-b:v', `${t.bitrateKbps}k`, '-force_key_frames', `expr:gte(t,n_forced*${t.keyframeSeconds})`],
      };
    case 'h264_vaapi':
      return {
        globalArgs: ['-vaapi_device', t.vaapiDevice ?? '/dev/dri/renderD128'],
        filters: ['format=nv12', 'hwupload'],
        outputArgs: ['-c:v', 'h264_vaapi', ...rate(t.bitrateKbps), ...gop(t), '-bf', '0'],
      };
    case 'h264_qsv':
      return {
        globalArgs: [],
        filters: ['format=nv12'],
        outputArgs: ['-c:v', 'h264_qsv', '-preset', 'veryfast', ...rate(t.bitrateKbps), ...gop(t), '-bf', '0', '-look_ahead', '0'],
      };
    case 'h264_rkmpp':
      return {
        globalArgs: [],
        filters: ['format=nv12'],
        outputArgs: ['-c:v', 'h264_rkmpp', ...rate(t.bitrateKbps), ...gop(t)],
      };
    case 'h264_nvenc':
      // p1..p7 presets with the low-latency tune exist since FFmpeg 4.3 / SDK 10.
      return {
        globalArgs: [],
        filters: ['format=yuv420p'],
        outputArgs: ['-c:v', 'h264_nvenc', '-preset', 'p2', '-tune', 'll', '-zerolatency', '1', '-rc', 'cbr', ...rate(t.bitrateKbps), ...gop(t), '-bf', '0'],
      };
    case 'libx264':
      return {
        globalArgs: [],
        filters: ['format=yuv420p'],
        outputArgs: [
          '-c:v', 'libx264',
          '-preset', t.x264Preset ?? 'veryfast',
          '-tune', 'zerolatency',
          '-bf', '0',
          ...rate(t.bitrateKbps),
          ...gop(t),
          '-sc_threshold', '0',
        ],
      };
  }
}

/** What the board's model string tells about hardware encoding. */
export interface BoardInfo {
  model: string | null;
  /** Encoders known not to exist on this board, with the reason. */
  unavailable: Partial<Record<EncoderName, string>>;
  /** A note for the operator (printed by `relais media probe`). */
  note: string | null;
}

/**
 * Reads a device-tree model string (`/proc/device-tree/model`). A Raspberry Pi 5
 * has no hardware H.264 encoder at all, so only libx264 is worth a trial.
 */
export function boardInfo(model: string | null): BoardInfo {
  const clean = model?.replace(/\0/g, '').trim() || null;
  if (clean && /Raspberry Pi 5/i.test(clean)) {
    const reason = t('setup.pi5NoEncoder');
    return {
      model: clean,
      unavailable: { h264_v4l2m2m: reason, h264_vaapi: reason, h264_qsv: reason, h264_rkmpp: reason, h264_nvenc: reason },
      note: t('setup.pi5Note', { model: clean }),
    };
  }
  return { model: clean, unavailable: {}, note: null };
}
