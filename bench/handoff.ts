/**
 * Hand-off latency against its physical floor. A hand-off is at least two
 * MQTT deliveries (the intent in, the floor out) plus the state file's
 * durable write (one slot written, one fdatasync: docs/protocol.md, "The
 * state file"): rule 2 puts the floor on disk before it is on the wire. In the same run, interleaved with
 * the hand-offs so that all three see the same load, this measures:
 *  - raw MQTT publish->receive between two plain clients (QoS 1, no Nagle): the intent's way in;
 *  - raw MQTT publish->received by one plain subscriber per site (the last of them), a payload
 *    the floor's size: the floor's way out, which reaches every site, not one;
 *  - the durable write alone: `StateStore.save` of the conductor's own state file;
 *  - the floor as one chain, after the same 50 ms of quiet as a hand-off: a publish from one client
 *    to one other, on its arrival the durable write, then one publish to every site's subscriber
 *    (RawProbe.chain). The parts above are taken back to back, on a machine already awake; a
 *    hand-off starts from a quiet one, where the first delivery alone takes about five times as long
 *    (docs/benchmarks.md, "The floor taken as a chain"). The headline ratio is against the chain;
 *  - the hand-off: the button edge at the on-air site to the ON AIR output
 *    changed (and the new floor applied) at every site, at 3, 30 and 100 sites,
 * and prints the chain and the ratio hand-off / chain, the floor summed from its parts (raw +
 * fan-out + write), the ratio hand-off / that sum (and against the
 * earlier floor, 2 x raw + write, which counted the way out as one delivery), and the
 * hand-off cut into stages: edge -> intent published -> conductor received ->
 * saved -> floor published -> first box applies it (its lamps set in the same
 * call) -> last box -> done (the later of the last box and the last ON AIR write).
 *
 * Real Mosquitto on loopback, set as scripts/mosquitto/central.conf ships it
 * (`set_tcp_nodelay true`); HANDOFF_BROKER_NAGLE=1 runs it with Mosquitto's
 * own default instead (Nagle on its client sockets). The conductor and the
 * boxes share this process.
 * Run: npx tsx bench/handoff.ts   (bounded: a fixed number of hand-offs per size)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { ApplianceRuntime } from '../src/appliance/runtime.js';
import { Conductor } from '../src/conductor/conductor.js';
import { StateStore } from '../src/conductor/store.js';
import { validateConfig } from '../src/config/load.js';
import { SimulatedDriver } from '../src/hardware/simulated.js';
import { disableNagle } from '../src/mqtt/connect.js';
import type { SiteState } from '../src/protocol/site-state.js';
import { setLogSink } from '../src/util/log.js';
import { startTestBroker } from '../test/helpers/brokers.js';
import { summary, type Summary } from './stats.js';

setLogSink(() => undefined);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Raw deliveries measured after each hand-off (untimed part of the round); one durable write alone per round. */
const RAW_PER_ROUND = 4;
/** Quiet before each timed save (the write alone, and the hand-off's), ms. */
const QUIET_MS = 50;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(1);
  }
}

const RAW_PAYLOAD = JSON.stringify({ pad: 'x'.repeat(300) });
/** A payload of about `bytes` (the floor's size). */
const fanPayload = (bytes: number): string => JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) });
/** Resolves once each of `receivers` has its next message. */
const receivedBy = (receivers: MqttClient[]): Promise<unknown> => Promise.all(receivers.map((c) => new Promise<void>((resolve) => c.once('message', () => resolve()))));

/**
 * Plain clients, as relais's own sockets (src/mqtt/connect.ts, no Nagle): one publisher, one
 * subscriber for a delivery from one client to one other (the intent's way in), and one subscriber
 * per site for the floor's way out, one publish reaching every site. One publish at a time.
 */
class RawProbe {
  private constructor(
    private readonly pub: MqttClient,
    private readonly sub: MqttClient,
    private readonly fan: MqttClient[],
  ) {}

