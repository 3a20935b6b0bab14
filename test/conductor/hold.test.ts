/**
 * Holding a hand-off until the next site's feed is buffered at every display
 * (`conductor.holdUntilBuffered`). Pure cases, the wait on fake timers (the
 * bound), then a real conductor on the embedded broker with fake displays'
 * states: a grant waits for the display that is not ready and goes as soon
 * as it is; one that never gets ready goes at the bound, and a command sent
 * meanwhile is answered after it; a conductor deposed during the hold
 * publishes nothing of it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Conductor } from '../../src/conductor/conductor.js';
import { DisplayReadiness, DISPLAY_STALE_MS, displaysNotReady, handOffTarget, withHold } from '../../src/conductor/hold.js';
import { rulesFromConfig } from '../../src/conductor/terms.js';
import { initialFloorState, type FloorCommand } from '../../src/floor/machine.js';
import type { Control, EventResult, Floor } from '../../src/protocol/schemas.js';
import type { DisplayPart, SiteState } from '../../src/protocol/site-state.js';
import { decode, topic, topicFilter } from '../../src/protocol/topics.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { conductorMarker } from '../helpers/control.js';
import { conductorConfig } from '../helpers/event.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

const control = (id: string, action: Control['action'], site?: string): FloorCommand => ({ kind: 'control', control: { id, action, ...(site ? { site } : {}) } });
const display = (ready: string[] | undefined): DisplayPart => ({ playing: null, url: null, slate: 'nobody-on-air', since: 'now', mode: ready ? 'switcher' : 'player', ...(ready ? { ready, feeds: ready } : {}) });

describe('hold until buffered (pure)', () => {
  const rules = rulesFromConfig(conductorConfig('mqtt://x', '/tmp/x'));
  const state = initialFloorState();

  it('names the site a grant, next or pass puts on air, and nothing for the other commands', () => {
    assert.equal(handOffTarget(state, control('a', 'grant', 'rouyn-noranda'), rules, 0), 'rouyn-noranda');
    assert.equal(handOffTarget(state, control('b', 'next'), rules, 0), 'saint-camille', 'the rundown starts with saint-camille');
    assert.equal(handOffTarget(state, control('c', 'revoke'), rules, 0), null);
    assert.equal(handOffTarget(state, control('d', 'grant', 'nowhere'), rules, 0), null, 'a rejected grant holds nothing');
    const onAir = { ...state, onAir: 'rouyn-noranda' };
    assert.equal(handOffTarget(onAir, control('e', 'grant', 'rouyn-noranda'), rules, 0), null, 'already on air');
    assert.equal(handOffTarget(onAir, { kind: 'intent', site: 'rouyn-noranda', intent: { id: 'p', action: 'pass', to: 'riviere-du-loup' } }, rules, 0), 'riviere-du-loup');
  });

  it('waits for the displays that report a ready list, heard from lately, not the site itself', () => {
    const displays = new Map([
      ['saint-camille', { ready: ['rouyn-noranda'], seenAt: 0 }],
      ['riviere-du-loup', { ready: [], seenAt: 0 }],
      ['rouyn-noranda', { ready: [], seenAt: 0 }],
    ]);
    assert.deepEqual(displaysNotReady(displays, 'rouyn-noranda', 1000), ['riviere-du-loup']);
    assert.deepEqual(displaysNotReady(displays, 'rouyn-noranda', DISPLAY_STALE_MS + 1), [], 'states older than the stale bound are not waited for');
    const answer: EventResult = { kind: 'control', id: 'x', action: 'grant', site: 'a', result: 'accepted', reason: null, duplicate: false, epoch: 1, at: 'now' };
    assert.equal(withHold(answer, null), answer);
    assert.deepEqual(withHold(answer, { waitedMs: 5, ready: true, notReady: [] }).hold, { waitedMs: 5, ready: true, notReady: [] });
  });
});

describe('hold until buffered: the wait (fake timers)', () => {
  it('ends when the last display is ready, at the bound otherwise, and at once when cancelled', async () => {
    const { fake, clock } = fakeClock();
    const readiness = new DisplayReadiness(clock);
    readiness.update('riviere-du-loup', display([]));
    readiness.update('saint-camille', display(undefined)); // a single-player display: not waited for

    const early = readiness.wait('rouyn-noranda', 2000);
    await fake.tickAsync(700);
    readiness.update('riviere-du-loup', display(['rouyn-noranda']));
    assert.deepEqual(await early, { waitedMs: 700, ready: true, notReady: [] });

    readiness.update('riviere-du-loup', display([]));
    let settled = false;
    const bound = readiness.wait('rouyn-noranda', 2000).then((h) => ((settled = true), h));
    await fake.tickAsync(1999);
    assert.equal(settled, false, 'still waiting 1 ms before the bound');
    await fake.tickAsync(1);
    assert.deepEqual(await bound, { waitedMs: 2000, ready: false, notReady: ['riviere-du-loup'] });

    let cancel = false;
    const cancelled = readiness.wait('rouyn-noranda', 2000, () => cancel);
    await fake.tickAsync(100);
    cancel = true;
    readiness.wake();
    assert.deepEqual(await cancelled, { waitedMs: 100, ready: false, notReady: ['riviere-du-loup'] });
    assert.equal(fake.countTimers(), 0, 'no timer left behind');
  });
});

describe('hold until buffered: a running conductor (embedded broker, fake displays)', function () {
  this.timeout(30_000);
  const HOLD_MS = 1500;
  let broker: TestBroker;
  let conductor: Conductor;
  let dir: string;
  let client: mqtt.MqttClient;
  const events: EventResult[] = [];
  const floors: Floor[] = [];

  const siteState = (part: DisplayPart): SiteState => ({
    version: 'test', tally: { role: 'idle', link: 'ok', epoch: conductor.epoch, term: conductor.term }, lamps: {}, encoder: null, cameras: [],
    counters: { badPayloads: 0, droppedPresses: 0 }, display: part, updatedAt: new Date().toISOString(),
  });
  const report = (site: string, ready: string[]): Promise<unknown> => client.publishAsync(topic('test', 'siteState', site), JSON.stringify(siteState(display(ready))), { qos: 1, retain: true });
  const answers = (id: string): EventResult[] => events.filter((e) => e.id === id);

  before(async () => {
    broker = await startTestBroker('aedes');
    dir = await mkdtemp(join(tmpdir(), 'relais-hold-'));
    conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json'), { holdUntilBuffered: true, holdMs: HOLD_MS }), log: quietLogger('conductor') });
    await conductor.start();
    client = await mqtt.connectAsync(broker.url, { clientId: 'hold-test' });
    client.on('message', (t, payload) => {
      const e = decode('events', payload);
      if (t.endsWith('/events') && e.ok) events.push(e.value);
      const f = decode('floor', payload);
      if (t.endsWith('/floor') && f.ok) floors.push(f.value);
    });
    await client.subscribeAsync([topicFilter('test', 'events'), topicFilter('test', 'floor')], { qos: 1 });
  });

  after(async () => {
    await client?.endAsync();
    await conductor?.stop();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a grant until the display that was buffering reports the feed ready', async () => {
    await report('rouyn-noranda', ['saint-camille', 'riviere-du-loup']);
    await report('riviere-du-loup', ['rouyn-noranda']);
    await conductorMarker(client, 'test');
    const holding = new Promise<string>((resolve) => conductor.once('holding', resolve));
    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'g1', action: 'grant', site: 'saint-camille' }), { qos: 1 });
    assert.equal(await holding, 'saint-camille');
    assert.equal(conductor.floor().onAir, null, 'nothing on air while the hand-off waits');
    assert.equal(floors.some((f) => f.onAir === 'saint-camille'), false);
    await report('riviere-du-loup', ['rouyn-noranda', 'saint-camille']);
    await waitFor('the answer to g1', () => answers('g1').length > 0, 5000);
    const [answer] = answers('g1');
    assert.equal(answer?.result, 'accepted');
    assert.equal(answer?.hold?.ready, true);
    assert.ok((answer?.hold?.waitedMs ?? -1) >= 0 && (answer?.hold?.waitedMs ?? HOLD_MS) < HOLD_MS, `waited ${answer?.hold?.waitedMs} ms`);
    assert.equal(floors.at(-1)?.onAir, 'saint-camille');
  });

  it('goes at the bound when a display never gets ready, and answers what came meanwhile after it', async () => {
    await report('saint-camille', ['riviere-du-loup']);
    await conductorMarker(client, 'test');
    const holding = new Promise<string>((resolve) => conductor.once('holding', resolve));
    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'g2', action: 'grant', site: 'rouyn-noranda' }), { qos: 1 });
    await holding;
    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'r2', action: 'reorder', queue: ['riviere-du-loup'] }), { qos: 1 });
    await waitFor('the answers to g2 and r2', () => answers('g2').length > 0 && answers('r2').length > 0, HOLD_MS + 5000);
    const [g2] = answers('g2');
    assert.deepEqual({ result: g2?.result, ready: g2?.hold?.ready, notReady: g2?.hold?.notReady }, { result: 'accepted', ready: false, notReady: ['saint-camille'] });
    assert.ok((g2?.hold?.waitedMs ?? 0) >= HOLD_MS - 50, `waited ${g2?.hold?.waitedMs} ms`);
    assert.ok(events.indexOf(answers('r2')[0]!) > events.indexOf(g2!), 'the reorder is answered after the held grant');
    assert.equal(answers('r2')[0]?.hold, undefined, 'a reorder hands nothing off');
  });

  it('publishes nothing of a held hand-off once another conductor holds a newer term', async () => {
    // saint-camille's display is not ready for riviere-du-loup: the next grant waits.
    await report('saint-camille', []);
    await conductorMarker(client, 'test');
    const before = conductor.term;
    const holding = new Promise<string>((resolve) => conductor.once('holding', resolve));
    const standby = new Promise<void>((resolve) => conductor.on('role', function seen(role) {
      if (role === 'standby') resolve(void conductor.off('role', seen));
    }));
    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'g3', action: 'grant', site: 'riviere-du-loup' }), { qos: 1 });
    await holding;
    await client.publishAsync(topic('test', 'conductorHeartbeat'), JSON.stringify({ conductor: 'usurper', epoch: conductor.epoch, term: before + 1, at: new Date().toISOString(), role: 'primary' }), { qos: 1 });
    await standby;
    // The usurper beats no more: ours takes a newer term back after one lease, then answers a marker.
    await waitFor('primary again', () => conductor.role === 'primary' && conductor.term > before + 1, 10_000);
    await conductorMarker(client, 'test');
    assert.deepEqual(answers('g3'), [], 'the deposed conductor did not answer the held grant');
    assert.equal(floors.some((f) => f.onAir === 'riviere-du-loup'), false, 'nor published its floor');
    assert.equal(conductor.floor().onAir, 'rouyn-noranda');
  });
});
