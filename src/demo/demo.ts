/**
 * `relais demo`: the embedded broker, a conductor and three simulated sites in
 * one process, with a live screen on a terminal. Later parts (relay and feeds,
 * dashboard) join through {@link DemoExtension}s.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplianceRuntime } from '../appliance/runtime.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded.js';
import { Conductor } from '../conductor/conductor.js';
import { validateConfig } from '../config/load.js';
import { SimulatedDriver } from '../hardware/simulated.js';
import { encode, publishOptions, topic } from '../protocol/topics.js';
import { createLogger, setLogSink, type Logger } from '../util/log.js';
import { runUntilSignal } from '../util/signals.js';
import type { Feature } from '../appliance/feature.js';
import { DEMO_EVENT, DEMO_RUNDOWN, DEMO_SITES, DEMO_TITLE, demoUsers, DEMO_LOGINS } from './scenario.js';
import { keyOrder, renderScreen } from './screen.js';
import { t } from '../i18n/index.js';

export interface DemoOptions {
  host: string;
  mqttPort: number;
  wsPort: number;
  /** Use this broker instead of the embedded one. */
  brokerUrl?: string;
  stateDir?: string;
  /** Live screen and keys (default: when stdout is a terminal). */
  interactive: boolean;
  extensions?: DemoExtension[];
  log?: Logger;
}

export interface DemoContext {
  event: string;
  title: string;
  sites: typeof DEMO_SITES;
  host: string;
  brokerUrl: string;
  wsUrl: string | null;
  logins: typeof DEMO_LOGINS;
  log: Logger;
}

/** Something the demo starts beside the core: a relay with feeds, the dashboard. */
export interface DemoExtension {
  name: string;
  /** Features a simulated site runs (encoder, display, PTZ). */
  siteFeatures?(site: string, ctx: DemoContext, driver: SimulatedDriver): Feature[];
  /** `keys`: what a key on the live screen does (`c`: a cut on every switcher). */
  start(ctx: DemoContext): Promise<{ lines: string[]; stop(): Promise<void>; keys?: Record<string, () => void> } | null>;
}

export interface RunningDemo {
  broker: EmbeddedBroker | null;
  brokerUrl: string;
  conductor: Conductor;
  boxes: Map<string, { runtime: ApplianceRuntime; driver: SimulatedDriver }>;
  lines: string[];
  /** The extensions' keys on the live screen. */
  keys: Map<string, () => void>;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const log = options.log ?? createLogger('demo');
  const users = demoUsers();
  let broker: EmbeddedBroker | null = null;
  let brokerUrl = options.brokerUrl;
  let wsUrl: string | null = null;
  if (!brokerUrl) {
    broker = await startEmbeddedBroker({ host: options.host, tcpPort: options.mqttPort, wsPort: options.wsPort, users, anonymousRole: 'admin', log: log.child('broker') });
    brokerUrl = broker.url;
    wsUrl = broker.wsUrl;
  }
  const login = (username: string): Record<string, string> => {
    if (!broker) return {};
    const user = users.find((u) => u.username === username)!;
    return { username: user.username, password: user.password };
  };
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'relais-demo-')));
  const conductor = new Conductor({
    config: validateConfig('conductor', {
      event: DEMO_EVENT,
      title: DEMO_TITLE,
      broker: { url: brokerUrl, ...login('relais-conductor') },
      conductor: { id: 'demo-conductor', stateFile: join(stateDir, 'conductor-state.json'), autoGrant: true, peers: ['demo-conductor'] },
      sites: DEMO_SITES,
      rundown: DEMO_RUNDOWN,
    }, 'demo'),
    log: log.child('conductor'),
  });
  await conductor.start();

  const ctx: DemoContext = { event: DEMO_EVENT, title: DEMO_TITLE, sites: DEMO_SITES, host: options.host, brokerUrl, wsUrl, logins: DEMO_LOGINS, log };
  const extensions = options.extensions ?? [];
  const lines: string[] = [];
  if (broker) lines.push(`MQTT ${broker.url}  WebSockets ${broker.wsUrl ?? 'off'}  (logins: operator/${DEMO_LOGINS.operator.password}, viewer/${DEMO_LOGINS.viewer.password})`);
  const stops: Array<() => Promise<void>> = [];
  const keys = new Map<string, () => void>();
  for (const extension of extensions) {
    try {
      const started = await extension.start(ctx);
      if (started) {
        lines.push(...started.lines);
        stops.push(started.stop);
        for (const [key, run] of Object.entries(started.keys ?? {})) keys.set(key, run);
      }
    } catch (err) {
      lines.push(`${extension.name}: not started (${(err as Error).message})`);
    }
  }

  const boxes = new Map<string, { runtime: ApplianceRuntime; driver: SimulatedDriver }>();
  for (const site of DEMO_SITES) {
    const driver = new SimulatedDriver();
    const features = extensions.flatMap((e) => e.siteFeatures?.(site.id, ctx, driver) ?? []);
    const runtime = new ApplianceRuntime({
      config: validateConfig('site', { event: DEMO_EVENT, site: site.id, name: site.name, broker: { url: brokerUrl, ...login(`site-${site.id}`) } }, 'demo'),
      driver,
      features,
      log: log.child(site.id),
    });
    await runtime.start();
    boxes.set(site.id, { runtime, driver });
  }

  return {
    broker,
    brokerUrl,
    conductor,
    boxes,
    lines,
    keys,
    async stop() {
      await Promise.allSettled([...boxes.values()].map((b) => b.runtime.stop()));
      await Promise.allSettled(stops.map((s) => s()));
      await conductor.stop();
      await broker?.close();
    },
  };
}

