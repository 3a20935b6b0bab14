/**
 * The far side of the media benches, in a process of its own (as the relay is
 * on its own machine): the relay (node-media-server for RTMP/HTTP-FLV, the SRT
 * hub) and `relais sim link`'s proxies in front of it, one per feed and
 * direction, all with the same impairment. Its argument is a JSON
 * {@link NetPlan}; it prints one JSON {@link NetPorts} line once everything
 * listens, and when its standard input ends, the proxies' counters, then stops.
 * {@link startNet} runs it from a bench.
 *
 *   box ─link─> relay SRT ingest ... relay SRT egress ─link─> display
 *   box ─link─> relay RTMP       ... relay HTTP-FLV   ─link─> display
 *   box's fan ─> box's own SRT listener ─link─> display  (a feed served directly; the fan
 *               └─> box's uplink ─link─> relay SRT ingest    also feeds the uplink)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseEncoderConfig, parseRelayConfig } from '../src/media/config.js';
import { SrtDirect } from '../src/media/srt-direct.js';
import { createSrtUplink } from '../src/media/srt-uplink.js';
import { recommend } from '../src/media/link-test.js';
import { Relay } from '../src/media/relay.js';
import { srtEgressPort, srtIngestPort } from '../src/media/srt.js';
import { parseImpairment, seededRandom, type LinkImpairmentInput } from '../src/sim/link-model.js';
import { TcpLinkProxy, UdpLinkProxy, type LinkCounters } from '../src/sim/link-proxy.js';
import { createLogger, setLogLevel } from '../src/util/log.js';
import { freePort, freeUdpBlock } from './ports.js';

/** The link of every media bench: 40 ms each way (80 ms RTT), 1 % loss each way. */
export const BENCH_LINK = { delayMs: 40, lossPercent: 1 };

/** The SRT latency `relais link test` recommends for {@link BENCH_LINK}: what a site would configure. */
export function recommendedSrtLatency(): number {
  const rtt = 2 * BENCH_LINK.delayMs;
  return recommend({ pings: 0, rttMs: { min: rtt, p50: rtt, p95: rtt, max: rtt }, roundTripLossPercent: 2 * BENCH_LINK.lossPercent, lossPercent: BENCH_LINK.lossPercent, throughputKbps: null, trains: 0 }).latencyMs;
}

export interface NetPlan {
  /** The boxes' sites; the display is one more site, `display`. */
  sites: string[];
  srtLatencyMs: number;
  link: LinkImpairmentInput;
  secret: string;
  expectedKbps: number;
  /**
   * A feed served directly (encoder.direct): the box's side (the product's SrtDirect and its
   * uplink to the relay, as the box's own process runs them, not the camera's) runs here too,
   * with one more proxy, from the display to the box's listener.
   */
  direct?: boolean;
  /** The relay's WebRTC previews (WHEP) too, on loopback. */
  whep?: boolean;
}

export interface NetPorts {
  /** Per site: where its box sends SRT, and where the display plays it from. */
  srtUp: Record<string, number>;
  srtDown: Record<string, number>;
  /** The relay's RTMP and HTTP-FLV, through the link. */
  rtmpUp: number;
  flvDown: number;
  /** With `direct`: where the box's encoder writes (the fan), and where the display calls the box's listener, through the link. */
  directIn?: string;
  directDown?: number;
  /** The relay's own HTTP-FLV and WHEP ports, not through the link (a dashboard next to the relay). */
  flvLocal: number;
  whepLocal?: number;
}

export type NetCounters = Record<string, LinkCounters>;

