/**
 * Glass-to-glass latency of a room feed over an emulated rural link (80 ms
 * RTT, 1 % loss each way), SRT beside RTMP in / HTTP-FLV out, taking turns
 * (GLASS_ROUNDS rounds of GLASS_SECONDS each after a 5 s warm-up; by default
 * 3 x 10 s, about 2.5 min in all):
 *
 *   camera (bench/camera.ts: raw 640x360 30 fps by default, the wall clock burnt in)
 *     -> the box's encoder (the product's libx264 arguments, ffmpeg)
 *     -> link -> relay (bench/glass-net.ts, its own process) -> link
 *        (or, served directly: the box's own SRT listener -> link; the box still sends to the relay)
 *     -> the display's decoder (ffmpeg with the display's low-delay input options)
 *     -> reader: the stamp of each decoded picture against the wall clock.
 *
 * Same machine, same clock. The SRT latency is what `relais link test`
 * recommends for this link (recommend() on 80 ms RTT and 1 % loss), on the box,
 * the relay and the display; GLASS_SRT_LATENCIES=240,120 runs others too through
 * the relay, GLASS_DIRECT_LATENCIES=240,200 served directly (empty: none).
 * GLASS_SWITCHER=one|direct-first|relay-first decodes the direct feed with the room
 * display's switcher instead of a plain decoder (see switcherDecoderArgs);
 * GLASS_ENGINE=frames (with GLASS_SWITCHER) uses the display's switch between whole pictures
 * instead of its graph (startFramesDisplay).
 * GLASS_DISPLAY_FFMPEG runs the display with another ffmpeg; GLASS_RTMP=0 leaves RTMP out.
 *
 * Run: npx tsx bench/glass.ts   (prints one JSON line per transport)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { srtFfmpegUrl } from '../src/media/srt.js';
import { setLogLevel } from '../src/util/log.js';
import { LOW_DELAY_INPUT, SWITCHER_INPUT } from '../src/media/switcher.js';
import { createServer, type AddressInfo } from 'node:net';
import { FrameSwitcher } from '../src/media/frame-switcher.js';
import { RAW_OUT_THREADS, roomSwitcherArgs } from '../src/media/switch-plan.js';
import { StampCamera } from './camera.js';
import { startBox, type Transport } from './glass-box.js';
import { BENCH_LINK, recommendedSrtLatency, startNet, type NetCounters } from './glass-net.js';
import { judge, readStamp, type Judged, type Shown } from './stamp.js';
import { summary } from './stats.js';

/**
 * 640x360 by default, at the 720p feed's bitrate (so the link carries as many
 * packets): a 1280x720 encode of this moving, grainy picture needs about 0.6
 * of a core here, and on a shared 2-vCPU machine it falls behind real time,
 * which measures the machine's queue rather than the transport. GLASS_SIZE=1280x720 for that.
 */