  static async open(url: string, sites: number): Promise<RawProbe> {
    const [sub, pub, ...fan] = await Promise.all(Array.from({ length: sites + 2 }, () => mqtt.connectAsync(url)));
    for (const c of [sub!, pub!, ...fan]) disableNagle(c);
    await sub!.subscribeAsync('bench/raw', { qos: 1 });
    await Promise.all(fan.map((c) => c.subscribeAsync('bench/fan', { qos: 1 })));
    return new RawProbe(pub!, sub!, fan);
  }

  /** One client to one other, a 300-byte payload. */
  sample(count: number, into: number[]): Promise<void> {
    return this.time(count, 'bench/raw', RAW_PAYLOAD, [this.sub], into);
  }

  /** One publish of `bytes` to the last of the sites' subscribers. */
  sampleFanout(count: number, bytes: number, into: number[]): Promise<void> {
    return this.time(count, 'bench/fan', fanPayload(bytes), this.fan, into);
  }

  /**
   * The floor as one chain, the hand-off's own path with nothing of relais in it: a publish from one
   * client to one other (the intent in), on its arrival the durable write, then one publish of `bytes`
   * to every site (the floor out), timed to the last of them. Taken after the same quiet as a hand-off.
   */
  async chain(write: () => Promise<void>, bytes: number): Promise<number> {
    const payload = fanPayload(bytes);
    const startedAt = performance.now();
    const arrived = receivedBy([this.sub]);
    this.pub.publish('bench/raw', RAW_PAYLOAD, { qos: 1 });
    await arrived;
    await write();
    const got = receivedBy(this.fan);
    this.pub.publish('bench/fan', payload, { qos: 1 });
    await got;
    return performance.now() - startedAt;
  }

  /** Publishes `payload` on `topic` `count` times, one at a time, each timed until every one of `receivers` has it. */
  private async time(count: number, topic: string, payload: string, receivers: MqttClient[], into: number[]): Promise<void> {
    for (let i = 0; i < count; i++) {
      const sentAt = performance.now();
      const got = receivedBy(receivers);
      this.pub.publish(topic, payload, { qos: 1 });
      await got;
      into.push(performance.now() - sentAt);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.sub, this.pub, ...this.fan].map((c) => c.endAsync()));
  }
}

/** Times of one hand-off, ms on `performance.now()`; NaN for a stage not seen. */
interface Marks {
  edge: number;
  intent: number;
  received: number;
  /** The conductor's own save of the new state began (StateStore.save called). */
  saving: number;
  saved: number;
  published: number;
  firstBox: number;
  lastBox: number;
  /** The last of the old and new site's ON AIR writes (set in the same call that applies the floor). */
  lastLamp: number;
  done: number;
}

const STAGES: Array<[name: string, from: keyof Marks, to: keyof Marks]> = [
  ['edge->intent published', 'edge', 'intent'],
  ['intent->conductor received', 'intent', 'received'],
  ['received->save begun (queue, role check, floor step)', 'received', 'saving'],
  ['save begun->saved (the durable write)', 'saving', 'saved'],
  ['saved->floor published', 'saved', 'published'],
  ['published->first box', 'published', 'firstBox'],
  ['first box->last box', 'firstBox', 'lastBox'],
  ['last box->done', 'lastBox', 'done'],
];

/** Calls of StateStore.save, by file and epoch: when the conductor's own save of a hand-off began. */
let onSave: (path: string, epoch: number) => void = () => undefined;
const save = StateStore.prototype.save;
StateStore.prototype.save = function timedSave(this: StateStore, ...args: Parameters<StateStore['save']>) {
  onSave(this.path, args[0].epoch);
  return save.apply(this, args);
};

/**
 * HANDOFF_CONDUCTOR=process: the conductor in a child process (bench/handoff-conductor.ts), as on
 * the broker's host; its stages are then not seen, only the whole hand-off. By default it shares
 * this process with the boxes, and every stage is timed.
 */
