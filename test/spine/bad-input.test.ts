import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import type { EventResult } from '../../src/protocol/schemas.js';
import { brokerKinds, startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { startTestEvent, type TestEvent } from '../helpers/event.js';
import { waitFor } from '../helpers/wait.js';

for (const kind of brokerKinds()) {
  describe(`bad input through ${kind}`, function () {
    this.timeout(30_000);
    let broker: TestBroker;
    let ev: TestEvent;
    let client: MqttClient;
    const results: EventResult[] = [];

    before(async () => {
      broker = await startTestBroker(kind);
      ev = await startTestEvent(broker.url);
      for (const box of ev.boxes.values()) await waitFor('link up', () => box.runtime.linkUp);
      client = await mqtt.connectAsync(broker.url);
      client.on('message', (t, p) => {
        if (t.endsWith('/events')) results.push(JSON.parse(p.toString()) as EventResult);
      });
      await client.subscribeAsync('relais/v1/test/events', { qos: 1 });
      await client.publishAsync('relais/v1/test/control', JSON.stringify({ id: 'start', action: 'grant', site: 'rouyn-noranda' }), { qos: 1 });
      await waitFor('granted', () => ev.conductor.floor().onAir === 'rouyn-noranda');
    });
    after(async () => {
      await client?.endAsync();
      await ev?.stop();
      await broker?.stop();
    });

    it('drops and counts garbage, wrong types, unknown actions, smuggled fields and 1 MiB payloads; floor unchanged', async () => {
      const epoch = ev.conductor.epoch;
      const before = ev.conductor.counters.badPayloads;
      const bad: Array<[string, string | Buffer]> = [
        ['relais/v1/test/site/saint-camille/intent', 'not json {'],
        ['relais/v1/test/site/saint-camille/intent', JSON.stringify({ id: 5, action: 'request' })],
        ['relais/v1/test/site/saint-camille/intent', JSON.stringify({ id: 'x', action: 'explode' })],
        ['relais/v1/test/site/saint-camille/intent', JSON.stringify({ id: 'x', action: 'request', site: 'rouyn-noranda' })],
        ['relais/v1/test/site/saint-camille/intent', JSON.stringify([1, 2, 3])],
        ['relais/v1/test/control', JSON.stringify({ id: 'y', action: 'grant' })],
        ['relais/v1/test/control', JSON.stringify({ id: 'y', action: 'reorder', queue: 'not-a-list' })],
        ['relais/v1/test/control', Buffer.alloc(1024 * 1024, 0x7b)],
        ['relais/v1/test/site/BAD SITE/intent', JSON.stringify({ id: 'z', action: 'request' })],
      ];
      for (const [t, payload] of bad) await client.publishAsync(t, payload, { qos: 1 });
      await waitFor('every bad payload counted', () => ev.conductor.counters.badPayloads >= before + 8, 5000);
      await ev.conductor.idle();
      assert.equal(ev.conductor.epoch, epoch, 'the floor did not change');
      assert.equal(ev.conductor.floor().onAir, 'rouyn-noranda');
      assert.equal(ev.conductor.role, 'primary', 'still running');
    });

    it('rejects an intent for an unknown site and a replayed id, with reasons on events', async () => {
      await client.publishAsync('relais/v1/test/site/atlantis/intent', JSON.stringify({ id: 'a1', action: 'request' }), { qos: 1 });
      await waitFor('unknown site rejected', () => results.some((r) => r.id === 'a1'));
      assert.match(results.find((r) => r.id === 'a1')!.reason ?? '', /unknown site "atlantis"/);

      const epoch = ev.conductor.epoch;
      for (let i = 0; i < 3; i++) await client.publishAsync('relais/v1/test/site/saint-camille/intent', JSON.stringify({ id: 'r1', action: 'request' }), { qos: 1 });
      await waitFor('three answers', () => results.filter((r) => r.id === 'r1').length === 3);
      const answers = results.filter((r) => r.id === 'r1');
      assert.deepEqual(answers.map((a) => a.duplicate), [false, true, true]);
      assert.ok(answers.every((a) => a.result === 'accepted'));
      assert.equal(ev.conductor.epoch, epoch + 1, 'applied once');
      assert.deepEqual(ev.conductor.floor().queue, ['saint-camille']);
    });

    it('appliances drop and count a bad floor and never go back to an older epoch', async () => {
      const box = ev.box('riviere-du-loup').runtime;
      const before = box.counters.badPayloads;
      const epoch = box.floor!.epoch;
      await client.publishAsync('relais/v1/test/floor', '{"epoch":"high"}', { qos: 1 });
      await waitFor('counted', () => box.counters.badPayloads > before);
      const stale = { ...ev.conductor.floor(), epoch: 1, onAir: 'riviere-du-loup' };
      await client.publishAsync('relais/v1/test/floor', JSON.stringify(stale), { qos: 1 });
      // Marker: a second bad floor after the stale one; once it is counted, the stale one was read.
      await client.publishAsync('relais/v1/test/floor', '{"epoch":"marker"}', { qos: 1 });
      await waitFor('the marker counted', () => box.counters.badPayloads > before + 1);
      assert.equal(box.role === 'on-air', false, 'an old floor is ignored');
      assert.equal(box.floor!.epoch, epoch);
      // Put the conductor's floor back as the retained one.
      await client.publishAsync('relais/v1/test/control', JSON.stringify({ id: 'restore', action: 'revoke' }), { qos: 1 });
      await waitFor('revoked', () => box.floor!.onAir === null);
    });
  });
}
