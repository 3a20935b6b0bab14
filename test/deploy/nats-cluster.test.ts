import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startNatsCluster, type NatsCluster } from '../helpers/nats.js';

const T = 'relais/v1/demo/';

/** Resolves with the first message on `topic` whose payload satisfies `accept`. */
function nextMessage(client: MqttClient, topic: string, accept: (payload: string) => boolean = () => true): Promise<{ payload: string; retain: boolean }> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer, packet: { retain: boolean }): void => {
      if (t !== topic || !accept(payload.toString())) return;
      client.off('message', onMessage);
      resolve({ payload: payload.toString(), retain: packet.retain });
    };
    client.on('message', onMessage);
  });
}

describe('deploy: NATS cluster with MQTT (three real nats-server nodes)', function () {
  // JetStream creates the replicated MQTT streams on the first connection (a few seconds on 2 cores).
  this.timeout(45_000);
  let cluster: NatsCluster;
  const clients: MqttClient[] = [];

  before(async () => {
    cluster = await startNatsCluster();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  after(async () => {
    await cluster?.stop();
  });

  async function connect(node: number, options: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(cluster.urls[node]!, { protocolVersion: 4, reconnectPeriod: 500, connectTimeout: 10_000, ...options });
    clients.push(client);
    return client;
  }

  it('serves MQTT 3.1.1 only: an MQTT 5 client is refused', async () => {
    await assert.rejects(
      mqtt.connectAsync(cluster.urls[0]!, { protocolVersion: 5, reconnectPeriod: 0 }),
      /Unacceptable protocol version/,
    );
  });

  it('a retained floor published on one node reaches a late subscriber on another', async () => {
    const conductor = await connect(0, { clientId: 'conductor' });
    await conductor.publishAsync(`${T}floor`, '{"epoch":7}', { qos: 1, retain: true });
    const box = await connect(2, { clientId: 'box-retained' });
    const got = nextMessage(box, `${T}floor`);
    await box.subscribeAsync(`${T}floor`, { qos: 1 });
    assert.deepEqual(await got, { payload: '{"epoch":7}', retain: true });
  });

  it('QoS 1 messages cross nodes, all of them and in order; QoS 2 is granted as 1', async () => {
    const conductor = await connect(1, { clientId: 'conductor-q1' });
    const granted = await conductor.subscribeAsync(`${T}site/+/intent`, { qos: 2 });
    assert.equal(granted[0]?.qos, 1);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      conductor.on('message', (_t, p) => {
        received.push(p.toString());
        if (received.length === 20) resolve();
      }),
    );
    const box = await connect(2, { clientId: 'box-q1' });
    for (let i = 0; i < 20; i++) await box.publishAsync(`${T}site/saint-camille/intent`, `{"id":"i${i}"}`, { qos: 1 });
    await all;
    assert.deepEqual(received, Array.from({ length: 20 }, (_, i) => `{"id":"i${i}"}`));
  });

  it('a QoS 2 publish closes the connection (nats-server 2.9)', async () => {
    const client = await connect(0, { clientId: 'qos2' });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(`${T}events`, 'x', { qos: 2 });
    await closed;
    assert.equal(client.connected, false);
  });

  it('a client with a server list moves to another node when its node is killed, and follows the floor there', async function () {
    // JetStream re-elects the MQTT streams' leaders after a node dies: seconds in most runs, but with
    // nats-server 2.9.10 some runs here did not recover within two minutes; so it runs on request.
    if (!process.env.RELAIS_TEST_NATS_FAILOVER) this.skip();
    this.timeout(120_000);
    const servers = cluster.urls.map((u) => {
      const { hostname, port } = new URL(u);
      return { host: hostname, port: Number(port) };
    });
    const box = await connect(0, { clientId: 'box-failover', servers, reconnectPeriod: 200 });
    assert.equal(box.options.port, servers[0]!.port);
    await box.subscribeAsync(`${T}floor`, { qos: 1 });

    const reconnected = new Promise<void>((resolve) => box.once('connect', () => resolve()));
    await cluster.kill(0);
    await reconnected;
    assert.notEqual(box.options.port, servers[0]!.port, 'moved off the killed node');


    // The surviving nodes elect new JetStream leaders for the MQTT streams; then a new floor flows again.
    await cluster.ready();
    const conductor = await connect(2, { clientId: 'conductor-after-failover' });
    const next = nextMessage(box, `${T}floor`, (p) => p === '{"epoch":8}');
    await conductor.publishAsync(`${T}floor`, '{"epoch":8}', { qos: 1, retain: true });
    // Live, or as the retained message if the resubscription lands after the publish.
    assert.equal((await next).payload, '{"epoch":8}');
  });
});