const OWN_PROCESS = process.env.HANDOFF_CONDUCTOR === 'process';

async function startConductor(config: object): Promise<Conductor> {
  const conductor = new Conductor({ config: validateConfig('conductor', config, 'bench') });
  await conductor.start();
  return conductor;
}

/** A conductor in its own process: the bench's listeners on it hear nothing (its stages stay NaN). */
class ConductorProcess extends EventEmitter {
  private constructor(private readonly child: ChildProcess) {
    super();
  }

  static async start(config: object): Promise<ConductorProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'handoff-conductor.ts'), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [ready] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => { throw new Error('bench: the conductor process ended before it was ready'); })])) as [Buffer];
    if (!ready.toString().includes('ready')) throw new Error(`bench: the conductor process said ${ready.toString()}`);
    return new ConductorProcess(child);
  }

  async stop(): Promise<void> {
    const gone = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await gone;
  }
}

interface SizeResult {
  handoff: Summary;
  /** The floor as one chain after the same quiet as a hand-off (RawProbe.chain). */
  chain: Summary;
  raw: Summary;
  fanout: Summary;
  write: Summary;
  stages: Record<string, { p50: number; p99: number }>;
}

async function handoffs(url: string, siteCount: number, rounds: number): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'relais-bench-'));
  const sites = Array.from({ length: siteCount }, (_, i) => `site-${String(i + 1).padStart(3, '0')}`);
  const stateFile = join(dir, 'state.json');
  const conductorConfig = {
    event: 'bench',
    broker: { url },
    conductor: { id: 'bench', stateFile, nextPolicy: 'queue' },
    sites: sites.map((id) => ({ id })),
  };
  const conductor = OWN_PROCESS ? await ConductorProcess.start(conductorConfig) : await startConductor(conductorConfig);
  const boxes = await Promise.all(sites.map(async (site) => {
    const driver = new SimulatedDriver();
    // No double: at 3 sites the same button comes round again within the default 400 ms
    // and would make a double. The recogniser acts on the first edge either way.
    const runtime = new ApplianceRuntime({
      config: validateConfig('site', { event: 'bench', site, broker: { url }, buttons: { podium: { input: 'podium', lamp: 'buttonLamp', doubleMs: 0 } } }, 'bench'),
      driver,
    });
    await runtime.start();
    return { site, runtime, driver };
  }));
  await until(() => boxes.every((b) => b.runtime.linkUp), 'every box link up', 20_000);

  const control = await mqtt.connectAsync(url);
  disableNagle(control);
  const send = (body: object): Promise<unknown> => control.publishAsync('relais/v1/bench/control', JSON.stringify(body), { qos: 1 });
  await send({ id: 'g0', action: 'grant', site: sites[0] });
  await send({ id: 'q0', action: 'reorder', queue: sites.slice(1) });
  await until(() => boxes.every((b) => b.runtime.floor?.queue.length === siteCount - 1 && b.runtime.floor.onAir === sites[0]), 'the first floor');

  const probe = await RawProbe.open(url, siteCount);
  const copy = new StateStore(join(dir, 'write-alone.json'), 'bench');
  const original = new StateStore(stateFile, 'bench');
  const rawSamples: number[] = [];
  const fanSamples: number[] = [];
  const writeSamples: number[] = [];
  const chainSamples: number[] = [];
  const samples: number[] = [];
  const marks: Marks[] = [];

  for (let round = 0; round < rounds; round++) {
    const from = boxes.find((b) => b.runtime.role === 'on-air')!;
    const floor = from.runtime.floor!;
    const to = boxes.find((b) => b.site === floor.queue[0])!;
    const expectedEpoch = floor.epoch + 1;
    const m: Marks = { edge: NaN, intent: NaN, received: NaN, saving: NaN, saved: NaN, published: NaN, firstBox: NaN, lastBox: NaN, lastLamp: NaN, done: NaN };
    let applied = 0;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const settled = (): void => {
      if (applied === boxes.length && to.driver.output('onAir').level && !from.driver.output('onAir').level) finish();
    };
    const lamps = [from, to].map((b) => b.driver.output('onAir'));
    const onLamp = (): void => {
      m.lastLamp = performance.now();
      settled();
    };
    const onFloor = (f: { epoch: number }): void => {
      if (f.epoch < expectedEpoch) return;
      const at = performance.now();
      if (applied === 0) m.firstBox = at;
      m.lastBox = at;
      applied += 1;
      settled();
    };
    const onPress = (outcome: string): void => {
      if (outcome === 'sent' && Number.isNaN(m.intent)) m.intent = performance.now();
    };
    const onReceived = (): void => {
      if (Number.isNaN(m.received)) m.received = performance.now();
    };
    onSave = (path, epoch) => {
      if (path === stateFile && epoch === expectedEpoch) m.saving = performance.now();
    };
    const onSaved = (epoch: number): void => {
      if (epoch === expectedEpoch) m.saved = performance.now();
    };
    const onPublished = (f: { epoch: number }): void => {
      if (f.epoch === expectedEpoch) m.published = performance.now();
    };
    // Each listener with the call that takes it off again.
    const detach = [
      ...lamps.map((l) => (l.on('write', onLamp), () => l.off('write', onLamp))),
      ...boxes.map((b) => (b.runtime.on('floor', onFloor), () => b.runtime.off('floor', onFloor))),
      (from.runtime.on('press', onPress), () => from.runtime.off('press', onPress)),
      (conductor.on('received', onReceived), () => conductor.off('received', onReceived)),
      (conductor.on('saved', onSaved), () => conductor.off('saved', onSaved)),
      (conductor.on('floor', onPublished), () => conductor.off('floor', onPublished)),
    ];

    const input = from.driver.input('podium');
    const describe = (): string => `hand-off ${round} from ${from.site} to ${to.site} did not settle: to=${to.driver.output('onAir').level} from=${from.driver.output('onAir').level} applied=${applied}/${boxes.length} want epoch ${expectedEpoch}`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(describe())), 10_000);
    });
    m.edge = performance.now();
    input.setLevel(true);
    await Promise.race([done, timeout]);
    clearTimeout(timer);
    m.done = Math.max(m.lastBox, m.lastLamp);
    samples.push(m.done - m.edge);
    marks.push(m);
    detach.forEach((off) => off());
    input.setLevel(false);

    // Untimed: the floor's parts under the same load, then the site that passed back in the queue.
    await probe.sample(RAW_PER_ROUND, rawSamples);
    const floorBytes = Buffer.byteLength(JSON.stringify(to.runtime.floor));
    await probe.sampleFanout(RAW_PER_ROUND, floorBytes, fanSamples);
    const reorderEpoch = expectedEpoch + 1;
    const reported = new Set<string>();
    const onState = (site: string) => (state: SiteState): void => {
      if (state.tally.epoch >= reorderEpoch) reported.add(site);
    };
    const stopStates = boxes.map((b) => {
      const listener = onState(b.site);
      b.runtime.on('state', listener);
      return () => b.runtime.off('state', listener);
    });
    await send({ id: `r${round}`, action: 'reorder', queue: [...to.runtime.floor!.queue, from.site] });
    await until(() => boxes.every((b) => b.runtime.floor?.queue.includes(from.site) ?? false), 'the reorder');
    // Every box reports the reorder in its state (coalesced 50 ms after a change) before the next
    // press, as it would long before a person's next press: otherwise the next hand-off would
    // race the states of the last change, a burst the field never puts in the middle of one.
    // That also leaves the button's bounce window (30 ms) behind.
    await until(() => reported.size === boxes.length, 'every box to report the reorder in its state');
    stopStates.forEach((off) => off());
    // The write alone, after the same kind of quiet as the hand-off's own save: an fsync commits
    // the file system's whole journal, so one right after another is quicker than one after a pause.
    await sleep(QUIET_MS);
    const state = await original.load();
    if (state) {
      const started = performance.now();
      await copy.save(state, 'bench');
      writeSamples.push(performance.now() - started);
      await sleep(QUIET_MS);
      chainSamples.push(await probe.chain(() => copy.save(state, 'bench'), floorBytes));
    }
    await sleep(QUIET_MS);
  }

  await probe.close();
  await control.endAsync();
  await Promise.allSettled(boxes.map((b) => b.runtime.stop()));
  await conductor.stop();
  await rm(dir, { recursive: true, force: true });
  const stages = Object.fromEntries(STAGES.map(([name, a, b]) => {
    const s = summary(marks.map((mk) => mk[b] - mk[a]).filter((x) => Number.isFinite(x)));
    return [name, { p50: s.p50, p99: s.p99 }];
  }));
  return { handoff: summary(samples), raw: summary(rawSamples), fanout: summary(fanSamples), write: summary(writeSamples), chain: summary(chainSamples), stages };
}

