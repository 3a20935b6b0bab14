/**
 * A box that missed a floor catches up from the conductor's heartbeat: the
 * broker holds a newer retained floor than the box ever received live (a
 * message lost while a clustered broker failed over, or a retained copy that
 * lagged), and the heartbeat's epoch tells the box it is behind.
 */
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { encode, topic } from '../../src/protocol/topics.js';
import { siteConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
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

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ tcpPort: 0, wsPort: null, log: quietLogger('broker') });
    // The test plays the conductor, so that it can hold a floor back from the box.
    conductor = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'test-conductor' });
    await conductor.publishAsync(topic('test', 'conductorAvailability'), 'online', { qos: 1, retain: true });
    await conductor.publishAsync(topic('test', 'floor'), encode('floor', floorAt(1, null)), { qos: 1, retain: true });
    epochInBeat = 1;
    beat = setInterval(() => {
      const payload = encode('conductorHeartbeat', { conductor: 'test-conductor', epoch: epochInBeat, at: new Date().toISOString(), role: 'primary' });
      void conductor.publishAsync(topic('test', 'conductorHeartbeat'), payload, { qos: 0 }).catch(() => undefined);
    }, 100);
    box = new ApplianceRuntime({ config: siteConfig(broker.url, 'saint-camille', { leaseMs: 1000 }), driver: new SimulatedDriver(), log: quietLogger('saint-camille') });
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
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(box.floor?.epoch, 1, 'the box did not get epoch 2 on its own');

    epochInBeat = 2;
    await waitFor('the box caught up to epoch 2', () => box.floor?.epoch === 2, 5000);
    assert.equal(box.role, 'on-air');
  });

  it('a heartbeat at the epoch the box has asks for nothing; one ahead asks at most once per lease', async () => {
    const floorSubscribes: number[] = [];
    broker.aedes.on('subscribe', (subs) => {
      if (subs.some((s) => s.topic === topic('test', 'floor'))) floorSubscribes.push(Date.now());
    });
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(floorSubscribes.length, 0, 'six heartbeats at the same epoch: no new subscription');
    // A conductor ahead whose floor never reaches the broker: the box asks again, but only every lease.
    epochInBeat = 3;
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(floorSubscribes.length >= 2 && floorSubscribes.length <= 4, `asked ${floorSubscribes.length} times in 2.5 s with a 1 s lease`);
    assert.equal(box.floor?.epoch, 1);
  });
});
