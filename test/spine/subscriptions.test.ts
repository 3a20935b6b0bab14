/**
 * The subscription keeper against a real Aedes broker that refuses
 * subscriptions on purpose, as a clustered broker does while it elects
 * leaders after losing a node (SUBACK 0x80).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import FakeTimers from '@sinonjs/fake-timers';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { SubscriptionKeeper, mqttMatch } from '../../src/mqtt/subscriptions.js';
import { waitFor } from '../helpers/wait.js';

interface RefusingBroker {
  url: string;
  /** How many more SUBSCRIBEs of each filter to refuse. */
  refuse: Map<string, number>;
  /** Every filter the broker was asked for, in order, with what it answered. */
  asked: Array<{ filter: string; granted: boolean }>;
  /** Drops every client connection (a broker node dying under them). */
  dropClients(): void;
  publish(topicName: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

async function startRefusingBroker(): Promise<RefusingBroker> {
  const refuse = new Map<string, number>();
  const asked: RefusingBroker['asked'] = [];
  const aedes = await Aedes.createBroker({
    authorizeSubscribe: (_client, subscription, callback) => {
      const left = refuse.get(subscription.topic) ?? 0;
      asked.push({ filter: subscription.topic, granted: left === 0 });
      if (left > 0) {
        refuse.set(subscription.topic, left - 1);
        return callback(null, null);
      }
      callback(null, subscription);
    },
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    refuse,
    asked,
    dropClients: () => {
      for (const s of sockets) s.destroy();
    },
    publish: (topicName, payload) =>
      new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic: topicName, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
      ),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** Resolves with the next payload on `topicName`, or null after `ms`. */
function nextPayload(client: MqttClient, topicName: string, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      resolve(null);
    }, ms);
    const onMessage = (t: string, p: Buffer): void => {
      if (t !== topicName) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(p.toString());
    };
    client.on('message', onMessage);
  });
}

