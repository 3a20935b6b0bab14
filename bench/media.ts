/**
 * Room-feed benchmarks (bounded, about 40 s):
 *  1. encoder start -> first key frame playable by an HTTP-FLV viewer of the relay;
 *  2. latency from frame creation to the viewer, and the part the relay adds,
 *     from frame timestamps (the encoder stamps frames with wall-clock time);
 *  3. CPU of a 1280x720 30 fps libx264 (veryfast) test-pattern encode, from /proc.
 *
 * Run: npx tsx bench/media.ts   (prints one JSON line per figure)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { freePort } from './ports.js';
import { cpuTicks } from './proc.js';
import os from 'node:os';
import path from 'node:path';
import { buildEncoderPlan, findFont } from '../src/media/command.js';
import { parseEncoderConfig, type EncoderConfig } from '../src/media/config.js';
import { launchEncoder } from '../src/media/ffmpeg.js';
import { createFeed, feedTarget } from '../src/media/feed.js';
import { Relay } from '../src/media/relay.js';
import { EncoderSupervisor, type SupervisorState } from '../src/media/supervisor.js';
import { createLogger, setLogLevel } from '../src/util/log.js';

setLogLevel('error');
const SECRET = 'bench-secret-0123456789abcdef';
const log = createLogger('bench');

function stats(values: number[]): { n: number; median: number; p99: number; min: number; max: number } {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.floor(q * (v.length - 1)))] ?? NaN;
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { n: v.length, median: r(at(0.5)), p99: r(at(0.99)), min: r(v[0] ?? NaN), max: r(v.at(-1) ?? NaN) };
}

function print(name: string, fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ bench: `media.${name}`, ...fields }) + '\n');
}

interface FlvTag {
  type: number;
  timestamp: number;
  arrival: number;
  keyframe: boolean;
  avcPacketType: number;
}

/** An HTTP-FLV viewer that reports each tag with its arrival time. */
function viewer(url: string, onTag: (tag: FlvTag) => void): { close(): void } {
  let buf = Buffer.alloc(0);
  let headerDone = false;
  const req = http.get(url, (res) => {
    res.on('data', (chunk: Buffer) => {
      const arrival = performance.timeOrigin + performance.now();
      buf = Buffer.concat([buf, chunk]);
      if (!headerDone) {
        if (buf.length < 13) return;
        buf = buf.subarray(13); // FLV header (9) + PreviousTagSize0 (4)
        headerDone = true;
      }
      while (buf.length >= 11) {
        const size = buf.readUIntBE(1, 3);
        if (buf.length < 11 + size + 4) break;
        const type = buf[0] ?? 0;
        const timestamp = buf.readUIntBE(4, 3) | ((buf[7] ?? 0) << 24);
        const first = buf[11] ?? 0;
        onTag({ type, timestamp, arrival, keyframe: type === 9 && first >> 4 === 1, avcPacketType: type === 9 ? (buf[12] ?? -1) : -1 });
        buf = buf.subarray(11 + size + 4);
      }
    });
  });
  req.on('error', () => undefined);
  return { close: () => req.destroy() };
}

