/**
 * The conductor's timer tools over a real broker: an operator adds minutes,
 * skips and moves items; the floor carries the adjusted planned end and the
 * delay; refusals carry codes; the plan survives a restart on the same state
 * file and a takeover by a standby that only saw the retained floor.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Conductor } from '../../src/conductor/conductor.js';
import type { EventResult, Floor, RundownList } from '../../src/protocol/schemas.js';
import { decode, topic } from '../../src/protocol/topics.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { conductorConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];

describe('timer tools of the conductor (embedded broker)', function () {
  this.timeout(30_000);
  let broker: TestBroker;
  let dir: string;
  let watcher: mqtt.MqttClient;
  let floor: Floor | null;
  let rundown: RundownList | null;
  let answers: EventResult[];
  const running: Conductor[] = [];

  const start = async (id: string, standby = false): Promise<Conductor> => {
    const c = new Conductor({ config: conductorConfig(broker.url, join(dir, `${id}.json`), { id, peers: ['alpha', 'beta'] }, SITES), standby, log: quietLogger(id) });
    running.push(c);
    await c.start();
    return c;
  };
  const send = async (body: Record<string, unknown>): Promise<EventResult> => {
    await watcher.publishAsync(topic('test', 'control'), JSON.stringify(body), { qos: 1 });
    await waitFor(`the answer to ${String(body['id'])}`, () => answers.some((a) => a.id === body['id'] && a.result !== 'info'), 10_000);
    return answers.find((a) => a.id === body['id'] && a.result !== 'info')!;
  };

  beforeEach(async () => {
    broker = await startTestBroker('aedes');
    dir = await mkdtemp(join(tmpdir(), 'relais-timer-'));
    floor = null;
    rundown = null;
    answers = [];
    watcher = await mqtt.connectAsync(broker.url);
    watcher.on('message', (t, payload) => {
      if (t === topic('test', 'floor')) {
        const d = decode('floor', payload);
        if (d.ok && (!floor || d.value.term! > floor.term! || (d.value.term === floor.term && d.value.epoch > floor.epoch))) floor = d.value;
      }
      if (t === topic('test', 'rundown')) {
        const d = decode('rundown', payload);
        if (d.ok) rundown = d.value;
      }
      if (t === topic('test', 'events')) {
        const d = decode('events', payload);
        if (d.ok) answers.push(d.value);
      }
    });
    await watcher.subscribeAsync([topic('test', 'floor'), topic('test', 'rundown'), topic('test', 'events')], { qos: 1 });
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop();
    await watcher?.endAsync();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('adds a minute, refuses out-of-range with a code, and keeps the plan over a restart', async () => {
    const alpha = await start('alpha');
    assert.equal((await send({ id: 'n1', action: 'next' })).result, 'accepted');
    const since = Date.parse(floor!.since!);
    assert.equal((await send({ id: 'a1', action: 'adjust', minutes: 2 })).result, 'accepted');
    await waitFor('the floor with 2 added minutes', () => floor?.addedMinutes === 2);
    assert.equal(Date.parse(floor!.plannedEnd!), since + 12 * 60_000, '10 planned + 2');
    assert.equal(floor!.delayMinutes, 2);
    const refused = await send({ id: 'a2', action: 'adjust', minutes: -20 });
    assert.equal(refused.result, 'rejected');
    assert.equal(refused.code, 'adjust-out-of-range');
    assert.deepEqual(refused.params, { minutes: -20, planned: 10, min: -9, max: 180 });
    assert.match(refused.reason ?? '', /planned minutes/, 'old clients still read a sentence');
    const bad = await send({ id: 's1', action: 'skip', item: 0 });
    assert.equal(bad.code, 'item-started');

    await alpha.stop();
    running.splice(0);
    const again = await start('alpha');
    await waitFor('the restarted floor', () => floor!.epoch === again.epoch);
    assert.equal(floor!.addedMinutes, 2, 'the state file kept the plan');
    assert.equal(Date.parse(floor!.plannedEnd!), since + 12 * 60_000);
  });

  it('a standby that takes over ends with the same skips, moves and added minutes', async () => {
    const alpha = await start('alpha');
    const beta = await start('beta', true);
    await send({ id: 'n1', action: 'next' });
    await send({ id: 'a1', action: 'adjust', minutes: 3 });
    // The helper's rundown has two items: a third site turn would need more, so move within what exists.
    const moved = await send({ id: 'm1', action: 'move', item: 1, to: 1 });
    assert.equal(moved.result, 'accepted');
    const skipped = await send({ id: 's1', action: 'skip', item: 1 });
    assert.equal(skipped.result, 'accepted');
    await waitFor('the floor with the skip', () => floor?.schedule?.skipped.includes(1) === true);
    const before = floor!;
    assert.equal(before.next, null, 'the only item left is skipped');

    await alpha.stop();
    await waitFor('beta took over', () => beta.role === 'primary', 10_000);
    await waitFor('beta\'s floor', () => floor?.conductor === 'beta');
    assert.equal(floor!.addedMinutes, 3);
    assert.equal(floor!.plannedEnd, before.plannedEnd);
    assert.deepEqual(floor!.schedule, before.schedule);
    assert.equal(floor!.delayMinutes, before.delayMinutes);
    const unskip = await send({ id: 'u1', action: 'unskip', item: 1 });
    assert.equal(unskip.result, 'accepted', 'beta knows item 2 is skipped');
    await waitFor('the item back', () => floor?.nextItem?.index === 1);
  });

  it('a standby that takes over keeps the day\'s report: the items played before it, with their actual start and end', async () => {
    const alpha = await start('alpha');
    const beta = await start('beta', true);
    await send({ id: 'r1', action: 'next' });
    await send({ id: 'r2', action: 'next' });
    await waitFor('the first item done in the rundown', () => Boolean(rundown?.items.find((i) => i.index === 0)?.actualEnd));
    const first = rundown!.items.find((i) => i.index === 0)!;
    assert.ok(first.actualStart, 'the first item started');

    await alpha.stop();
    await waitFor('beta took over', () => beta.role === 'primary', 10_000);
    // Beta's own rundown, after a command it applies: the first item as alpha recorded it.
    await send({ id: 'r3', action: 'adjust', minutes: 1 });
    const fromBeta = beta.rundownList().items.find((i) => i.index === 0)!;
    assert.equal(fromBeta.actualStart, first.actualStart);
    assert.equal(fromBeta.actualEnd, first.actualEnd);
    assert.ok(beta.rundownList().items.find((i) => i.index === 1)?.actualStart, 'the item on air kept its start');
  });
});
