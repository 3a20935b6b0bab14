/**
 * Display switch over emulated rural links (bounded, about 30 s): two SRT
 * feeds (red, blue) through `relais sim link` (80 ms RTT, 1 % loss) into one
 * switching display; 8 switches: time from the command to the first frame of
 * the new site, frames neither red nor blue (black), and the longest gap
 * between two frames (a freeze). The display's CPU is in bench/media-cpu.ts,
 * glass-to-glass latency in bench/glass.ts.
 *
 * Run: npx tsx bench/media-links.ts   (prints one JSON line)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';
import { srtFfmpegUrl } from '../src/media/srt.js';
import { LOW_DELAY_INPUT, SwitchingDisplay } from '../src/media/switcher.js';
import { parseImpairment, seededRandom } from '../src/sim/link-model.js';
import { UdpLinkProxy } from '../src/sim/link-proxy.js';
import { summary } from './stats.js';

const W = 32;
const H = 18;
const FRAME = W * H * 3;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function source(color: string, size: string, fps: number, port: number, seconds: number): ChildProcess {
  const url = srtFfmpegUrl({ host: '127.0.0.1', port, mode: 'listener', latencyMs: 240 });
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=${color}:size=${size}:rate=${fps}`, '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(fps), '-b:v', '200k', '-c:a', 'aac', '-b:a', '64k', '-f', 'mpegts', url], { stdio: 'ignore' });
}

async function linkedFeeds(colors: string[], size: string, fps: number, seconds: number): Promise<{ urls: string[]; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const proxies: UdpLinkProxy[] = [];
  for (const [i, color] of colors.entries()) {
    const port = await freePort('tcp');
    children.push(source(color, size, fps, port, seconds));
    const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: port, impairment: parseImpairment({ delayMs: 40, lossPercent: 1 }), random: seededRandom(i + 1) });
    await proxy.start();
    proxies.push(proxy);
  }
  await sleep(500);
  return {
    urls: proxies.map((p) => srtFfmpegUrl({ host: '127.0.0.1', port: p.port, mode: 'caller', latencyMs: 240 })),
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(proxies.map((p) => p.stop()));
    },
  };
}

function colourOf(frame: Buffer): 'red' | 'blue' | 'other' {
  const i = ((H >> 1) * W + (W >> 1)) * 3;
  const [r = 0, g = 0, b = 0] = [frame[i], frame[i + 1], frame[i + 2]];
  if (r > 180 && g < 60 && b < 60) return 'red';
  if (b > 180 && r < 60 && g < 60) return 'blue';
  return 'other';
}

async function switchBench(): Promise<void> {
  const feeds = await linkedFeeds(['red', 'blue'], '320x180', 15, 40);
  const display = new SwitchingDisplay({
    feeds: [{ site: 'red', url: feeds.urls[0]! }, { site: 'blue', url: feeds.urls[1]! }],
    initial: 'red',
    inputOptions: LOW_DELAY_INPUT,
    output: (v, a) => ['-map', v, '-s', `${W}x${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1', '-map', a, '-f', 'null', '-'],
  });
  const frames: Array<{ at: number; colour: string }> = [];
  let pending = Buffer.alloc(0);
  display.start();
  display.stdout?.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= FRAME) {
      frames.push({ at: performance.now(), colour: colourOf(pending.subarray(0, FRAME)) });
      pending = pending.subarray(FRAME);
    }
  });
  for (let i = 0; i < 200 && frames.length < 15; i += 1) await sleep(100);
  const switches: number[] = [];
  for (let k = 0; k < 8; k += 1) {
    const to = k % 2 === 0 ? 'blue' : 'red';
    const from = frames.length;
    const at = performance.now();
    display.select(to);
    for (let i = 0; i < 50 && !frames.slice(from).some((f) => f.colour === to); i += 1) await sleep(20);
    const first = frames.slice(from).find((f) => f.colour === to);
    if (first) switches.push(first.at - at);
    await sleep(1500);
  }
  let longestGap = 0;
  for (let i = 1; i < frames.length; i += 1) longestGap = Math.max(longestGap, (frames[i]?.at ?? 0) - (frames[i - 1]?.at ?? 0));
  await display.stop();
  await feeds.stop();
  console.log(JSON.stringify({ bench: 'display-switch', link: '80 ms RTT, 1 % loss (sim link)', feeds: '2 x 320x180 15 fps SRT, latency 240 ms', switchMs: summary(switches), framesSeen: frames.length, notRedOrBlue: frames.filter((f) => f.colour === 'other').length, longestGapMs: +longestGap.toFixed(1) }));
}

await switchBench();
