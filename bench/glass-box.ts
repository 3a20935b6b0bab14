/**
 * The media benches' box: the product's encoder plan (libx264, the room
 * feed's arguments) with only its inputs swapped for a stand-in camera's
 * pipes (bench/camera.ts), sending over SRT or RTMP.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { buildEncoderPlan, planArgs } from '../src/media/command.js';
import { parseEncoderConfig } from '../src/media/config.js';
import { feedTarget } from '../src/media/feed.js';

/** `direct`: the box serves the display itself (encoder.direct, one SRT buffer), still sending to the relay. */
export type Transport = { kind: 'srt'; latencyMs: number } | { kind: 'direct'; latencyMs: number } | { kind: 'rtmp' };

export interface BoxOptions {
  target: Transport;
  /** Where the box sends: the link's proxies in front of the relay. */
  ports: { srtUp: number; rtmpUp: number };
  /** A feed served directly: where the encoder writes (the box's own fan). */
  encoderTarget?: string;
  width: number;
  height: number;
  fps: number;
  kbps: number;
  secret: string;
}

/** The box: the product's encoder plan for this output, its picture and sound taken from the camera's pipes. */
export function startBox(o: BoxOptions): { video: Writable; audio: Writable; stderr: string[]; stop(): Promise<void> } {
  const { target, ports, encoderTarget, width: WIDTH, height: HEIGHT, fps: FPS, kbps: KBPS, secret: SECRET } = o;
  const output =
    target.kind !== 'rtmp'
      ? { kind: 'srt', url: `srt://127.0.0.1:${ports.srtUp}`, latencyMs: target.latencyMs }
      : { kind: 'rtmp', url: `rtmp://127.0.0.1:${ports.rtmpUp}/live`, secret: SECRET };
  const config = parseEncoderConfig({ encoder: 'libx264', size: `${WIDTH}x${HEIGHT}`, fps: FPS, bitrateKbps: KBPS, output }, 'bench');
  const plan = buildEncoderPlan({ config, site: 'box', encoder: 'libx264', target: encoderTarget ?? feedTarget(config, 'box'), fontFile: null });
  // A camera and a sound card instead of the test pattern: the same filters and encoder after them.
  // A short input queue, as a capture device's ring of buffers: a late encoder makes the camera drop.
  plan.inputs = [
    { source: 'pipe:0', options: ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${WIDTH}x${HEIGHT}`, '-framerate', String(FPS), '-thread_queue_size', '4'] },
    { source: 'pipe:3', options: ['-f', 's16le', '-ar', '48000', '-ac', '2', '-thread_queue_size', '512'] },
  ];
  const child = spawn('ffmpeg', planArgs(plan), { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => stderr.push(...d.split('\n').filter(Boolean).slice(-5)));
  const audio = child.stdio[3] as Writable;
  for (const pipe of [child.stdin!, audio]) pipe.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    video: child.stdin!,
    audio,
    stderr,
    // Its pipes have ended (the camera stopped): it finishes, or is killed after 3 s.
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
