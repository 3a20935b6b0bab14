/**
 * Inputs that must not poison the floor: a forged retained floor at 2^53 and
 * forged heartbeats on the demo's embedded broker (which lets loopback
 * clients act as admin), and intents on 60 KB site names against a
 * conductor on Mosquitto.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { StateStore } from '../../src/conductor/store.js';
import { startDemo, type RunningDemo } from '../../src/demo/demo.js';
import type { EventResult, Floor } from '../../src/protocol/schemas.js';
import { freePort, startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { startTestEvent, type TestEvent } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

const FORGED_2_53 = '{"epoch":9007199254740991,"onAir":"saint-camille","next":null,"queue":[],"since":null,"item":null,"plannedEnd":null,"nextItem":null,"conductor":"x","updatedAt":"x"}';

describe('item 4: forged floors and heartbeats on the demo broker leave the event working', function () {
  this.timeout(60_000);
  let demo: RunningDemo;
  let stateDir: string;
  let op: mqtt.MqttClient;
  const answers: EventResult[] = [];

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'relais-hostile-demo-'));
    demo = await startDemo({ host: '127.0.0.1', mqttPort: await freePort(), wsPort: await freePort(), interactive: false, extensions: [], log: quietLogger('demo'), stateDir });
    await waitFor('three boxes linked', () => [...demo.boxes.values()].every((b) => b.runtime.linkUp), 15_000);
    op = await mqtt.connectAsync(demo.brokerUrl);
    op.on('message', (t, p) => t.endsWith('/events') && answers.push(JSON.parse(p.toString()) as EventResult));
    await op.subscribeAsync('relais/v1/demo/events', { qos: 1 });
  });
  after(async () => {
    await op?.endAsync(true);
    await demo?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const grant = async (id: string, site: string): Promise<EventResult> => {
    await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id, action: 'grant', site }), { qos: 1 });
    await waitFor(`answer to ${id}`, () => answers.some((a) => a.id === id), 10_000);
    return answers.find((a) => a.id === id)!;
  };
  const boxesOn = (site: string): boolean => [...demo.boxes.values()].every((b) => b.runtime.linkUp && b.runtime.floor?.onAir === site);

  /** The retained floor a newly connecting client receives. */
  async function retainedFloor(): Promise<string> {
    const fresh = await mqtt.connectAsync(demo.brokerUrl);
    try {
      const got = new Promise<string>((resolve) => fresh.on('message', (_t, p) => resolve(p.toString())));
      await fresh.subscribeAsync('relais/v1/demo/floor', { qos: 1 });
      return await got;
    } finally {
      await fresh.endAsync(true);
    }
  }

  it('a retained floor at epoch 2^53 is dropped by everyone, replaced on the broker, and the next grant reaches every box', async () => {
    const { conductor } = demo;
    const term = conductor.term;
    const bad = conductor.counters.badPayloads;
    await op.publishAsync('relais/v1/demo/floor', FORGED_2_53, { qos: 1, retain: true });
    await waitFor('the conductor dropped it', () => conductor.counters.badPayloads > bad);
    await waitFor('the conductor\'s floor is the retained one again', async () => (JSON.parse(await retainedFloor()) as Floor).conductor === 'demo-conductor', 10_000);
    const answer = await grant('after-forgery', 'rouyn-noranda');
    assert.equal(answer.result, 'accepted');
    await waitFor('every box follows the grant', () => boxesOn('rouyn-noranda'), 10_000);
    assert.equal(conductor.role, 'primary');
    assert.equal(conductor.term, term, 'no takeover, no new term');
    const saved = await new StateStore(join(stateDir, 'conductor-state.json'), 'demo').load();
    assert.ok(saved && saved.epoch < 1000, `the state file keeps a sane epoch: ${saved?.epoch}`);
  });

  it('an in-bounds forged floor of an older term and a forged heartbeat from an unknown id depose nobody', async () => {
    const { conductor } = demo;
    const term = conductor.term;
    const forged: Floor = { ...conductor.floor(), epoch: 2_147_483_647, term: 0, onAir: 'saint-camille', conductor: 'x' };
    await op.publishAsync('relais/v1/demo/floor', JSON.stringify(forged), { qos: 1, retain: true });
    await op.publishAsync('relais/v1/demo/conductor/heartbeat', JSON.stringify({ conductor: 'intruder', epoch: conductor.epoch + 5, term: term + 1, at: new Date().toISOString(), role: 'primary' }), { qos: 0 });
    await op.publishAsync('relais/v1/demo/floor', JSON.stringify({ ...forged, term: term + 1, epoch: conductor.epoch + 1 }), { qos: 1, retain: true });
    // The marker: a grant applied by the same conductor in the same term, followed by every box.
    const answer = await grant('after-heartbeat', 'riviere-du-loup');
    assert.equal(answer.result, 'accepted');
    await waitFor('every box follows it', () => boxesOn('riviere-du-loup'), 10_000);
    assert.equal(conductor.role, 'primary');
    assert.equal(conductor.term, term);
    await waitFor('the retained floor is the conductor\'s', async () => (JSON.parse(await retainedFloor()) as Floor).conductor === 'demo-conductor', 10_000);
  });
});

