/** The press outbox on fake timers: held presses, stale ones, answers and their timeout. */
import assert from 'node:assert/strict';
import { ANSWER_TIMEOUT_MS, PressOutbox, type Press, type PressSettlement } from '../../src/appliance/press-outbox.js';
import type { EventResult } from '../../src/protocol/schemas.js';
import { fakeClock, type FakeClock } from '../helpers/fake-clock.js';
import { recordingLogger } from '../helpers/log.js';

const HOLD_MS = 3000;
const SITE = 'rouyn-noranda';

describe('appliance: press outbox (fake timers)', () => {
  let time: FakeClock;
  let outbox: PressOutbox;
  let sent: Press[];
  let outcomes: string[];
  let settled: Array<[string, PressSettlement, string | null]>;
  let n: number;

  const press = (): Press => ({ id: `p${++n}`, action: 'request', origin: 'test', at: time.clock.now() });
  const answer = (id: string, result: 'accepted' | 'rejected', site = SITE): EventResult => ({
    kind: 'intent', id, action: 'request', site, result, reason: result === 'rejected' ? 'site is already on air' : null, duplicate: false, epoch: 3, at: new Date(0).toISOString(),
  });

  beforeEach(() => {
    time = fakeClock();
    sent = [];
    outcomes = [];
    settled = [];
    n = 0;
    outbox = new PressOutbox({ site: SITE, holdPressMs: HOLD_MS, clock: time.clock, log: recordingLogger(), send: (p) => sent.push(p) });
    outbox.on('press', (outcome, _action, id) => outcomes.push(`${outcome}:${id}`));
    outbox.on('settled', (p, how, reason) => settled.push([p.id, how, reason]));
  });
  afterEach(() => outbox.stop());

  it('holds a press while the link is down and sends it when the link comes back', () => {
    outbox.submit(press());
    assert.deepEqual(outcomes, ['held:p1']);
    assert.equal(outbox.pending, true);
    assert.equal(sent.length, 0);
    time.fake.tick(HOLD_MS - 1);
    outbox.linkChanged(true);
    assert.deepEqual(sent.map((p) => p.id), ['p1']);
    assert.deepEqual(outcomes, ['held:p1', 'sent:p1']);
    assert.equal(outbox.droppedPresses, 0);
  });

  it('drops and counts a held press once it is holdPressMs old; the link coming back sends nothing', () => {
    outbox.submit(press());
    time.fake.tick(HOLD_MS - 1);
    assert.equal(outbox.droppedPresses, 0);
    time.fake.tick(1);
    assert.equal(outbox.droppedPresses, 1);
    assert.deepEqual(outcomes, ['held:p1', 'dropped:p1']);
    assert.deepEqual(settled, [['p1', 'dropped', null]]);
    assert.equal(outbox.pending, false);
    outbox.linkChanged(true);
    assert.equal(sent.length, 0);
  });

  it('a newer press while the link is down replaces the held one, which counts as dropped', () => {
    outbox.submit(press());
    time.fake.tick(100);
    outbox.submit(press());
    outbox.linkChanged(true);
    assert.deepEqual(outcomes, ['held:p1', 'dropped:p1', 'held:p2', 'sent:p2']);
    assert.equal(outbox.droppedPresses, 1);
  });

  it('a sent press with no answer settles as unanswered after exactly the answer timeout', () => {
    outbox.linkChanged(true);
    outbox.submit(press());
    time.fake.tick(ANSWER_TIMEOUT_MS - 1);
    assert.deepEqual(settled, []);
    assert.equal(outbox.pending, true);
    time.fake.tick(1);
    assert.deepEqual(settled, [['p1', 'unanswered', null]]);
    assert.equal(outbox.pending, false);
  });

  it('takes this site\'s answers only, and an answer stops the timeout', () => {
    outbox.linkChanged(true);
    outbox.submit(press());
    outbox.submit(press());
    outbox.answer(answer('p1', 'accepted', 'saint-camille'));
    assert.deepEqual(settled, [], 'another site\'s answer with the same id is not ours');
    outbox.answer(answer('p1', 'accepted'));
    outbox.answer(answer('p2', 'rejected'));
    assert.deepEqual(settled, [['p1', 'accepted', null], ['p2', 'rejected', 'site is already on air']]);
    assert.equal(outbox.pending, false);
    assert.equal(time.fake.countTimers(), 0);
  });

  it('stop forgets what is held and in flight, and clears every timer', () => {
    outbox.submit(press());
    outbox.linkChanged(true);
    outbox.linkChanged(false);
    outbox.submit(press());
    outbox.stop();
    assert.equal(time.fake.countTimers(), 0);
    outbox.linkChanged(true);
    assert.deepEqual(sent.map((p) => p.id), ['p1']);
  });
});