const [WIDTH, HEIGHT] = (process.env.GLASS_SIZE ?? '640x360').split('x').map(Number) as [number, number];
const FPS = 30;
const KBPS = 2500;
/** The reader's copy of the picture: small and gray (the stamp survives it; see test/bench/stamp.test.ts). */
const SHOWN_W = 320;
const SHOWN_H = 180;
const SECRET = 'bench-secret-0123456789abcdef';
const WARMUP_MS = 5000;
const MEASURE_MS = Number(process.env.GLASS_SECONDS ?? 10) * 1000;
/** The display's ffmpeg (GLASS_DISPLAY_FFMPEG: another build or release, e.g. a wrapper into a newer Debian root). */
const DISPLAY_FFMPEG = process.env.GLASS_DISPLAY_FFMPEG || 'ffmpeg';
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The display's decoder on one feed: ffmpeg with the display's low-delay
 * input options (the switching display's own graph needs two feeds or more),
 * each picture handed over as gray for the reader. Started again while no
 * picture has come (the relay may not have the feed yet).
 */
function startDisplay(url: string, log: string[], onPicture: (p: Shown) => void, other?: string): { stop(): Promise<void> } {
  if (other !== undefined && process.env.GLASS_ENGINE === 'frames') return startFramesDisplay(url, other, log, onPicture);
  const size = SHOWN_W * SHOWN_H;
  // The plain decoder, or (GLASS_SWITCHER) the room display's switcher with the feed on screen.
  const args = other === undefined ? plainDecoderArgs(url) : switcherDecoderArgs(url, other);
  let child: ChildProcess | null = null;
  let stopped = false;
  let pictures = 0;
  const launch = (): void => {
    const c = spawn(DISPLAY_FFMPEG, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stderr?.setEncoding('utf8').on('data', (d: string) => log.push(...d.split('\n').filter(Boolean)));
    let pending: Buffer = Buffer.alloc(0);
    c.stdout?.on('data', readPictures(() => (pictures += 1), onPicture));
    c.once('exit', () => {
      if (!stopped && pictures === 0) setTimeout(() => !stopped && launch(), 300);
    });
  };
  launch();
  return {
    async stop() {
      stopped = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGINT');
      const timer = setTimeout(() => c.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Cuts gray pictures of the reader's size out of a byte stream, each read for its stamp as it comes. */
function readPictures(counted: () => void, onPicture: (p: Shown) => void): (d: Buffer) => void {
  const size = SHOWN_W * SHOWN_H;
  let pending: Buffer = Buffer.alloc(0);
  return (d) => {
    const at = now();
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    while (pending.length >= size) {
      counted();
      onPicture({ at, stamp: readStamp(pending.subarray(0, size), SHOWN_W, SHOWN_H, WIDTH, HEIGHT) });
      pending = pending.subarray(size);
    }
  };
}

/**
 * The reader's copy of a picture: gray at the reader's size, raw, on one thread (the rawvideo
 * encoder's frame threads hold each picture until the next: a picture's time on every one, which
 * the room's player, showing it, does not add).
 */
const SHOWN_OUT = ['-s', `${SHOWN_W}x${SHOWN_H}`, '-pix_fmt', 'gray', '-fps_mode', 'passthrough', ...RAW_OUT_THREADS, '-f', 'rawvideo'];

function plainDecoderArgs(url: string): string[] {
  return ['-hide_banner', '-loglevel', 'warning', '-nostats', ...LOW_DELAY_INPUT, '-i', url,
    '-map', '0:v:0', ...SHOWN_OUT, 'pipe:1', '-map', '0:a:0', '-f', 'null', '-'];
}

/** The feeds of GLASS_SWITCHER's choice, in their order: `url` (on screen) and `other`. */
function switcherFeeds(url: string, other: string): string[] {
  const how = process.env.GLASS_SWITCHER;
  return how === 'one' ? [url] : how === 'relay-first' ? [other, url] : [url, other];
}

/**
 * GLASS_ENGINE=frames: the room display's switch between whole pictures (FrameSwitcher, its own
 * decoders and mux) with `url` on screen, its sink an ffmpeg that reads the NUT as the room's
 * player would and hands each picture to the reader over a local socket.
 */
function startFramesDisplay(url: string, other: string, log: string[], onPicture: (p: Shown) => void): { stop(): Promise<void> } {
  const feeds = switcherFeeds(url, other);
  const server = createServer((socket) => {
    socket.on('data', readPictures(() => undefined, onPicture));
    socket.on('error', () => undefined);
  });
  let switcher: FrameSwitcher | null = null;
  server.listen(0, '127.0.0.1', () => {
    const port = (server.address() as AddressInfo).port;
    const sink = ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0', '-f', 'nut', '-i', 'pipe:0', '-map', '0:v', ...SHOWN_OUT, `tcp://127.0.0.1:${port}`];
    switcher = new FrameSwitcher({ ffmpeg: DISPLAY_FFMPEG, sink, size: { width: WIDTH, height: HEIGHT }, fps: FPS, slate: `color=c=0x18202b:s=${WIDTH}x${HEIGHT}:r=10`, feeds: feeds.map((u, i) => ({ site: `site${i}`, url: u })), initial: feeds.indexOf(url) + 1 });
    switcher.on('exit', (info) => log.push(...info.tail));
    switcher.start();
  });
  return {
    async stop() {
      await switcher?.stop();
      server.close();
    },
  };
}

/**
 * The room display's switcher (roomSwitcherArgs: the slate and the feeds, the switcher's own input
 * options) showing `url`, its picture handed over as gray instead of NUT. GLASS_SWITCHER: `one` (the
 * feed alone), `direct-first` or `relay-first` (the same feed through the relay as the second feed,
 * opened after or before it).
 */
function switcherDecoderArgs(url: string, other: string): string[] {
  const feeds = switcherFeeds(url, other);
  const full = roomSwitcherArgs({
    feeds: feeds.map((u, i) => ({ site: `site${i}`, url: u })),
    slate: `color=c=0x18202b:s=${WIDTH}x${HEIGHT}:r=10`,
    size: { width: WIDTH, height: HEIGHT },
    fps: FPS,
    initial: feeds.indexOf(url) + 1,
    inputOptions: SWITCHER_INPUT,
    wallOrigin: Date.now() / 1000,
  });
  return [...full.slice(0, full.indexOf('-map')), '-map', '[v]', ...SHOWN_OUT, 'pipe:1', '-map', '[a]', '-f', 'null', '-'];
}

/** One round of one transport: what the display showed, and what the link and the camera saw. */
interface Round extends Judged {
  sent: number;
  droppedAtCamera: number;
  uplinkKbps: number;
  uplinkLostOrResent: number;
  downlinkLostOrResent: number;
  load: number[];
}

async function run(t: Transport): Promise<Round> {
  const net = await startNet({ sites: ['box'], srtLatencyMs: t.kind === 'rtmp' ? 200 : t.latencyMs, link: BENCH_LINK, secret: SECRET, expectedKbps: KBPS, direct: t.kind === 'direct' });
  const roundStart = now();
  const box = startBox({ target: t, ports: { srtUp: net.ports.srtUp.box!, rtmpUp: net.ports.rtmpUp }, encoderTarget: net.ports.directIn, width: WIDTH, height: HEIGHT, fps: FPS, kbps: KBPS, secret: SECRET });
  const camera = new StampCamera({ width: WIDTH, height: HEIGHT, fps: FPS, now, video: box.video, audio: box.audio });
  camera.start();
  const shown: Shown[] = [];
  let firstAt = 0;
  await sleep(1000);
  const url = t.kind === 'rtmp'
    ? `http://127.0.0.1:${net.ports.flvDown}/live/box.flv`
    : srtFfmpegUrl({ host: '127.0.0.1', port: t.kind === 'direct' ? net.ports.directDown! : net.ports.srtDown.box!, mode: 'caller', latencyMs: t.latencyMs });
  const displayLog: string[] = [];
  const other = t.kind === 'direct' && process.env.GLASS_SWITCHER ? srtFfmpegUrl({ host: '127.0.0.1', port: net.ports.srtDown.box!, mode: 'caller', latencyMs: t.latencyMs }) : undefined;
  const display = startDisplay(url, displayLog, (p) => {
    if (!firstAt && p.stamp) firstAt = p.at;
    shown.push(p);
  }, other);
  for (let i = 0; i < 200 && !firstAt; i += 1) await sleep(100);
  let counters: NetCounters = {};
  let judged: Judged;
  const load: number[] = [];
  let sent = 0;
  let dropped = 0;
  try {
    if (!firstAt) throw new Error(`no readable picture at the display within 20 s (${shown.length} pictures; box: ${box.stderr.slice(-3).join(' | ') || 'no message'}; display: ${displayLog.slice(-3).join(' | ') || 'no message'})`);
    await sleep(WARMUP_MS);
    const from = shown.length;
    const [sentFrom, droppedFrom] = [camera.sent, camera.dropped];
    load.push(loadavg()[0] ?? 0);
    await sleep(MEASURE_MS);
    load.push(loadavg()[0] ?? 0);
    judged = judge(shown.slice(from));
    [sent, dropped] = [camera.sent - sentFrom, camera.dropped - droppedFrom];
  } finally {
    await display.stop();
    camera.stop();
    await box.stop();
    counters = await net.stop();
  }
  const seconds = (now() - roundStart) / 1000;
  const [up, down] = t.kind === 'srt' ? [counters['srt up box']?.up, counters['srt down box']?.down] : t.kind === 'direct' ? [counters['srt up box']?.up, counters['direct down']?.down] : [counters['rtmp up']?.up, counters['flv down']?.down];
  return {
    ...judged,
    sent,
    droppedAtCamera: dropped,
    // Over the whole round, the encoder's start included: a little under the feed's own rate.
    uplinkKbps: Math.round(((up?.bytes ?? 0) * 8) / seconds / 1000),
    uplinkLostOrResent: (up?.lost ?? 0) + (up?.retransmitted ?? 0),
    downlinkLostOrResent: (down?.lost ?? 0) + (down?.retransmitted ?? 0),
    load,
  };
}

function describe(t: Transport): string {
  if (t.kind === 'direct') return `SRT served by the box, latency ${t.latencyMs} ms (box, display)${process.env.GLASS_SWITCHER ? `, through the switcher (${process.env.GLASS_SWITCHER}, ${process.env.GLASS_ENGINE === 'frames' ? 'frames' : 'graph'})` : ''}`;
  return t.kind === 'srt' ? `SRT through the relay, latency ${t.latencyMs} ms (box, relay, display)` : 'RTMP in, HTTP-FLV out';
}

/** The rounds of one transport as one line: percentiles over every picture, counts summed, the worst freeze. */
function report(t: Transport, rounds: readonly Round[]): void {
  const sum = (key: 'pictures' | 'sent' | 'lost' | 'repeated' | 'unreadable' | 'gapsOver100ms' | 'droppedAtCamera' | 'uplinkLostOrResent' | 'downlinkLostOrResent'): number => rounds.reduce((n, r) => n + r[key], 0);
  console.log(JSON.stringify({
    bench: 'glass-to-glass',
    transport: describe(t),
    link: '40 ms each way (80 ms RTT), 1 % loss each way (sim link)',
    feed: `${WIDTH}x${HEIGHT} ${FPS} fps libx264 veryfast ${KBPS} kbit/s`,
    rounds: rounds.length,
    secondsEach: MEASURE_MS / 1000,
    latencyMs: summary(rounds.flatMap((r) => r.latency)),
    p50EachRound: rounds.map((r) => Math.round(summary(r.latency).p50)),
    sent: sum('sent'),
    pictures: sum('pictures'),
    lost: sum('lost'),
    droppedAtCamera: sum('droppedAtCamera'),
    repeated: sum('repeated'),
    unreadable: sum('unreadable'),
    longestGapMs: +Math.max(...rounds.map((r) => r.longestGapMs)).toFixed(1),
    gapsOver100ms: sum('gapsOver100ms'),
    uplinkKbps: rounds.map((r) => r.uplinkKbps),
    uplinkLostOrResent: sum('uplinkLostOrResent'),
    downlinkLostOrResent: sum('downlinkLostOrResent'),
    load: rounds.flatMap((r) => r.load).map((l) => +l.toFixed(2)),
  }));
}

/**
 * The transports take turns, round after round, so that the machine's load
 * (shared, it moves by the minute) falls on each alike.
 */
setLogLevel('warn');
const latencies = (process.env.GLASS_SRT_LATENCIES ?? String(recommendedSrtLatency())).split(',').filter(Boolean).map(Number);
const directLatencies = (process.env.GLASS_DIRECT_LATENCIES ?? String(recommendedSrtLatency())).split(',').filter(Boolean).map(Number);
const transports: Transport[] = [
  ...directLatencies.map((latencyMs) => ({ kind: 'direct' as const, latencyMs })),
  ...latencies.map((latencyMs) => ({ kind: 'srt' as const, latencyMs })),
  ...(process.env.GLASS_RTMP === '0' ? [] : [{ kind: 'rtmp' as const }]),
];
const rounds = transports.map((): Round[] => []);
for (let round = 0; round < Number(process.env.GLASS_ROUNDS ?? 3); round += 1) {
  for (const [i, t] of transports.entries()) rounds[i]!.push(await run(t));
}
for (const [i, t] of transports.entries()) report(t, rounds[i]!);