const round2 = (x: number): number => +x.toFixed(2);

const nagle = process.env.HANDOFF_BROKER_NAGLE === '1';
const broker = await startTestBroker('mosquitto', nagle ? { tcpNoDelay: false } : {});
console.log(JSON.stringify({ bench: 'hand-off setting', mosquitto: nagle ? 'Nagle on (Mosquitto default)' : 'set_tcp_nodelay true (central.conf)', conductor: OWN_PROCESS ? 'own process' : 'shares the boxes\' process' }));
try {
  for (const [sites, rounds] of (process.env.HANDOFF_SIZES ? JSON.parse(process.env.HANDOFF_SIZES) as Array<[number, number]> : [[3, 300], [30, 150], [100, 60]])) {
    const { handoff, raw, fanout, write, chain, stages } = await handoffs(broker.url, sites, rounds);
    // The intent in (one client to one other), the floor out (one publish to every site), the write.
    const floorP50 = raw.p50 + fanout.p50 + write.p50;
    const floorP99 = raw.p99 + fanout.p99 + write.p99;
    console.log(JSON.stringify({ bench: 'raw-mqtt publish->receive (QoS 1)', sites, ...raw }));
    console.log(JSON.stringify({ bench: 'raw-mqtt publish->received by every site (QoS 1, the floor\'s size)', sites, ...fanout }));
    console.log(JSON.stringify({ bench: 'durable write alone (StateStore.save)', sites, ...write }));
    console.log(JSON.stringify({ bench: 'the floor as one chain after the same quiet (publish -> write -> publish to every site)', sites, ...chain }));
    console.log(JSON.stringify({
      bench: 'hand-off button->ON AIR at every site',
      sites,
      ...handoff,
      floorP50: round2(floorP50),
      floorP99: round2(floorP99),
      chainP50: round2(chain.p50),
      chainP99: round2(chain.p99),
      // Against the floor taken as the hand-off's own path, after the same quiet (the headline ratio).
      p50RatioChain: round2(handoff.p50 / chain.p50),
      p99RatioChain: round2(handoff.p99 / chain.p99),
      // Against the floor summed from its parts (the deliveries taken back to back, warm).
      p50Ratio: round2(handoff.p50 / floorP50),
      p99Ratio: round2(handoff.p99 / floorP99),
      // Against the floor of earlier figures, where the floor's way out was counted as one delivery to one client.
      p50RatioOneToOne: round2(handoff.p50 / (2 * raw.p50 + write.p50)),
    }));
    console.log(JSON.stringify({ bench: 'hand-off stages (ms)', sites, ...stages }));
  }
} finally {
  await broker.stop();
}
