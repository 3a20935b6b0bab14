import assert from 'node:assert/strict';
import { brokerKinds, startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { startTestEvent, type TestEvent } from '../helpers/event.js';
import { waitFor } from '../helpers/wait.js';

const kind = brokerKinds()[0] ?? 'aedes';

describe(`link lost and held presses (${kind})`, function () {
  this.timeout(30_000);
  let broker: TestBroker;
  let ev: TestEvent;

  beforeEach(async () => {
    broker = await startTestBroker(kind);
    ev = await startTestEvent(broker.url, { link: { leaseMs: 600, holdPressMs: 1500 }, conductor: { heartbeatMs: 100, autoGrant: true } });
    for (const box of ev.boxes.values()) await waitFor('link up', () => box.runtime.linkUp);
  });
  afterEach(async () => {
    await ev?.stop();
    await broker?.stop();
  });

  it('a silent conductor turns a red ON AIR lamp into the link-lost pattern', async () => {
    const sc = ev.box('saint-camille');
    sc.runtime.press('request');
    await waitFor('on air', () => sc.driver.output('onAir').level);
    // A conductor that hangs: no heartbeat, no Last Will.
    clearInterval((ev.conductor as unknown as { tickTimer: NodeJS.Timeout }).tickTimer);
    await waitFor('link lost after the lease', () => !sc.runtime.linkUp, 3000);
    assert.equal(sc.runtime.lampPatterns()?.onAir.pattern, 'link-lost');
    assert.equal(sc.runtime.role, 'on-air', 'the floor is unchanged, only the lamp is honest');
  });

  it('sends a press held during a short outage, drops a stale one with a flash', async () => {
    const rn = ev.box('rouyn-noranda');
    await broker.kill();
    await waitFor('link lost', () => !rn.runtime.linkUp, 5000);
    const outcomes: string[] = [];
    rn.runtime.on('press', (outcome) => outcomes.push(outcome));
    rn.runtime.press('request');
    assert.deepEqual(outcomes, ['held']);
    assert.equal(rn.runtime.lampPatterns()?.button.pattern, 'off', 'no promise while the link is down');
    await broker.restart();
    await waitFor('held press applied', () => ev.conductor.floor().onAir === 'rouyn-noranda', 10_000);
    assert.deepEqual(outcomes, ['held', 'sent']);

    const rd = ev.box('riviere-du-loup');
    await broker.kill();
    await waitFor('link lost', () => !rd.runtime.linkUp, 5000);
    rd.runtime.on('press', (outcome) => outcomes.push(`rd:${outcome}`));
    rd.runtime.press('request');
    await waitFor('dropped after holdPressMs', () => outcomes.includes('rd:dropped'), 4000);
    assert.equal(rd.runtime.counters.droppedPresses, 1);
    assert.equal(rd.runtime.lampPatterns()?.button.pattern, 'flash3');
    await broker.restart();
    await waitFor('link back', () => rd.runtime.linkUp, 10_000);
    // Marker: a release from the same box, which the conductor rejects (not on air). A stale
    // request sent on reconnection would have gone out before it and queued the site.
    const rejected = new Promise<string>((resolve) => rd.runtime.once('rejected', (_id, reason) => resolve(reason)));
    rd.runtime.press('release');
    assert.match(await rejected, /not on air/);
    assert.ok(!ev.conductor.floor().queue.includes('riviere-du-loup'), 'the stale press was never sent');
  });
});