describe('item 5: 60 KB site names do not reach the state file', function () {
  this.timeout(60_000);
  let broker: TestBroker;
  let ev: TestEvent;
  let client: mqtt.MqttClient;
  const answers: EventResult[] = [];

  before(async () => {
    broker = await startTestBroker('mosquitto');
    ev = await startTestEvent(broker.url);
    client = await mqtt.connectAsync(broker.url);
    client.on('message', (_t, p) => answers.push(JSON.parse(p.toString()) as EventResult));
    await client.subscribeAsync('relais/v1/test/events', { qos: 1 });
  });
  after(async () => {
    await client?.endAsync(true);
    await ev?.stop();
    await broker?.stop();
  });

  it('150 intents on site/<60 KB name>/intent get a bounded answer each; the file stays small and a valid request is answered after', async () => {
    const file = join(ev.dir, 'state.json');
    const before = (await stat(file)).size;
    for (let i = 0; i < 150; i++) {
      const name = `${String(i).padStart(3, '0')}${'x'.repeat(60 * 1024)}`;
      await client.publishAsync(`relais/v1/test/site/${name}/intent`, JSON.stringify({ id: `long-${i}`, action: 'request' }), { qos: 1 });
    }
    await waitFor('150 answers', () => answers.filter((a) => a.id.startsWith('long-')).length === 150, 30_000);
    const long = answers.filter((a) => a.id.startsWith('long-'));
    assert.ok(long.every((a) => a.result === 'rejected' && /unknown site/.test(a.reason ?? '')));
    const biggest = Math.max(...long.map((a) => JSON.stringify(a).length));
    assert.ok(biggest < 1024, `each answer is bounded: ${biggest} bytes`);
    assert.match(long[0]!.site ?? '', /cut/);
    await client.publishAsync('relais/v1/test/site/saint-camille/intent', JSON.stringify({ id: 'valid-after', action: 'request' }), { qos: 1 });
    await waitFor('the valid request answered', () => answers.some((a) => a.id === 'valid-after' && a.result === 'accepted'), 10_000);
    const after = (await stat(file)).size;
    assert.ok(after < before + 4096, `the state file stays small: ${before} -> ${after} bytes`);
  });
});

describe('item 5: temp files a killed save left behind', () => {
  it('are removed when the conductor starts', async function () {
    this.timeout(30_000);
    const broker = await startTestBroker('aedes');
    const ev0 = await startTestEvent(broker.url);
    const dir = ev0.dir;
    await ev0.conductor.stop();
    for (const box of ev0.boxes.values()) await box.runtime.stop();
    await writeFile(join(dir, '.state.json.4242.7.tmp'), '{"half":');
    await writeFile(join(dir, '.state.json.4243.1.tmp'), '');
    await writeFile(join(dir, 'keep.tmp'), 'not ours');
    const { Conductor } = await import('../../src/conductor/conductor.js');
    const { conductorConfig } = await import('../helpers/event.js');
    const again = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json')), log: quietLogger('conductor') });
    try {
      await again.start();
      assert.deepEqual((await readdir(dir)).sort(), ['keep.tmp', 'state.json']);
    } finally {
      await again.stop();
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