function until<T>(what: string, timeoutMs: number, register: (done: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench: timed out waiting for ${what}`)), timeoutMs);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

function config(relay: Relay, over: Record<string, unknown>): EncoderConfig {
  return parseEncoderConfig({ encoder: 'libx264', output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET }, ...over }, 'bench');
}

async function startToFirstFrame(relay: Relay, runs: number): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const site = `start-${i}`;
    let firstFrame: ((t: number) => void) | null = null;
    const v = viewer(relay.playUrl(site), (tag) => {
      if (tag.type === 9 && tag.keyframe && tag.avcPacketType === 1) firstFrame?.(tag.arrival);
    });
    await new Promise((r) => setTimeout(r, 200)); // let the viewer attach
    const feed = createFeed({ config: config(relay, { size: '640x360', fps: 15, x264Preset: 'ultrafast', bitrateKbps: 600 }), site, encoder: 'libx264', binary: 'ffmpeg', log });
    const t0 = performance.timeOrigin + performance.now();
    const arrived = until<number>(`first frame of ${site}`, 10_000, (done) => (firstFrame = done));
    await feed.start();
    times.push((await arrived) - t0);
    v.close();
    await feed.stop();
  }
  print('start_to_first_frame_ms', { ...stats(times), target: '< 2000', size: '640x360@15', preset: 'ultrafast', runs: times.map(Math.round) });
}

async function latency(relay: Relay, seconds: number): Promise<void> {
  const site = 'latency';
  const cfg = config(relay, { size: '640x360', fps: 25, x264Preset: 'ultrafast', bitrateKbps: 800 });
  // Frames carry wall-clock time (ms since `base`) as their timestamps.
  const baseMs = Math.floor(Date.now()) - 1000;
  const baseUs = baseMs * 1000;
  const plan = buildEncoderPlan({ config: cfg, site, encoder: 'libx264', target: feedTarget(cfg, site), fontFile: findFont() });
  const vf = plan.outputOptions.indexOf('-vf') + 1;
  plan.outputOptions[vf] = `setpts=(RTCTIME-${baseUs})/(TB*1000000),${plan.outputOptions[vf]}`;
  plan.outputOptions.push('-af', `asetpts=(RTCTIME-${baseUs})/(TB*1000000)`);
  const feed = new EncoderSupervisor({ encoder: 'libx264', launch: () => launchEncoder('ffmpeg', plan) });
  const ingest = new Map<number, number>();
  relay.tap = true;
  relay.on('packet', (s, ts, kind) => {
    if (s === site && kind === 'video') ingest.set(ts, performance.timeOrigin + performance.now());
  });
  const live = until<void>('latency feed live', 10_000, (done) => feed.on('state', (st: SupervisorState) => st === 'live' && done()));
  await feed.start();
  await live;
  await new Promise((r) => setTimeout(r, 1000));
  const endToEnd: number[] = [];
  const relayAdded: number[] = [];
  const v = viewer(relay.playUrl(site), (tag) => {
    if (tag.type !== 9 || tag.avcPacketType !== 1) return;
    endToEnd.push(tag.arrival - baseMs - tag.timestamp);
    const at = ingest.get(tag.timestamp);
    if (at !== undefined) relayAdded.push(tag.arrival - at);
    ingest.delete(tag.timestamp);
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  v.close();
  await feed.stop();
  relay.tap = false;
  // The first tags are the GOP cache (old frames by design); judge the live ones.
  const liveE2e = endToEnd.slice(25);
  print('encoder_to_viewer_latency_ms', { ...stats(liveE2e), what: 'frame created (setpts RTCTIME) -> tag received by an HTTP-FLV viewer', size: '640x360@25', preset: 'ultrafast' });
  print('relay_added_latency_ms', { ...stats(relayAdded.slice(25)), what: 'packet ingested by node-media-server -> tag received by the viewer' });
}

async function cpu720p(relay: Relay, seconds: number): Promise<void> {
  const feed = createFeed({ config: config(relay, { size: '1280x720', fps: 30, bitrateKbps: 2500 }), site: 'cpu', encoder: 'libx264', binary: 'ffmpeg', log });
  const live = until<void>('720p feed live', 15_000, (done) => feed.on('state', (st: SupervisorState) => st === 'live' && done()));
  await feed.start();
  await live;
  await new Promise((r) => setTimeout(r, 2000));
  const pid = feed.pid;
  if (!pid) throw new Error('bench: no encoder pid');
  const hz = 100; // USER_HZ on Linux
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const ticks = cpuTicks(pid) - t0;
  const wall = (performance.now() - w0) / 1000;
  const f = feed.figures();
  await feed.stop();
  print('cpu_720p30_libx264', {
    cpuPercentOfOneCore: Math.round((ticks / hz / wall) * 1000) / 10,
    seconds: Math.round(wall * 10) / 10,
    preset: 'veryfast',
    fps: f.fps,
    speed: f.speed,
    dropFrames: f.dropFrames,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relais-bench-media-'));
  const relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort('tcp'), httpPort: await freePort('tcp'), secret: SECRET, dataDir: dir, log, pollMs: 1000 });
  await relay.start();
  try {
    await startToFirstFrame(relay, 5);
    await latency(relay, 8);
    await cpu720p(relay, 10);
  } finally {
    await relay.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
