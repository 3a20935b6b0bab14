import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { brokerSchema } from '../../src/config/schema.js';
import { connectBroker } from '../../src/mqtt/connect.js';
import { SubscriptionKeeper } from '../../src/mqtt/subscriptions.js';
import { waitFor } from '../helpers/wait.js';
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

  it('a box client (server list, subscription keeper) moves to another node when its node is killed, and follows the floor there', async function () {
    // The surviving nodes refuse subscriptions (SUBACK 0x80) until JetStream has new leaders for the
    // MQTT streams; the keeper subscribes again until they accept, where plain mqtt.js gives up.
    this.timeout(120_000);
    const [first, ...others] = cluster.urls as [string, ...string[]];
    const broker = brokerSchema.parse({ url: first, fallbackUrls: others, reconnectMs: 200, keepaliveSeconds: 5 });
    const box = connectBroker(broker, { clientId: 'box-failover' });
    clients.push(box);
    const trace = packetTrace(box);
    const keeper = new SubscriptionKeeper(box, { maxRetryMs: 1000 });
    await keeper.add(`${T}floor`);
    const firstPort = box.options.port;

    await withTrace(trace, 100_000, async () => {
      const reconnected = new Promise<void>((resolve) => box.once('connect', () => resolve()));
      await cluster.kill(0);
      await reconnected;
      assert.notEqual(box.options.port, firstPort, 'moved off the killed node');
      trace.note('moved');
      // Until the new node grants the subscription, a live message would not reach the box, and
      // the retained copy may lag (the conductor's heartbeat makes a real box catch up; see the spine suite).
      await waitFor('the floor subscription granted on the new node', () => keeper.pending.length === 0, 90_000);
      trace.note('granted');

      const conductor = await connect(2, { clientId: 'conductor-after-failover' });
      trace.note('conductor connected');
      const next = nextMessage(box, `${T}floor`, (p) => p === '{"epoch":8}');
      await conductor.publishAsync(`${T}floor`, '{"epoch":8}', { qos: 1, retain: true });
      trace.note('floor published');
      assert.equal((await next).payload, '{"epoch":8}');
    });
    keeper.stop();
    const refusals = trace.lines.filter((l) => l.includes('suback [128')).length;
    if (refusals > 0) console.log(`      (the surviving node refused the subscription ${refusals} times first)`);
  });
});

interface PacketTrace {
  lines: string[];
  note(what: string): void;
}

/** Records what a client sends and receives, to say where a failover got stuck. */
function packetTrace(client: MqttClient): PacketTrace {
  const t0 = Date.now();
  const lines: string[] = [];
  const at = (): string => `${((Date.now() - t0) / 1000).toFixed(2)}s`;
  client.on('packetsend', (p) => lines.push(`${at()} -> ${p.cmd}${'subscriptions' in p ? ' ' + p.subscriptions.map((s) => s.topic).join(',') : ''}${'topic' in p ? ' ' + String(p.topic) : ''} port ${client.options.port}`));
  client.on('packetreceive', (p) => lines.push(`${at()} <- ${p.cmd}${'granted' in p ? ` [${p.granted.join(',')}]` : ''}${'topic' in p ? ` ${String(p.topic)} ${String(p.payload)}` : ''}${'sessionPresent' in p ? ` session ${p.sessionPresent}` : ''}`));
  client.on('close', () => lines.push(`${at()} closed`));
  return { lines, note: (what) => lines.push(`${at()} -- ${what}`) };
}

/** Runs `body`; when it takes longer than `ms`, fails with the trace instead of a bare mocha timeout. */
async function withTrace(trace: PacketTrace, ms: number, body: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stuck after ${ms} ms; the box saw:\n${trace.lines.slice(-60).join('\n')}`)), ms);
  });
  try {
    await Promise.race([body(), late]);
  } catch (err) {
    if ((err as Error).message.startsWith('stuck')) throw err;
    throw new Error(`${(err as Error).message}; the box saw:\n${trace.lines.slice(-60).join('\n')}`);
  } finally {
    clearTimeout(timer);
  }
}
