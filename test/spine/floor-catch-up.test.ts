/**
 * A box that missed a floor catches up from the conductor's heartbeat: the
 * broker holds a newer retained floor than the box ever received live (a
 * message lost while a clustered broker failed over, or a retained copy that
 * lagged), and the heartbeat's epoch tells the box it is behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { decode, encode, topic } from '../../src/protocol/topics.js';
import { acksFrom } from '../helpers/brokers.js';
import { steppedClock, type SteppedClock } from '../helpers/clock.js';
import { conductorMarker } from '../helpers/control.js';
import { conductorConfig, siteConfig } from '../helpers/event.js';
import { quietLogger, recordingLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

const floorAt = (epoch: number, onAir: string | null): Floor => ({
  epoch,
  onAir,
  next: null,
  queue: [],
  since: null,
  item: null,
  plannedEnd: null,
  nextItem: null,
  conductor: 'test-conductor',
  updatedAt: new Date().toISOString(),
});

describe('floor catch-up from the heartbeat (embedded broker)', function () {
  this.timeout(15_000);
  let broker: EmbeddedBroker;
  let conductor: MqttClient;
  let box: ApplianceRuntime;
  let beat: NodeJS.Timeout | undefined;
  let epochInBeat = 1;
  let clock: SteppedClock;
  let boxLog: ReturnType<typeof recordingLogger>;
  const heartbeat = (epoch: number): string =>
    encode('conductorHeartbeat', { conductor: 'test-conductor', epoch, at: new Date().toISOString(), role: 'primary' });
  /** Sends one heartbeat at QoS 1 and waits until the box has read it. */
  async function beatRead(epoch: number): Promise<void> {
    const acks = acksFrom(broker.aedes, 'relais-test-saint-camille', topic('test', 'conductorHeartbeat'));
    try {
      await conductor.publishAsync(topic('test', 'conductorHeartbeat'), heartbeat(epoch), { qos: 1 });
      await waitFor(`the box read a heartbeat at epoch ${epoch}`, () => acks.count > 0);
    } finally {
      acks.stop();
    }
  }
  const asks = (): number => boxLog.lines.filter((l) => l.includes('asking the broker for it again')).length;

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ tcpPort: 0, wsPort: null, log: quietLogger('broker') });
    // The test plays the conductor, so that it can hold a floor back from the box.
    conductor = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'test-conductor' });
    await conductor.publishAsync(topic('test', 'conductorAvailability'), 'online', { qos: 1, retain: true });
    await conductor.publishAsync(topic('test', 'floor'), encode('floor', floorAt(1, null)), { qos: 1, retain: true });
    epochInBeat = 1;
    beat = setInterval(() => {
      void conductor.publishAsync(topic('test', 'conductorHeartbeat'), heartbeat(epochInBeat), { qos: 0 }).catch(() => undefined);
    }, 100);
    clock = steppedClock();
    boxLog = recordingLogger();
    box = new ApplianceRuntime({ config: siteConfig(broker.url, 'saint-camille', { leaseMs: 1000 }), driver: new SimulatedDriver(), log: boxLog, now: clock.now });
    await box.start();
    await waitFor('the box at epoch 1 with its link up', () => box.floor?.epoch === 1 && box.linkUp);
  });
  afterEach(async () => {
    clearInterval(beat);
    await box?.stop();
    await conductor?.endAsync(true);
    await broker?.close();
  });

  it('a heartbeat ahead of the box makes it fetch the retained floor again', async () => {
    // Epoch 2 reaches the broker's retained store but never the box.
    const floor = encode('floor', floorAt(2, 'saint-camille'));
    const store = (broker.aedes as unknown as { persistence: { storeRetained(packet: object): Promise<void> } }).persistence;
    await store.storeRetained({ cmd: 'publish', topic: topic('test', 'floor'), payload: Buffer.from(floor), qos: 1, retain: true, dup: false, brokerId: broker.aedes.id, brokerCounter: 0 });
    // Two heartbeats at epoch 1 read after the change: neither brought epoch 2.
    await beatRead(1);
    await beatRead(1);
    assert.equal(box.floor?.epoch, 1, 'the box did not get epoch 2 on its own');

    epochInBeat = 2;
    await waitFor('the box caught up to epoch 2', () => box.floor?.epoch === 2, 5000);
    assert.equal(box.role, 'on-air');
  });

  it('a heartbeat at the epoch the box has asks for nothing; one ahead asks at most once per lease', async () => {
    const floorSubscribes: number[] = [];
    broker.aedes.on('subscribe', (subs) => {
      if (subs.some((s) => s.topic === topic('test', 'floor'))) floorSubscribes.push(clock.now());
    });
    for (let i = 0; i < 6; i++) await beatRead(1);
    assert.equal(asks(), 0, 'six heartbeats at the same epoch: the box asks for nothing');
    assert.equal(floorSubscribes.length, 0, 'six heartbeats at the same epoch: no new subscription');
    // A conductor ahead whose floor never reaches the broker: the box asks again, but only every lease.
    epochInBeat = 3;
    await beatRead(3);
    await waitFor('the first ask reaches the broker', () => floorSubscribes.length === 1);
    for (let i = 0; i < 4; i++) await beatRead(3);
    assert.equal(asks(), 1, 'within the lease (1 s) the box asks once');
    clock.advance(1000);
    await beatRead(3);
    assert.equal(asks(), 2, 'a lease later it asks again');
    for (let i = 0; i < 3; i++) await beatRead(3);
    assert.equal(asks(), 2);
    await waitFor('the second ask reaches the broker', () => floorSubscribes.length === 2);
    assert.ok(floorSubscribes[1]! - floorSubscribes[0]! >= 1000, 'the two asks are a lease apart on the box clock');
    assert.equal(box.floor?.epoch, 1);
  });
});

