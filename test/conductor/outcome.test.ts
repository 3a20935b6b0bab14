/**
 * What a command sends, as a client of the broker sees it: the floor first,
 * then its answer, and the retained rundown only when it changed.
 */
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { decode, topic } from '../../src/protocol/topics.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { startTestEvent, type TestEvent } from '../helpers/event.js';
import { waitFor } from '../helpers/wait.js';

describe('a command\'s floor, rundown and answer (embedded broker)', function () {
  this.timeout(20_000);
  let broker: TestBroker;
  let ev: TestEvent;
  let watcher: mqtt.MqttClient;

  beforeEach(async () => {
    broker = await startTestBroker('aedes');
    ev = await startTestEvent(broker.url, { sites: ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'] });
    watcher = await mqtt.connectAsync(broker.url);
  });
  afterEach(async () => {
    await watcher?.endAsync();
    await ev?.stop();
    await broker?.stop();
  });

  it('sends the rundown again only when a command changes it, and each floor before its answer', async () => {
    const heard: string[] = [];
    watcher.on('message', (t, payload) => {
      if (t === topic('test', 'rundown')) heard.push('rundown');
      if (t === topic('test', 'floor')) {
        const floor = decode('floor', payload);
        if (floor.ok) heard.push(`floor ${floor.value.epoch}`);
      }
      if (t === topic('test', 'events')) {
        const event = decode('events', payload);
        if (event.ok) heard.push(`answer ${event.value.id} ${event.value.epoch}`);
      }
    });
    await watcher.subscribeAsync([topic('test', 'rundown'), topic('test', 'floor'), topic('test', 'events')], { qos: 1 });
    await waitFor('the retained rundown and floor', () => heard.includes('rundown') && heard.some((h) => h.startsWith('floor')));
    const epoch = ev.conductor.epoch;
    heard.length = 0;
    const control = (body: object): Promise<unknown> => watcher.publishAsync(topic('test', 'control'), JSON.stringify(body), { qos: 1 });

    // A grant starts the first item: the planned starts change, so the rundown goes.
    await control({ id: 'g1', action: 'grant', site: 'saint-camille' });
    await waitFor('the grant answered', () => heard.some((h) => h.startsWith('answer g1')));
    // A queue change leaves the rundown as it was: no rundown message.
    await control({ id: 'q1', action: 'reorder', queue: ['riviere-du-loup', 'rouyn-noranda'] });
    await waitFor('the reorder answered', () => heard.some((h) => h.startsWith('answer q1')));
    assert.deepEqual(heard, [`floor ${epoch + 1}`, 'rundown', `answer g1 ${epoch + 1}`, `floor ${epoch + 2}`, `answer q1 ${epoch + 2}`]);
  });
});
