/**
 * The room display's rig, for its test and its bench: two sites' feeds (red
 * with a 440 Hz tone, blue with 880 Hz) served by SRT listeners
 * (srt-live-transmit, as at the relay's egress, which take a caller back
 * after it leaves), and the DisplayFeature of a third site whose sink is an
 * ffmpeg decoding what the room would see and hear into two local sockets,
 * read frame by frame and 100 ms by 100 ms.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFont } from '../../src/media/command.js';
import { DisplayFeature } from '../../src/media/display-feature.js';
import { freeUdpPort } from '../../src/media/srt-transmit.js';
import type { Floor } from '../../src/protocol/schemas.js';
import type { DisplayPart } from '../../src/protocol/site-state.js';
import { fakeFeatureContext, type FakeFeatureContext } from '../helpers/feature-context.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';
import { freeUdpBlock, testFeedArgs, udpBound } from './helpers.js';

export const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const W = 32;
const H = 18;
const FRAME = W * H * 3;
const RATE = 8000;
/** 100 ms of mono 16-bit sound. */
const WINDOW = (RATE / 10) * 2;

export type Look = 'red' | 'blue' | 'slate' | 'black' | 'other';
function lookOf(frame: Buffer): Look {
  const i = (2 * W + 2) * 3;
  const [r = 0, g = 0, b = 0] = [frame[i], frame[i + 1], frame[i + 2]];
  if (r > 180 && g < 60 && b < 60) return 'red';
  if (b > 180 && r < 60 && g < 60) return 'blue';
  if (Math.abs(r - 0x18) < 16 && Math.abs(g - 0x20) < 16 && Math.abs(b - 0x2b) < 16) return 'slate';
  if (r < 16 && g < 16 && b < 16) return 'black';
  return 'other';
}

/** 440, 880 or silence, from the zero crossings of 100 ms. */
function toneOf(window: Buffer): 'low' | 'high' | 'silent' | 'other' {
  let crossings = 0;
  let peak = 0;
  for (let i = 2; i < window.length; i += 2) {
    const a = window.readInt16LE(i - 2);
    const b = window.readInt16LE(i);
    peak = Math.max(peak, Math.abs(b));
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) crossings += 1;
  }
  if (peak < 200) return 'silent';
  const hz = crossings * 5; // crossings per 100 ms / 2 * 10
  if (Math.abs(hz - 440) < 60) return 'low';
  if (Math.abs(hz - 880) < 100) return 'high';
  return 'other';
}

/** A socket the sink writes to; `chunk` bytes at a time, stamped on arrival. */
function collector<T>(size: number, classify: (b: Buffer) => T): { server: Server; seen: Array<{ at: number; what: T }> } {
  const seen: Array<{ at: number; what: T }> = [];
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= size) {
        seen.push({ at: performance.now(), what: classify(pending.subarray(0, size)) });
        pending = pending.subarray(size);
      }
    });
    socket.on('error', () => undefined);
  });
  return { server, seen };
}

let epoch = 0;
export function floor(onAir: string | null, next: string | null = null): Floor {
  epoch += 1;
  const now = new Date().toISOString();
  return { epoch, onAir, next, queue: next ? [next] : [], since: onAir ? now : null, item: null, plannedEnd: null, nextItem: null, conductor: 'test', updatedAt: now };
}

/** A site's feed: ffmpeg -> loopback UDP -> srt-live-transmit listening on `port`, which takes a caller back after it leaves. */
export async function feed(color: string, tone: number, port: number, fps = 15): Promise<{ encoder: ChildProcess; transmit: ChildProcess; restart(): void }> {
  const udp = await freeUdpPort();
  const transmit = spawn('srt-live-transmit', ['-loglevel:error', `udp://127.0.0.1:${udp}`, `srt://:${port}?mode=listener&latency=240`], { stdio: 'ignore' });
  const encode = (): ChildProcess => spawn('ffmpeg', testFeedArgs({ video: `color=c=${color}:size=160x90:rate=${fps}`, toneHz: tone, fps, target: `udp://127.0.0.1:${udp}?pkt_size=1316` }), { stdio: 'ignore' });
  const handle = { encoder: encode(), transmit, restart: () => (handle.encoder = encode()) };
  return handle;
}


export type Tone = 'low' | 'high' | 'silent' | 'other';
type Feed = Awaited<ReturnType<typeof feed>>;

export interface DisplayRig {
  feature: DisplayFeature;
  fake: FakeFeatureContext;
  reports: DisplayPart[];
  video: Array<{ at: number; what: Look }>;
  audio: Array<{ at: number; what: Tone }>;
  red: Feed;
  blue: Feed;
  /** The last `display` part reported. */
  last(): DisplayPart | undefined;
  /** Ends everything the rig started. */
  stop(): Promise<void>;
}

export interface DisplayRigOptions {
  /** The feeds' pictures a second (15 by default). */
  feedFps?: number;
  /** The switcher's `control` setting (auto by default: ZeroMQ here). */
  control?: 'auto' | 'stdin';
  /** Run ffmpeg with `-nostdin` (a wrapper script): a switch can then only come over ZeroMQ. */
  noStdin?: boolean;
  /** The switcher's engine (frames by default). */
  engine?: 'frames' | 'graph';
}