describe('the conductor publishes the floor again for a site behind it (embedded broker)', function () {
  this.timeout(15_000);
  let broker: EmbeddedBroker;
  let conductor: Conductor;
  let watcher: MqttClient;
  let dir: string;
  let clock: SteppedClock;
  const floors: Floor[] = [];

  const stateAt = (epoch: number): string =>
    encode('siteState', {
      version: 'test',
      tally: { role: 'idle', link: 'ok', epoch, term: conductor.term },
      lamps: { onAir: { pattern: 'off', level: false } },
      encoder: null,
      cameras: [],
      counters: { badPayloads: 0, droppedPresses: 0 },
      updatedAt: new Date().toISOString(),
    });

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ tcpPort: 0, wsPort: null, log: quietLogger('broker') });
    dir = await mkdtemp(join(tmpdir(), 'relais-catch-up-'));
    clock = steppedClock();
    conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json'), { heartbeatMs: 200 }), log: quietLogger('conductor'), now: clock.now });
    await conductor.start();
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'watcher' });
    floors.length = 0;
    watcher.on('message', (t, p) => {
      const d = decode('floor', p);
      if (t === topic('test', 'floor') && d.ok) floors.push(d.value);
    });
    await watcher.subscribeAsync(topic('test', 'floor'), { qos: 1 });
    await watcher.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'g1', action: 'grant', site: 'rouyn-noranda' }), { qos: 1 });
    await waitFor('epoch 2 on the wire', () => floors.some((f) => f.onAir === 'rouyn-noranda'));
    floors.length = 0;
  });
  afterEach(async () => {
    await watcher?.endAsync(true);
    await conductor?.stop();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a site state at an older epoch brings the same floor again, at most once per three heartbeats', async () => {
    const epoch = conductor.epoch;
    const box = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'lagging-box' });
    try {
      // Just after a change a box's state may be on its way with the old epoch: no copy for that.
      await box.publishAsync(topic('test', 'siteState', 'saint-camille'), stateAt(epoch - 1), { qos: 1 });
      await conductorMarker(box, 'test', watcher);
      assert.equal(floors.length, 0, 'no copy within the first second after the change');
      clock.advance(1000);
      await box.publishAsync(topic('test', 'siteState', 'saint-camille'), stateAt(epoch - 1), { qos: 1 });
      await waitFor('the floor published again', () => floors.length === 1, 3000);
      assert.equal(floors[0]!.epoch, epoch, 'the same floor, not a new one');
      assert.equal(floors[0]!.onAir, 'rouyn-noranda');
      // A burst of lagging states within the rate limit (1 s here) brings no more copies.
      await box.publishAsync(topic('test', 'siteState', 'riviere-du-loup'), stateAt(epoch - 1), { qos: 1 });
      await box.publishAsync(topic('test', 'siteState', 'saint-camille'), stateAt(epoch - 1), { qos: 1 });
      await conductorMarker(box, 'test', watcher);
      assert.equal(floors.length, 1);
      // A state at the current epoch asks for nothing, even after the limit.
      clock.advance(1000);
      await box.publishAsync(topic('test', 'siteState', 'saint-camille'), stateAt(epoch), { qos: 1 });
      await conductorMarker(box, 'test', watcher);
      assert.equal(floors.length, 1);
      assert.equal(conductor.epoch, epoch, 'nothing changed on the floor');
    } finally {
      await box.endAsync(true);
    }
  });
});