async function main(plan: NetPlan): Promise<void> {
  setLogLevel('error');
  const log = createLogger('bench-net');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relais-bench-net-'));
  const sites = [...plan.sites, 'display'];
  const base = await freeUdpBlock(sites.length * (sites.length + 1));
  const srtPlan = { sites, ingestPort: base, egressPort: base + sites.length };
  const srt = parseRelayConfig({ secret: plan.secret, srt: { ...srtPlan, latencyMs: plan.srtLatencyMs, expectedKbps: plan.expectedKbps } }).srt;
  const whep = plan.whep ? { whepPort: await freePort('tcp'), whepHosts: ['127.0.0.1'] } : {};
  const relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort('tcp'), httpPort: await freePort('tcp'), secret: plan.secret, dataDir: dir, log, pollMs: 1000, srt, ...whep });
  await relay.start();

  const impairment = parseImpairment(plan.link);
  const proxies = new Map<string, UdpLinkProxy | TcpLinkProxy>();
  let seed = 1;
  const proxy = async (name: string, kind: 'udp' | 'tcp', targetPort: number): Promise<number> => {
    const o = { listenPort: 0, targetHost: '127.0.0.1', targetPort, impairment, random: seededRandom(seed++) };
    const p = kind === 'udp' ? new UdpLinkProxy(o) : new TcpLinkProxy(o);
    await p.start();
    proxies.set(name, p);
    return p.port;
  };
  const ports: NetPorts = { srtUp: {}, srtDown: {}, rtmpUp: 0, flvDown: 0, flvLocal: Number(new URL(relay.httpUrl).port), ...(relay.whepUrl ? { whepLocal: Number(new URL(relay.whepUrl).port) } : {}) };
  for (const site of plan.sites) {
    ports.srtUp[site] = await proxy(`srt up ${site}`, 'udp', srtIngestPort(srtPlan, site));
    ports.srtDown[site] = await proxy(`srt down ${site}`, 'udp', srtEgressPort(srtPlan, site, 'display'));
  }
  ports.rtmpUp = await proxy('rtmp up', 'tcp', Number(new URL(relay.rtmpUrl).port));
  ports.flvDown = await proxy('flv down', 'tcp', Number(new URL(relay.httpUrl).port));
  let box: Array<{ stop(): Promise<void> }> = [];
  if (plan.direct) {
    const out = parseEncoderConfig({ output: { kind: 'srt', url: `srt://127.0.0.1:${ports.srtUp[plan.sites[0]!]}`, latencyMs: plan.srtLatencyMs } }, 'bench').output;
    if (out.kind !== 'srt') throw new Error('SRT output expected');
    const viewers = [plan.sites[0]!, 'display'];
    const egressPort = await freeUdpBlock(viewers.length * viewers.length);
    const uplink = await createSrtUplink(out, plan.expectedKbps, log, () => undefined);
    const direct = new SrtDirect({ site: viewers[0]!, sites: viewers, egressPort, bind: '127.0.0.1', latencyMs: plan.srtLatencyMs, expectedKbps: plan.expectedKbps, alsoTo: [uplink.localPort], log });
    await direct.start();
    await uplink.supervisor.start();
    box = [uplink.supervisor, direct];
    ports.directIn = direct.encoderTarget;
    ports.directDown = await proxy('direct down', 'udp', srtEgressPort({ sites: viewers, ingestPort: 0, egressPort }, viewers[0]!, 'display'));
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);

  // A bench that died has closed the pipe: stop all the same, the relay's children with it.
  process.stdout.on('error', () => undefined);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  const counters: NetCounters = Object.fromEntries([...proxies].map(([name, p]) => [name, p.counters()]));
  process.stdout.write(`${JSON.stringify(counters)}\n`);
  for (const part of box) await part.stop();
  await Promise.all([...proxies.values()].map((p) => p.stop()));
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
}

/** Starts the far side in its own process; `stop()` ends it and gives the proxies' counters. */
export async function startNet(plan: NetPlan): Promise<{ ports: NetPorts; stop(): Promise<NetCounters> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const first = await lines.next();
  if (first.done) throw new Error(`bench net ended before it listened (exit ${await exited})`);
  return {
    ports: JSON.parse(first.value) as NetPorts,
    async stop() {
      child.stdin.end();
      const last = await lines.next();
      await exited;
      return last.done ? {} : (JSON.parse(last.value) as NetCounters);
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(JSON.parse(process.argv[2] ?? '{}') as NetPlan).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`bench net: ${err.message}\n`);
      process.exit(1);
    },
  );
}