/**
 * Starts the feeds (15 fps unless `feedFps`: a key frame a second either way) and the display of
 * riviere-du-loup (mode auto: the switcher), and waits for both feeds ready.
 */
export async function startDisplayRig(o: DisplayRigOptions = {}): Promise<DisplayRig> {
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  let ffmpeg: string | undefined;
  if (o.noStdin) {
    const dir = await mkdtemp(join(tmpdir(), 'relais-rig-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    ffmpeg = join(dir, 'ffmpeg');
    await writeFile(ffmpeg, '#!/bin/sh\nexec ffmpeg -nostdin "$@"\n', { mode: 0o755 });
  }
  const base = await freeUdpBlock(SITES.length * SITES.length);
  // The display of riviere-du-loup (j = 2) plays site i from base + i * 3 + 2.
  const ports = [base + 2, base + 5];
  const red = await feed('red', 440, ports[0]!, o.feedFps);
  const blue = await feed('blue', 880, ports[1]!, o.feedFps);
  stops.push(() => [red, blue].forEach((f) => { f.encoder.kill('SIGKILL'); f.transmit.kill('SIGKILL'); }));
  await waitFor('both feeds listening', () => ports.every((p) => udpBound(p)), 10_000);

  const video = collector(FRAME, lookOf);
  const audio = collector(WINDOW, toneOf);
  const [vp, ap] = [await freePort(), await freePort()];
  video.server.listen(vp, '127.0.0.1');
  audio.server.listen(ap, '127.0.0.1');
  stops.push(() => new Promise<void>((r) => video.server.close(() => r())), () => new Promise<void>((r) => audio.server.close(() => r())));
  for (const s of [video.server, audio.server]) s.on('connection', (c) => stops.push(() => void c.destroy()));

  const sink = ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-f', 'nut', '-i', 'pipe:0',
    // One thread: the rawvideo encoder's frame threads would hold each picture until the next.
    '-map', '0:v', '-s', `${W}x${H}`, '-pix_fmt', 'rgb24', '-threads', '1', '-f', 'rawvideo', `tcp://127.0.0.1:${vp}`,
    '-map', '0:a', '-ac', '1', '-ar', String(RATE), '-f', 's16le', `tcp://127.0.0.1:${ap}`];
  const fake = fakeFeatureContext({ site: 'riviere-du-loup', event: 'test-day' });
  const reports: DisplayPart[] = [];
  fake.seen.on('report', (key, value) => key === 'display' && reports.push(value as DisplayPart));
  const feature = new DisplayFeature({
    srt: { host: '127.0.0.1', sites: SITES, egressPort: base, latencyMs: 240 },
    switcher: { sink, readTimeoutMs: 1000, retryMs: 300, control: o.control ?? 'auto', engine: o.engine ?? 'frames', ...(ffmpeg ? { ffmpeg } : {}) },
    slateSize: '320x180',
    title: 'Journée des régions',
    respawnMs: 200,
  }, { fontFile: findFont() });
  await feature.start(fake.ctx);
  stops.push(() => feature.stop());
  const last = (): DisplayPart | undefined => reports.at(-1);
  await waitFor('both feeds ready', () => last()?.ready?.length === 2, 30_000);
  return { feature, fake, reports, video: video.seen, audio: audio.seen, red, blue, last, stop };
}

export interface HandOff {
  /** New floor to the first frame of the new picture at the sink's output. */
  switchMs: number;
  /** Longest time between two frames across the switch. */
  gapMs: number;
  /** Frames between the floor and the new picture that were black or unknown. */
  bad: number;
}

/** Hands the floor to `site` (null: nobody) and waits for 10 frames of `look` and 300 ms of `tone`; every frame after the first new one must be `look`. */
export async function handOff(rig: DisplayRig, site: string | null, next: string | null, look: Look, tone: Tone): Promise<HandOff> {
  const from = rig.video.length;
  const fromAudio = rig.audio.length;
  const at = performance.now();
  rig.fake.setFloor(floor(site, next));
  await waitFor(`10 ${look} frames after the floor change`, () => rig.video.slice(from).filter((f) => f.what === look).length >= 10, 15_000);
  await waitFor(`the ${tone} sound after the floor change`, () => rig.audio.slice(fromAudio).filter((w) => w.what === tone).length >= 3, 10_000);
  const after = rig.video.slice(from);
  const first = after.findIndex((f) => f.what === look);
  assert.ok(after.slice(first).every((f) => f.what === look), `after the switch: ${after.slice(first).map((f) => f.what).join(' ')}`);
  const frames = rig.video.slice(Math.max(0, from - 1), from + first + 1);
  const gapMs = Math.max(0, ...frames.slice(1).map((f, i) => f.at - frames[i]!.at));
  const bad = after.slice(0, first).filter((f) => f.what === 'black' || f.what === 'other').length;
  return { switchMs: after[first]!.at - at, gapMs, bad };
}

/** Longest time between two frames in `frames` (from index `from`, counting the one before). */
export function longestGap(frames: ReadonlyArray<{ at: number }>, from: number): number {
  const run = frames.slice(Math.max(0, from - 1));
  return Math.max(0, ...run.slice(1).map((f, i) => f.at - run[i]!.at));
}
