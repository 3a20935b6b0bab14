import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initialFloorState, nextSite, step, type FloorCommand, type FloorRules, type FloorState } from '../../src/floor/machine.js';
import { floorView, stateFromFloor } from '../../src/floor/view.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup', 'sherbrooke'];
const rules = (over: Partial<FloorRules> = {}): FloorRules => ({
  sites: SITES,
  rundown: [
    { title: 'Opening', speaker: 'A', site: 'saint-camille', plannedMinutes: 5 },
    { title: 'Mines', speaker: 'B', site: 'rouyn-noranda', plannedMinutes: 15 },
    { title: 'River', speaker: 'C', site: 'riviere-du-loup', plannedMinutes: 15 },
  ],
  autoGrant: false,
  nextPolicy: 'rundown',
  idWindow: 50,
  ...over,
});

let counter = 0;
const intent = (site: string, action: 'request' | 'cancel' | 'release' | 'pass', to?: string, id = `i${counter++}`): FloorCommand => ({ kind: 'intent', site, intent: to ? { id, action, to } : { id, action } });
const control = (action: 'grant' | 'revoke' | 'next' | 'reorder', extra: { site?: string; queue?: string[] } = {}, id = `c${counter++}`): FloorCommand => ({ kind: 'control', control: { id, action, ...extra } });

function run(cmds: FloorCommand[], r = rules(), start = initialFloorState()): FloorState {
  return cmds.reduce((s, c, i) => step(s, c, r, 1_000 + i).state, start);
}

