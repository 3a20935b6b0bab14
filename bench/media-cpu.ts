/**
 * CPU of the room feeds' two ends (bounded, about 40 s), over the same chain
 * as bench/glass.ts: two boxes, each the product's feed (createFeed: test
 * pattern with the site and clock drawn, libx264 veryfast, 1280x720 30 fps
 * 2500 kbit/s, SRT caller to the relay) -> link (80 ms RTT, 1 % loss) -> relay
 * (its own process) -> link -> one switching display decoding both feeds, its
 * output discarded: first the graph engine's one ffmpeg (`streamselect`), then
 * the frames engine (FrameSwitcher: a decoder per feed, the slate, the mux; its
 * copying of the pictures in this process, whose own CPU is given in both
 * phases so that the difference shows it). libx264 because this machine has
 * no hardware encoder; a box with one spends far less.
 *
 * CPU is read from /proc/<pid>/stat over 8 windows of 2 s: the median of each
 * process, as % of one core, and the load average beside it.
 *
 * Run: npx tsx bench/media-cpu.ts   (prints one JSON line)
 */
import os from 'node:os';
import { parseEncoderConfig } from '../src/media/config.js';
import { createFeed } from '../src/media/feed.js';
import { FrameSwitcher } from '../src/media/frame-switcher.js';
import { srtFfmpegUrl } from '../src/media/srt.js';
import type { EncoderSupervisor } from '../src/media/supervisor.js';
import { LOW_DELAY_INPUT, SwitchingDisplay } from '../src/media/switcher.js';
import { createLogger, setLogLevel } from '../src/util/log.js';
import { BENCH_LINK, recommendedSrtLatency, startNet } from './glass-net.js';
import { cpuWindows } from './proc.js';
import { summary } from './stats.js';

setLogLevel('error');
const SECRET = 'bench-secret-0123456789abcdef';
const KBPS = 2500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const latencyMs = recommendedSrtLatency();
  const sites = ['saint-camille', 'rouyn-noranda'];
  const net = await startNet({ sites, srtLatencyMs: latencyMs, link: BENCH_LINK, secret: SECRET, expectedKbps: KBPS });
  const log = createLogger('bench');
  const feeds: EncoderSupervisor[] = [];
  let display: SwitchingDisplay | null = null;
  let frames: FrameSwitcher | null = null;
  try {
    for (const site of sites) {
      const config = parseEncoderConfig({ encoder: 'libx264', size: '1280x720', fps: 30, bitrateKbps: KBPS, output: { kind: 'srt', url: `srt://127.0.0.1:${net.ports.srtUp[site]}`, latencyMs } }, 'bench');
      const feed = createFeed({ config, site, encoder: 'libx264', binary: 'ffmpeg', log });
      await feed.start();
      feeds.push(feed);
    }
    await sleep(1500);
    let displayPid = 0;
    display = new SwitchingDisplay({
      feeds: sites.map((site) => ({ site, url: srtFfmpegUrl({ host: '127.0.0.1', port: net.ports.srtDown[site]!, mode: 'caller', latencyMs }) })),
      initial: sites[0]!,
      inputOptions: LOW_DELAY_INPUT,
      output: (v, a) => ['-map', v, '-f', 'null', '-', '-map', a, '-f', 'null', '-'],
    });
    display.on('spawn', (pid) => (displayPid = pid ?? 0));
    display.start();
    // Both feeds connected and decoding, the encoders past their start.
    await sleep(6000);
    const pids = { box: feeds[0]!.pid ?? 0, secondBox: feeds[1]!.pid ?? 0, display: displayPid };
    if (Object.values(pids).some((pid) => !pid)) throw new Error(`bench: a process is missing (${JSON.stringify(pids)})`);
    const cpu = await cpuWindows({ ...pids, bench: process.pid }, 8, 2000);
    const median = (name: string): number => +summary(cpu.percent[name] ?? []).p50.toFixed(1);
    await display.stop();
    display = null;
    // The frames engine on the same feeds, its sink discarding the NUT.
    frames = new FrameSwitcher({
      ffmpeg: 'ffmpeg', sink: ['sh', '-c', 'exec cat >/dev/null'], size: { width: 1280, height: 720 }, fps: 30, slate: 'color=c=0x18202b:s=1280x720:r=10',
      feeds: sites.map((site) => ({ site, url: srtFfmpegUrl({ host: '127.0.0.1', port: net.ports.srtDown[site]!, mode: 'caller', latencyMs }) })), initial: 1,
    });
    frames.start();
    await sleep(6000);
    const framesCpu = await cpuWindows({ ...frames.processIds(), bench: process.pid }, 8, 2000);
    const framesMedian = (name: string): number => +summary(framesCpu.percent[name] ?? []).p50.toFixed(1);
    const framesParts = Object.fromEntries(Object.keys(framesCpu.percent).map((name) => [name, framesMedian(name)]));
    const framesTotal = +summary(framesCpu.percent.mux!.map((_, i) => Object.entries(framesCpu.percent).filter(([name]) => name !== 'bench').reduce((n, [, v]) => n + v[i]!, 0))).p50.toFixed(1);
    const f = feeds[0]!.figures();
    console.log(JSON.stringify({
      bench: 'media-cpu',
      boxEncoderPercentOfOneCore: median('box'),
      secondBoxPercentOfOneCore: median('secondBox'),
      displayDecodingTwoFeedsPercentOfOneCore: median('display'),
      benchProcessWithGraph: median('bench'),
      framesEngineProcessesPercentOfOneCore: framesTotal,
      framesEngineParts: framesParts,
      windows: Object.fromEntries(Object.entries(cpu.percent).map(([name, v]) => [name, v.map((x) => +x.toFixed(1))])),
      box: `createFeed: test pattern with text, libx264 veryfast zerolatency, 1280x720 30 fps ${KBPS} kbit/s, SRT caller (latency ${latencyMs} ms) through the link`,
      boxFps: f.fps,
      boxSpeed: f.speed,
      display: 'switching display (streamselect), 2 SRT feeds, output discarded',
      load: cpu.load.map((l) => +l.toFixed(2)),
      framesLoad: framesCpu.load.map((l) => +l.toFixed(2)),
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}`,
    }));
  } finally {
    await display?.stop();
    await frames?.stop();
    await Promise.all(feeds.map((f) => f.stop()));
    await net.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
