/**
 * Hand-off latency: from a simulated button edge at the on-air site to the
 * ON AIR output having changed at every site, through a real Mosquitto on
 * loopback, with 3, 30 and 100 sites; beside it, the raw publish-to-receive
 * time between two plain MQTT clients in the same run.
 *
 * Run: npx tsx bench/handoff.ts   (bounded: a fixed number of hand-offs per size)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ApplianceRuntime } from '../src/appliance/runtime.js';
import { Conductor } from '../src/conductor/conductor.js';
import { validateConfig } from '../src/config/load.js';
import { SimulatedDriver } from '../src/hardware/simulated.js';
import { setLogSink } from '../src/util/log.js';
import { startTestBroker } from '../test/helpers/brokers.js';
import { summary, type Summary } from './stats.js';

setLogSink(() => undefined);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await sleep(1);
  }
}

async function rawMqtt(url: string, count: number): Promise<Summary> {
  const sub = await mqtt.connectAsync(url);
  const pub = await mqtt.connectAsync(url);
  await sub.subscribeAsync('bench/raw', { qos: 1 });
  const samples: number[] = [];
  let resolve: (() => void) | null = null;
  let sentAt = 0;
  sub.on('message', () => {
    samples.push(performance.now() - sentAt);
    resolve?.();
  });
  for (let i = 0; i < count; i++) {
    const got = new Promise<void>((r) => (resolve = r));
    sentAt = performance.now();
    pub.publish('bench/raw', JSON.stringify({ i, pad: 'x'.repeat(300) }), { qos: 1 });
    await got;
  }
  await Promise.all([sub.endAsync(), pub.endAsync()]);
  return summary(samples);
}

async function handoffs(url: string, siteCount: number, rounds: number): Promise<Summary> {
  const dir = await mkdtemp(join(tmpdir(), 'relais-bench-'));
  const sites = Array.from({ length: siteCount }, (_, i) => `site-${String(i + 1).padStart(3, '0')}`);
  const conductor = new Conductor({
    config: validateConfig('conductor', {
      event: 'bench',
      broker: { url },
      conductor: { id: 'bench', stateFile: join(dir, 'state.json'), nextPolicy: 'queue' },
      sites: sites.map((id) => ({ id })),
    }, 'bench'),
  });
  await conductor.start();
  const boxes = await Promise.all(sites.map(async (site) => {
    const driver = new SimulatedDriver();
    const runtime = new ApplianceRuntime({
      config: validateConfig('site', { event: 'bench', site, broker: { url }, buttons: { podium: { input: 'podium', lamp: 'buttonLamp', doubleMs: 0 } } }, 'bench'),
      driver,
    });
    await runtime.start();
    return { site, runtime, driver };
  }));
  await until(() => boxes.every((b) => b.runtime.linkUp), 20_000);

  const control = await mqtt.connectAsync(url);
  const send = (body: object): Promise<unknown> => control.publishAsync('relais/v1/bench/control', JSON.stringify(body), { qos: 1 });
  await send({ id: 'g0', action: 'grant', site: sites[0] });
  await send({ id: 'q0', action: 'reorder', queue: sites.slice(1) });
  await until(() => boxes.every((b) => b.runtime.floor?.queue.length === siteCount - 1 && b.runtime.floor.onAir === sites[0]));

  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const from = boxes.find((b) => b.runtime.role === 'on-air')!;
    const floor = from.runtime.floor!;
    const to = boxes.find((b) => b.site === floor.queue[0])!;
    const expectedEpoch = floor.epoch + 1;
    const started = performance.now();
    let lastChange = started;
    const lamps = boxes.map((b) => b.driver.output('onAir'));
    const settled = (): boolean => to.driver.output('onAir').level && !from.driver.output('onAir').level && boxes.every((b) => (b.runtime.floor?.epoch ?? 0) >= expectedEpoch);
    let poll: NodeJS.Timeout | null = null;
    const done = new Promise<void>((resolve) => {
      lamps.forEach((l) => l.on('write', () => {
        lastChange = performance.now();
        if (settled()) resolve();
      }));
      // Boxes whose lamp does not change (neither sender nor receiver) only need the new epoch.
      poll = setInterval(() => settled() && resolve(), 1);
    });
    const input = from.driver.input('podium');
    input.setLevel(true);
    let timer: NodeJS.Timeout | null = null;
    const describe = (): string => `hand-off ${round} from ${from.site} to ${to.site} did not settle: to=${to.driver.output('onAir').level} from=${from.driver.output('onAir').level} epochs=${boxes.map((b) => b.runtime.floor?.epoch).join(',')} want ${expectedEpoch}`;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(describe())), 10_000);
    });
    await Promise.race([done, timeout]);
    if (timer) clearTimeout(timer);
    if (poll) clearInterval(poll);
    samples.push(lastChange - started);
    lamps.forEach((l) => l.removeAllListeners('write'));
    input.setLevel(false);
    // Put the site that passed back in the queue (not timed).
    await send({ id: `r${round}`, action: 'reorder', queue: [...to.runtime.floor!.queue, from.site] });
    await until(() => boxes.every((b) => b.runtime.floor?.queue.includes(from.site) ?? false));
    // Past the button's bounce window (30 ms), as a person's next press would be.
    await sleep(40);
  }

  await control.endAsync();
  await Promise.allSettled(boxes.map((b) => b.runtime.stop()));
  await conductor.stop();
  await rm(dir, { recursive: true, force: true });
  return summary(samples);
}

const broker = await startTestBroker('mosquitto');
try {
  const raw = await rawMqtt(broker.url, 1000);
  console.log(JSON.stringify({ bench: 'raw-mqtt publish->receive (QoS 1)', ...raw }));
  for (const [sites, rounds] of [[3, 300], [30, 150], [100, 60]] as const) {
    const result = await handoffs(broker.url, sites, rounds);
    console.log(JSON.stringify({ bench: `hand-off button->ON AIR at every site`, sites, ...result, p50Ratio: +(result.p50 / raw.p50).toFixed(2), p99Ratio: +(result.p99 / raw.p99).toFixed(2) }));
  }
} finally {
  await broker.stop();
}
