import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { validateConfig } from '../../src/config/load.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { SubscriptionKeeper } from '../../src/mqtt/subscriptions.js';
import { controlUntilAnswered } from '../helpers/control.js';
import { quietLogger } from '../helpers/log.js';
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
  let opSubscriptions: SubscriptionKeeper;
  const control = (body: object): Promise<unknown> => op.publishAsync('relais/v1/nats/control', JSON.stringify(body), { qos: 1 });
  after(async () => {
    opSubscriptions?.stop();
    await op?.endAsync();
  });

  it('hand-offs stay consistent with the sites on different nodes', async () => {
    op = await mqtt.connectAsync(cluster.urls[1]!, { protocolVersion: 4, resubscribe: false });
    opSubscriptions = new SubscriptionKeeper(op, { maxRetryMs: 1000 });
    await opSubscriptions.add('relais/v1/nats/events');
    await control({ id: 'g1', action: 'grant', site: SITES[2] });
    await waitFor('on air everywhere', () => boxes.every((b) => b.floor?.onAir === SITES[2]), 15_000);
    assert.equal(drivers[2]!.output('onAir').level, true);
    assert.ok(drivers.slice(0, 2).every((d) => !d.output('onAir').level));

    boxes[2]!.press('pass', 'test', SITES[0]);
    await waitFor('passed', () => boxes.every((b) => b.floor?.onAir === SITES[0]), 15_000);

    assert.equal(drivers.filter((d) => d.output('onAir').level).length, 1, 'one ON AIR lamp lit');
  });

  it('clients of a killed node move to another and converge', async function () {
    // The surviving nodes refuse subscriptions until JetStream has elected new leaders: the boxes'
    // subscription keepers ask again until they are granted (before, a box stayed deaf for good).
    const epochBefore = conductor.epoch;
    await cluster.kill(2);
    // While the cluster elects leaders a QoS 1 publish may go unanswered: the operator sends the
    // same control again until the conductor answers, and the id makes it apply once.
    // Late copies of a resent control are answered as duplicates: collect them up to a marker sent after them.
    const answers = await controlUntilAnswered(op, 'nats', { id: 'g2', action: 'grant', site: SITES[1] }, { timeoutMs: 90_000, collectLate: true });
    await waitFor('the moved box converges', () => boxes.every((b) => b.floor?.onAir === SITES[1] && b.linkUp), 90_000).catch((err: Error) => {
      const seen = boxes.map((b) => `${b.site}: link ${b.linkUp ? 'up' : 'down'}, epoch ${b.floor?.epoch ?? '-'}, on air ${b.floor?.onAir ?? '-'}`).join('; ');
      throw new Error(`${err.message} (${seen}; conductor epoch ${conductor.epoch})`);
    });
    // Every copy is answered (the first answer itself may be lost, then only duplicates arrive), and applied once.
    assert.ok(answers.every((a) => a.result === 'accepted'), JSON.stringify(answers));
    // Applied once: one first answer at most, every copy answered with the same epoch (a second application would be
    // refused as already on air, or answered with a new epoch). A conductor whose node died re-validates its role and
    // announces that with one epoch more, before or after the grant: the conductor's epoch itself proves nothing here.
    assert.ok(answers.filter((a) => !a.duplicate).length <= 1, `one first answer: ${JSON.stringify(answers)}`);
    assert.equal(new Set(answers.map((a) => a.epoch)).size, 1, `one epoch in every answer: ${JSON.stringify(answers)}`);
    assert.ok(answers[0]!.epoch > epochBefore, 'the grant changed the floor');
    const epochs = new Set(boxes.map((b) => b.floor?.epoch));
    assert.equal(epochs.size, 1, 'one epoch everywhere');
    assert.equal(drivers.filter((d) => d.output('onAir').level).length, 1, 'one ON AIR lamp lit');
  });
});
