/**
 * The event's users and rights on a real three-node NATS cluster: the shipped
 * node.conf with its `include` of the users file that make-users.sh --nats
 * writes from the same users list as the Mosquitto ACL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { validateConfig } from '../../src/config/load.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { quietLogger } from '../helpers/log.js';
import { NODE_CONF, startNatsCluster, type NatsCluster } from '../helpers/nats.js';
import { waitFor } from '../helpers/wait.js';
import { makeUsers, TEST_USERS } from './mosquitto-harness.js';

const T = 'relais/v1/demo/';

describe('deploy: NATS cluster with the event users (make-users.sh --nats, real nats-server)', function () {
  this.timeout(60_000);
  let dir: string;
  let cluster: NatsCluster;
  const clients: MqttClient[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-nats-auth-'));
    await makeUsers(dir, join(dir, 'relais-users.conf'));
    // The shipped node config with its users line switched on, as docs/deployment.md says.
    const conf = (await readFile(NODE_CONF, 'utf8')).replace('# include ./relais-users.conf', 'include ./relais-users.conf');
    assert.match(conf, /^include \.\/relais-users\.conf$/m, 'node.conf has the users include to switch on');
    await writeFile(join(dir, 'node.conf'), conf);
    cluster = await startNatsCluster({ config: join(dir, 'node.conf') });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  after(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function connect(user: { username: string; password: string }, node = 0, extra: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(cluster.urls[node]!, { ...user, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...extra });
    clients.push(client);
    return client;
  }

  /** Subscribes `client` to `filter` and collects what arrives. */
  async function collect(client: MqttClient, filter: string): Promise<string[]> {
    const seen: string[] = [];
    client.on('message', (t, p) => seen.push(`${t} ${p.toString()}`));
    await client.subscribeAsync(filter, { qos: 1 });
    return seen;
  }

  it('refuses a wrong password and an unknown user', async () => {
    await assert.rejects(connect({ username: 'conductor', password: 'nope' }), /Not authorized|Bad User Name or Password/i);
    await assert.rejects(connect({ username: 'intruder', password: 'x' }), /Not authorized|Bad User Name or Password/i);
  });

  it('a site publishes its own state; its publishes of floor or for another site never arrive', async () => {
    const viewer = await connect(TEST_USERS.viewer, 1);
    const seen = await collect(viewer, `${T}#`);
    const site = await connect(TEST_USERS.saintCamille, 2);
    await site.publishAsync(`${T}floor`, '{"epoch":999}', { qos: 1 });
    await site.publishAsync(`${T}site/lac-megantic/state`, 'forged', { qos: 1 });
    await site.publishAsync(`${T}site/saint-camille/state`, 'mine', { qos: 1 });
    await waitFor('the allowed state', () => seen.includes(`${T}site/saint-camille/state mine`), 10_000);
    // Messages from one client arrive in order: the refused ones, sent first, would be here by now.
    assert.deepEqual(seen, [`${T}site/saint-camille/state mine`]);
  });

  it('operators publish control, a viewer cannot; a site may not read control', async () => {
    const conductor = await connect(TEST_USERS.conductor, 0);
    const seen = await collect(conductor, `${T}control`);
    const viewer = await connect(TEST_USERS.viewer, 1);
    await viewer.publishAsync(`${T}control`, '{"id":"v1","action":"next"}', { qos: 1 });
    const operator = await connect(TEST_USERS.operator, 2);
    await operator.publishAsync(`${T}control`, '{"id":"op1","action":"next"}', { qos: 1 });
    await waitFor('the operator control', () => seen.length > 0, 10_000);
    // Marker through the viewer's node: node 1 forwards in order, so a viewer control it had let
    // through would reach the conductor before this one.
    const marker = await connect(TEST_USERS.operator, 1);
    await marker.publishAsync(`${T}control`, '{"id":"marker","action":"next"}', { qos: 1 });
    await waitFor('the marker control', () => seen.length > 1, 10_000);
    assert.deepEqual(seen, [`${T}control {"id":"op1","action":"next"}`, `${T}control {"id":"marker","action":"next"}`]);
    const site = await connect(TEST_USERS.saintCamille, 1);
    await assert.rejects(site.subscribeAsync(`${T}control`, { qos: 1 }), /Subscribe error/);
  });

  it('the floor works with these users: a conductor and two boxes on different nodes hand over', async () => {
    const broker = (node: number, user: { username: string; password: string }): Record<string, unknown> => ({
      url: cluster.urls[node],
      fallbackUrls: cluster.urls.filter((_, i) => i !== node),
      username: user.username,
      password: user.password,
      reconnectMs: 300,
      keepaliveSeconds: 5,
    });
    const sites = ['saint-camille', 'lac-megantic'];
    const conductor = new Conductor({
      config: validateConfig('conductor', { event: 'demo', broker: broker(0, TEST_USERS.conductor), conductor: { id: 'c', stateFile: join(dir, 'floor.json'), heartbeatMs: 300, leaseMs: 3000, autoGrant: true }, sites: sites.map((id) => ({ id })) }, 'test'),
      log: quietLogger('conductor'),
    });
    const boxes = [
      new ApplianceRuntime({ config: validateConfig('site', { event: 'demo', site: sites[0], broker: broker(1, TEST_USERS.saintCamille), link: { leaseMs: 3000 } }, 'test'), driver: new SimulatedDriver(), log: quietLogger(sites[0]) }),
      new ApplianceRuntime({ config: validateConfig('site', { event: 'demo', site: sites[1], broker: broker(2, TEST_USERS.lacMegantic), link: { leaseMs: 3000 } }, 'test'), driver: new SimulatedDriver(), log: quietLogger(sites[1]) }),
    ];
    try {
      await conductor.start();
      for (const box of boxes) await box.start();
      await waitFor('both boxes linked', () => boxes.every((b) => b.linkUp), 30_000);
      boxes[1]!.press('request');
      await waitFor('lac-megantic on air everywhere', () => boxes.every((b) => b.floor?.onAir === 'lac-megantic'), 15_000);
      boxes[1]!.press('pass', 'test', 'saint-camille');
      await waitFor('passed to saint-camille', () => boxes.every((b) => b.floor?.onAir === 'saint-camille'), 15_000);
      assert.equal(conductor.counters.badPayloads, 0);
    } finally {
      await Promise.allSettled(boxes.map((b) => b.stop()));
      await conductor.stop();
    }
  });
});
