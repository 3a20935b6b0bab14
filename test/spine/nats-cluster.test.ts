import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { validateConfig } from '../../src/config/load.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { quietLogger } from '../helpers/brokers.js';
import { startNatsCluster, type NatsCluster } from '../helpers/nats.js';
import { SITES } from '../helpers/event.js';
import { waitFor } from '../helpers/wait.js';

describe('the floor on a three-node NATS cluster (MQTT)', function () {
  this.timeout(240_000);
  let cluster: NatsCluster;
  let dir: string;
  let conductor: Conductor;
  const boxes: ApplianceRuntime[] = [];
  const drivers: SimulatedDriver[] = [];

  before(async () => {
    cluster = await startNatsCluster();
    dir = await mkdtemp(join(tmpdir(), 'relais-nats-'));
    // Each party starts on its own node and lists the others to fail over to.
    const broker = (node: number): Record<string, unknown> => ({
      url: cluster.urls[node],
      fallbackUrls: cluster.urls.filter((_, i) => i !== node),
      reconnectMs: 300,
      // NATS answers slowly while JetStream elects leaders; a 2 s keepalive would drop healthy links then.
      keepaliveSeconds: 5,
    });
    conductor = new Conductor({
      config: validateConfig('conductor', { event: 'nats', broker: broker(0), conductor: { id: 'c', stateFile: join(dir, 's.json'), heartbeatMs: 300, leaseMs: 3000 }, sites: SITES.map((id) => ({ id })) }, 'test'),
      log: quietLogger('conductor'),
    });
    await conductor.start();
    for (const [i, site] of SITES.entries()) {
      const driver = new SimulatedDriver();
      const runtime = new ApplianceRuntime({ config: validateConfig('site', { event: 'nats', site, broker: broker(i), link: { leaseMs: 3000 } }, 'test'), driver, log: quietLogger(site) });
      await runtime.start();
      boxes.push(runtime);
      drivers.push(driver);
    }
    await waitFor('every box linked through its own node', () => boxes.every((b) => b.linkUp), 30_000);
  });
  after(async () => {
    await Promise.allSettled(boxes.map((b) => b.stop()));
    await conductor?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let op: mqtt.MqttClient;
  const control = (body: object): Promise<unknown> => op.publishAsync('relais/v1/nats/control', JSON.stringify(body), { qos: 1 });
  after(async () => op?.endAsync());

  it('hand-offs stay consistent with the sites on different nodes', async () => {
    op = await mqtt.connectAsync(cluster.urls[1]!, { protocolVersion: 4 });
    await control({ id: 'g1', action: 'grant', site: SITES[2] });
    await waitFor('on air everywhere', () => boxes.every((b) => b.floor?.onAir === SITES[2]), 15_000);
    assert.equal(drivers[2]!.output('onAir').level, true);
    assert.ok(drivers.slice(0, 2).every((d) => !d.output('onAir').level));

    boxes[2]!.press('pass', 'test', SITES[0]);
    await waitFor('passed', () => boxes.every((b) => b.floor?.onAir === SITES[0]), 15_000);

    assert.equal(drivers.filter((d) => d.output('onAir').level).length, 1, 'one ON AIR lamp lit');
  });

  it('clients of a killed node move to another and converge (RELAIS_TEST_NATS_FAILOVER=1)', async function () {
    // With nats-server 2.9.10 this converges in seconds in most runs, but in some a box on a
    // surviving node went without conductor heartbeats for minutes; so it runs on request.
    if (!process.env.RELAIS_TEST_NATS_FAILOVER) this.skip();
    await cluster.kill(2);
    await control({ id: 'g2', action: 'grant', site: SITES[1] });
    await waitFor('the moved box converges', () => boxes.every((b) => b.floor?.onAir === SITES[1] && b.linkUp), 150_000).catch((err: Error) => {
      const seen = boxes.map((b) => `${b.site}: link ${b.linkUp ? 'up' : 'down'}, epoch ${b.floor?.epoch ?? '-'}, on air ${b.floor?.onAir ?? '-'}`).join('; ');
      throw new Error(`${err.message} (${seen}; conductor epoch ${conductor.epoch})`);
    });
    const epochs = new Set(boxes.map((b) => b.floor?.epoch));
    assert.equal(epochs.size, 1, 'one epoch everywhere');
    assert.equal(drivers.filter((d) => d.output('onAir').level).length, 1, 'one ON AIR lamp lit');
  });
});
