/**
 * CPU of `relais demo`'s whole room-feed chain, SRT against RTMP (bounded,
 * about 90 s): the demo in this process (broker, conductor, three boxes, no
 * dashboard) with its three 640x360 15 fps test patterns, once with the feeds
 * over SRT through the relay's hub (the displays are switchers decoding the
 * two other sites each) and once over RTMP (the displays play the on-air site
 * over HTTP-FLV). A site is on air in both, so the displays decode.
 *
 * CPU is this process and every descendant, summed from /proc/<pid>/stat over
 * 6 windows of 2 s: the median total as % of one core, and by program
 * (node, ffmpeg, srt-live-transmit, ...).
 *
 * Run: npx tsx bench/demo-cpu.ts   (prints one JSON line per kind of feed)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import mqtt from 'mqtt';
import { mediaDemoExtension, type DemoFeeds } from '../src/demo/media-extension.js';
import { startDemo } from '../src/demo/demo.js';
import { createLogger, setLogLevel } from '../src/util/log.js';
import { freePort, freeUdpBlock } from './ports.js';
import { cpuTicks } from './proc.js';
import { summary } from './stats.js';

setLogLevel('error');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every process under `root` (itself included), with its program name. */
function tree(root: number): Map<number, string> {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      name.set(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const inside = new Map<number, string>([[root, name.get(root) ?? 'node']]);
  const role = (pid: number): string => {
    const program = name.get(pid) ?? '?';
    if (program !== 'ffmpeg') return program;
    let argv = '';
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      // gone meanwhile
    }
    if (argv.includes('streamselect')) return 'ffmpeg switcher';
    if (argv.includes('-c copy')) return 'ffmpeg remux';
    if (argv.includes('libx264')) return 'ffmpeg encoder';
    return 'ffmpeg player';
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!inside.has(pid) && inside.has(ppid)) {
        inside.set(pid, role(pid));
        grew = true;
      }
    }
  }
  return inside;
}

function ticksByName(pids: Map<number, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, name] of pids) {
    try {
      out.set(name, (out.get(name) ?? 0) + cpuTicks(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function measure(feeds: DemoFeeds): Promise<Record<string, unknown>> {
  const extension = mediaDemoExtension({ rtmpPort: await freePort('tcp'), httpPort: await freePort('tcp'), srtPort: await freeUdpBlock(12), feeds });
  const demo = await startDemo({ host: '127.0.0.1', mqttPort: await freePort('tcp'), wsPort: await freePort('tcp'), interactive: false, extensions: [extension], log: createLogger('bench') });
  try {
    const op = await mqtt.connectAsync(demo.brokerUrl);
    await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: `bench-${feeds}`, action: 'grant', site: 'rouyn-noranda' }), { qos: 1 });
    await op.endAsync();
    const display = (site: string): { playing?: string | null } | undefined => (demo.boxes.get(site)!.runtime.siteState() as { display?: { playing?: string | null } }).display;
    for (let i = 0; i < 120 && display('saint-camille')?.playing !== 'rouyn-noranda'; i += 1) await sleep(250);
    if (display('saint-camille')?.playing !== 'rouyn-noranda') throw new Error(`bench: the display of saint-camille does not play rouyn-noranda (${feeds})`);
    await sleep(4000);
    const pids = tree(process.pid);
    const totals: number[] = [];
    const byName = new Map<string, number[]>();
    let before = ticksByName(pids);
    let at = performance.now();
    for (let i = 0; i < 6; i += 1) {
      await sleep(2000);
      const now = performance.now();
      const after = ticksByName(pids);
      const seconds = (now - at) / 1000;
      let total = 0;
      for (const [name, ticks] of after) {
        const percent = (ticks - (before.get(name) ?? 0)) / seconds;
        total += percent;
        byName.set(name, [...(byName.get(name) ?? []), percent]);
      }
      totals.push(total);
      before = after;
      at = now;
    }
    const count = new Map<string, number>();
    for (const name of pids.values()) count.set(name, (count.get(name) ?? 0) + 1);
    return {
      bench: 'demo-cpu',
      feeds,
      totalPercentOfOneCore: +summary(totals).p50.toFixed(1),
      load: +(loadavg()[0] ?? 0).toFixed(1),
      byProgram: Object.fromEntries([...byName].map(([name, values]) => [`${name} x${count.get(name)}`, +summary(values).p50.toFixed(1)])),
    };
  } finally {
    await demo.stop();
  }
}

for (const feeds of ['rtmp', 'srt'] as const) console.log(JSON.stringify(await measure(feeds)));