/** Runs the demo until Ctrl-C (or `q`), with the live screen on a terminal. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const logLines: string[] = [];
  if (options.interactive) {
    setLogSink((line) => {
      logLines.push(line.replace(/^\S+ /, ''));
      if (logLines.length > 8) logLines.shift();
    });
  }
  const demo = await startDemo(options);
  const out = process.stdout;
  let timer: NodeJS.Timeout | null = null;
  const shutdown = async (): Promise<void> => {
    if (timer) clearInterval(timer);
    if (options.interactive) {
      out.write('\u001b[?25h\n');
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    process.stderr.write(`relais demo: ${t('tools.demoStopping')}\n`);
    await demo.stop();
    process.stderr.write(`relais demo: ${t('tools.demoStopped')}\n`);
  };
  // `q` or Ctrl-C on the live screen (raw mode: no SIGINT) ends the demo as a signal does.
  const quit = new AbortController();
  const done = runUntilSignal(shutdown, { abort: quit.signal });
  if (options.interactive && process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (data: Buffer) => {
      const key = data.toString();
      const sites = keyOrder([...demo.boxes.entries()].map(([site, box]) => ({ site, ...box })));
      const index = Number(key) - 1;
      if (key === 'q' || key === '\u0003') quit.abort();
      else if (Number.isInteger(index) && sites[index]) sites[index]!.driver.input('podium').press();
      else if (key === 'n' || key === 'r') void operatorControl(demo, key === 'n' ? 'next' : 'revoke');
      else demo.keys.get(key)?.();
    });
  }
  if (options.interactive) {
    const boxes = [...demo.boxes.values()].map((b) => b.runtime);
    const draw = (): void => {
      out.write('\u001b[?25l\u001b[H\u001b[2J' + renderScreen({ title: DEMO_TITLE, conductor: demo.conductor, boxes, names: Object.fromEntries(DEMO_SITES.map((s) => [s.id, s.name])), extraLines: () => demo.lines, logLines: () => logLines }, out.columns || 100) + '\n');
    };
    draw();
    timer = setInterval(draw, 200);
  } else {
    for (const line of demo.lines) process.stderr.write(`relais demo: ${line}\n`);
    process.stderr.write(`relais demo: ${t('tools.demoRunning')}\n`);
  }
  await done;
}

async function operatorControl(demo: RunningDemo, action: 'next' | 'revoke'): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const client = await mqtt.connectAsync(demo.brokerUrl, { connectTimeout: 3000 });
  await client.publishAsync(topic(DEMO_EVENT, 'control'), encode('control', { id: `keyboard-${Date.now()}`, action, origin: 'keyboard' }), publishOptions('control'));
  await client.endAsync();
}