describe('floor machine', () => {
  it('queues requests, grants, and follows the rundown on next and pass', () => {
    const r = rules();
    let s = run([intent('rouyn-noranda', 'request'), intent('riviere-du-loup', 'request')], r);
    assert.deepEqual(s.queue, ['rouyn-noranda', 'riviere-du-loup']);
    assert.equal(s.onAir, null);
    assert.equal(nextSite(s, r), 'saint-camille', 'the rundown comes first by default');
    s = step(s, control('next'), r, 5000).state;
    assert.equal(s.onAir, 'saint-camille');
    assert.equal(floorView(s, r, 'c', 5000).item?.title, 'Opening');
    assert.equal(floorView(s, r, 'c', 5000).plannedEnd, new Date(5000 + 5 * 60_000).toISOString());
    s = step(s, intent('saint-camille', 'pass'), r, 6000).state;
    assert.equal(s.onAir, 'rouyn-noranda');
    assert.deepEqual(s.queue, ['riviere-du-loup'], 'the granted site leaves the queue');
    assert.equal(floorView(s, r, 'c', 6000).item?.title, 'Mines');
  });

  it('with the queue policy, next takes the queue first', () => {
    const r = rules({ nextPolicy: 'queue' });
    const s = run([intent('riviere-du-loup', 'request'), control('next')], r);
    assert.equal(s.onAir, 'riviere-du-loup');
    assert.equal(s.itemIndex, null, 'an unscheduled turn has no rundown item');
  });

  it('auto-grant gives a free floor to the first request and the queue head on release', () => {
    const r = rules({ autoGrant: true });
    let s = run([intent('sherbrooke', 'request'), intent('rouyn-noranda', 'request')], r);
    assert.equal(s.onAir, 'sherbrooke');
    s = step(s, intent('sherbrooke', 'release'), r, 9000).state;
    assert.equal(s.onAir, 'rouyn-noranda');
  });

  it('rejects with reasons a person can read and leaves the epoch alone', () => {
    const r = rules();
    const s0 = run([control('grant', { site: 'saint-camille' })], r);
    const cases: Array<[FloorCommand, RegExp]> = [
      [intent('rouyn-noranda', 'release'), /not on air/],
      [intent('rouyn-noranda', 'pass'), /not on air/],
      [intent('saint-camille', 'request'), /already on air/],
      [intent('rouyn-noranda', 'cancel'), /not in the queue/],
      [intent('nowhere', 'request'), /unknown site "nowhere"/],
      [intent('saint-camille', 'pass', 'saint-camille'), /itself/],
      [intent('saint-camille', 'pass', 'atlantis'), /unknown site/],
      [control('grant', { site: 'saint-camille' }), /already on air/],
      [control('revoke', { site: 'sherbrooke' }), /not on air/],
      [control('reorder', { queue: ['sherbrooke', 'sherbrooke'] }), /twice/],
      [control('reorder', { queue: ['saint-camille'] }), /on air/],
    ];
    for (const [cmd, reason] of cases) {
      const out = step(s0, cmd, r, 10_000);
      assert.equal(out.accepted, false, JSON.stringify(cmd));
      assert.match(out.reason ?? '', reason);
      assert.equal(out.state.epoch, s0.epoch);
      assert.equal(out.state.onAir, s0.onAir);
    }
    const empty = initialFloorState();
    assert.match(step({ ...empty, cursor: 2 }, control('next'), r, 1).reason ?? '', /rundown is over/);
    assert.match(step(empty, control('revoke'), r, 1).reason ?? '', /nobody is on air/);
  });

  it('applies a repeated id once and replays its first answer', () => {
    const r = rules();
    const first = step(initialFloorState(), intent('sherbrooke', 'request', undefined, 'same'), r, 1);
    const again = step(first.state, intent('sherbrooke', 'request', undefined, 'same'), r, 2);
    assert.equal(again.duplicate, true);
    assert.equal(again.accepted, true);
    assert.equal(again.state.epoch, first.state.epoch);
    assert.deepEqual(again.state.queue, ['sherbrooke']);
    // The same id from another site is another intent.
    const other = step(first.state, intent('rouyn-noranda', 'request', undefined, 'same'), r, 3);
    assert.equal(other.duplicate, false);
  });

  it('answers a repeated id with the first answer: result, reason and the epoch it had', () => {
    let state = initialFloorState();
    const grant = { kind: 'control' as const, control: { id: 'g', action: 'grant' as const, site: 'saint-camille' } };
    const first = step(state, grant, rules(), 1000);
    state = first.state;
    state = step(state, { kind: 'control', control: { id: 'n', action: 'next' } }, rules(), 2000).state;
    assert.ok(state.epoch > first.epoch);
    const again = step(state, grant, rules(), 3000);
    assert.equal(again.duplicate, true);
    assert.equal(again.epoch, first.epoch, 'the first answer\'s epoch, not the current one');
    const bad = step(state, { kind: 'control', control: { id: 'b', action: 'revoke', site: 'riviere-du-loup' } }, rules(), 4000);
    const badAgain = step(bad.state, { kind: 'control', control: { id: 'b', action: 'revoke', site: 'riviere-du-loup' } }, rules(), 5000);
    assert.deepEqual([badAgain.accepted, badAgain.reason, badAgain.epoch], [false, bad.reason, bad.epoch]);
  });

  it('keeps a bounded window of ids', () => {
    const r = rules({ idWindow: 5 });
    const s = run(Array.from({ length: 20 }, () => control('revoke')), r);
    assert.equal(s.recent.length, 5);
  });

  it('rebuilds a state from a published floor', () => {
    const r = rules();
    const s = run([control('next'), intent('sherbrooke', 'request')], r);
    const rebuilt = stateFromFloor(floorView(s, r, 'x', 1), r);
    assert.equal(rebuilt.onAir, s.onAir);
    assert.deepEqual(rebuilt.queue, s.queue);
    assert.equal(rebuilt.cursor, s.cursor);
    assert.equal(nextSite(rebuilt, r), nextSite(s, r));
  });

  describe('invariants over random sequences', () => {
    const site = fc.constantFrom(...SITES, 'ghost');
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const command: fc.Arbitrary<FloorCommand> = fc.oneof(
      fc.record({ kind: fc.constant('intent' as const), site, intent: fc.record({ id, action: fc.constantFrom('request', 'cancel', 'release', 'pass'), to: fc.option(site, { nil: undefined }) }, { requiredKeys: ['id', 'action'] }) }),
      fc.record({ kind: fc.constant('control' as const), control: fc.oneof(
        fc.record({ id, action: fc.constant('grant' as const), site }),
        fc.record({ id, action: fc.constant('revoke' as const) }),
        fc.record({ id, action: fc.constant('next' as const) }),
        fc.record({ id, action: fc.constant('reorder' as const), queue: fc.array(site, { maxLength: 5 }) }),
      ) }),
    );
    const ruleSets = fc.record({ autoGrant: fc.boolean(), nextPolicy: fc.constantFrom('rundown' as const, 'queue' as const), idWindow: fc.integer({ min: 1, max: 20 }) });

    it('never two on air, epoch never falls, no site twice in the queue, changes raise the epoch', () => {
      fc.assert(
        fc.property(ruleSets, fc.array(command, { maxLength: 60 }), (over, cmds) => {
          const r = rules(over);
          let s = initialFloorState();
          cmds.forEach((cmd, i) => {
            const out = step(s, cmd, r, i * 1000);
            assert.ok(out.state.epoch >= s.epoch, 'epoch only grows');
            if (out.changed) assert.equal(out.state.epoch, s.epoch + 1);
            else assert.equal(out.state.epoch, s.epoch);
            if (!out.accepted) assert.equal(out.changed, false, 'a rejection changes nothing');
            s = out.state;
            assert.equal(new Set(s.queue).size, s.queue.length, 'no site twice in the queue');
            assert.ok(s.onAir === null || !s.queue.includes(s.onAir), 'the on-air site is not queued');
            assert.ok(s.onAir === null || SITES.includes(s.onAir), 'only known sites go on air');
            assert.ok(s.queue.every((q) => SITES.includes(q)));
            assert.ok(s.recent.length <= r.idWindow);
            const view = floorView(s, r, 'c', i);
            assert.equal(view.onAir === null ? 0 : 1, [view.onAir].filter(Boolean).length);
          });
        }),
        { numRuns: 300 },
      );
    });
  });
});