describe('subscription keeper (Aedes refusing subscriptions)', function () {
  let broker: RefusingBroker;
  const clients: MqttClient[] = [];
  const keepers: SubscriptionKeeper[] = [];

  beforeEach(async () => {
    broker = await startRefusingBroker();
  });
  afterEach(async () => {
    keepers.splice(0).forEach((k) => k.stop());
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await broker.close();
  });

  function client(options: mqtt.IClientOptions = {}): MqttClient {
    const c = mqtt.connect(broker.url, { protocolVersion: 4, reconnectPeriod: 50, resubscribe: false, clientId: `keeper-${clients.length}`, ...options });
    clients.push(c);
    return c;
  }
  function keeper(c: MqttClient): SubscriptionKeeper {
    const k = new SubscriptionKeeper(c, { firstRetryMs: 20, maxRetryMs: 80 });
    keepers.push(k);
    return k;
  }

  it('subscribes again to a refused filter, with growing delays, until the broker grants it', async () => {
    broker.refuse.set('relais/v1/e/floor', 3);
    const c = client();
    const k = keeper(c);
    const delays: number[] = [];
    k.on('refused', (_f, code, retryMs) => {
      assert.equal(code, 0x80);
      delays.push(retryMs);
    });
    await k.add(['relais/v1/e/floor', 'relais/v1/e/events']);
    assert.deepEqual(delays, [20, 40, 80]);
    assert.deepEqual(k.pending, []);
    assert.deepEqual(
      broker.asked.filter((a) => a.filter === 'relais/v1/e/floor').map((a) => a.granted),
      [false, false, false, true],
    );
    // The granted filter was asked for once: only the refused one is retried.
    assert.equal(broker.asked.filter((a) => a.filter === 'relais/v1/e/events').length, 1);
    const got = nextPayload(c, 'relais/v1/e/floor', 2000);
    await broker.publish('relais/v1/e/floor', 'epoch 1');
    assert.equal(await got, 'epoch 1');
  });

  it('after the broker drops the link, subscribes again and retries a refusal until messages flow', async () => {
    const c = client();
    const k = keeper(c);
    await k.add('relais/v1/e/conductor/heartbeat');
    // The node the box lands on refuses while it elects its leaders.
    broker.refuse.set('relais/v1/e/conductor/heartbeat', 2);
    broker.dropClients();
    await waitFor('granted again', () => broker.asked.length === 4 && k.pending.length === 0, 3000);
    assert.deepEqual(broker.asked.map((a) => a.granted), [true, false, false, true]);
    const got = nextPayload(c, 'relais/v1/e/conductor/heartbeat', 2000);
    await broker.publish('relais/v1/e/conductor/heartbeat', 'beat');
    assert.equal(await got, 'beat');
  });

  it('subscribes again on a reconnect even when the broker says it kept the session', async () => {
    const c = client({ clean: false, clientId: 'keeper-persistent' });
    const k = keeper(c);
    await k.add('relais/v1/e/floor');
    const reconnected = new Promise<boolean>((resolve) => c.once('connect', (p) => resolve(p.sessionPresent)));
    broker.dropClients();
    assert.equal(await reconnected, true, 'the broker kept the session');
    await waitFor('asked again', () => broker.asked.length === 2, 3000);
  });

  it('without the keeper, mqtt.js gives up on a refused resubscription (why the keeper exists)', async () => {
    const c = client({ resubscribe: true, clientId: 'plain' });
    await connected(c);
    await c.subscribeAsync('relais/v1/e/floor', { qos: 1 });
    broker.refuse.set('relais/v1/e/floor', 1);
    const reconnected = connected(c);
    broker.dropClients();
    await reconnected;
    await waitFor('the resubscription refused', () => broker.asked.some((a) => !a.granted), 3000);
    // A second drop: mqtt.js does not even ask again.
    const again = connected(c);
    broker.dropClients();
    await again;
    const seen: string[] = [];
    c.on('message', (t, p) => seen.push(`${t} ${p.toString()}`));
    await broker.publish('relais/v1/e/floor', 'lost');
    // Marker: the broker has written 'lost' to every subscriber before it reads this publish,
    // so its PUBACK comes after 'lost' would have.
    await c.publishAsync('relais/v1/e/marker', 'after lost', { qos: 1 });
    assert.deepEqual(seen, [], 'the refused filter is gone: nothing arrives');
    assert.equal(broker.asked.filter((a) => a.filter === 'relais/v1/e/floor').length, 2);
  });

  it('stop() ends the retries', async () => {
    broker.refuse.set('relais/v1/e/floor', 1000);
    const clock = FakeTimers.createClock();
    const c = client();
    const k = new SubscriptionKeeper(c, {
      firstRetryMs: 20,
      maxRetryMs: 80,
      timers: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) },
    });
    keepers.push(k);
    let refusals = 0;
    k.on('refused', () => (refusals += 1));
    void k.add('relais/v1/e/floor');
    await waitFor('refused once', () => refusals === 1, 3000);
    clock.tick(20);
    await waitFor('refused twice', () => refusals === 2, 3000);
    assert.equal(clock.countTimers(), 1, 'a retry is pending');
    k.stop();
    assert.equal(clock.countTimers(), 0, 'stop() cleared the pending retry');
    const asked = broker.asked.length;
    clock.tick(10_000);
    // Marker: the broker answers this publish only after it has read everything the client sent before.
    await c.publishAsync('relais/v1/e/marker', 'after stop', { qos: 1 });
    assert.equal(broker.asked.length, asked, `asked ${broker.asked.length - asked} more times after stop`);
  });

  it('matches MQTT filters with + and #', () => {
    assert.equal(mqttMatch('relais/v1/e/site/+/ptz', 'relais/v1/e/site/a/ptz'), true);
    assert.equal(mqttMatch('relais/v1/e/site/+/ptz', 'relais/v1/e/site/a/b/ptz'), false);
    assert.equal(mqttMatch('relais/v1/e/#', 'relais/v1/e/site/a'), true);
    assert.equal(mqttMatch('relais/v1/e/floor', 'relais/v1/e/floor/x'), false);
    assert.equal(mqttMatch('relais/v1/e/floor/x', 'relais/v1/e/floor'), false);
  });
});

/** The next `connect` of a client (mqtt.js's emitter is not typed as Node's). */
function connected(c: MqttClient): Promise<unknown> {
  return once(c as unknown as EventEmitter, 'connect');
}
