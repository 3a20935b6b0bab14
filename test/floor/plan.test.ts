/**
 * The rundown plan in the pure floor machine: minutes added or taken, items
 * skipped and moved, the schedule and the delay the floor carries, and a
 * standby rebuilding all of it from the published floor. Time is a number.
 */
import assert from 'node:assert/strict';
import { fitState, initialFloorState, step, type FloorCommand, type FloorRules, type FloorState } from '../../src/floor/machine.js';
import { floorView, stateFromFloor } from '../../src/floor/view.js';
import { rundownView } from '../../src/conductor/answers.js';
import { floor as floorSchema, rundownList } from '../../src/protocol/schemas.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 14, 0, 0);
const rules: FloorRules = {
  sites: ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'],
  rundown: [
    { title: 'Ouverture', speaker: 'A', site: 'saint-camille', plannedMinutes: 10 },
    { title: 'Mines', speaker: 'B', site: 'rouyn-noranda', plannedMinutes: 15 },
    { title: 'Fleuve', speaker: 'C', site: 'riviere-du-loup', plannedMinutes: 20 },
    { title: 'Clôture', speaker: 'D', site: 'saint-camille', plannedMinutes: 5 },
  ],
  autoGrant: false,
  nextPolicy: 'rundown',
  idWindow: 50,
};

let n = 0;
const ctl = (control: Record<string, unknown>): FloorCommand => ({ kind: 'control', control: { id: `p${n++}`, ...control } as never });

function apply(state: FloorState, control: Record<string, unknown>, at: number): FloorState {
  const out = step(state, ctl(control), rules, at);
  assert.equal(out.accepted, true, `${JSON.stringify(control)}: ${out.reason}`);
  return out.state;
}

function rejected(state: FloorState, control: Record<string, unknown>, code: string): void {
  const out = step(state, ctl(control), rules, T0);
  assert.equal(out.accepted, false, JSON.stringify(control));
  assert.equal(out.code, code, `${JSON.stringify(control)}: ${out.reason}`);
  assert.ok(out.reason && out.reason.length > 0, 'an English sentence for old clients');
  assert.deepEqual(out.state.plan, state.plan, 'a refused command changes no plan');
  assert.equal(out.state.epoch, state.epoch);
}

const view = (s: FloorState, at = T0) => floorSchema.parse(floorView(s, rules, 'main', at));
const iso = (ms: number): string => new Date(ms).toISOString();

describe('rundown plan (floor machine)', () => {
  it('adds minutes to the current item: the planned end and the delay follow, the epoch grows', () => {
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    assert.equal(view(s).delayMinutes, 0, 'on time at the start');
    const before = s.epoch;
    s = apply(s, { action: 'adjust', minutes: 7 }, T0 + MIN);
    assert.ok(s.epoch > before, 'an adjustment is a change of the floor');
    const f = view(s);
    assert.equal(f.plannedEnd, iso(T0 + 17 * MIN));
    assert.equal(f.addedMinutes, 7);
    assert.equal(f.delayMinutes, 7);
    assert.deepEqual(f.upcoming?.map((u) => [u.index, u.scheduledStart, u.shiftedStart]), [
      [1, iso(T0 + 10 * MIN), iso(T0 + 17 * MIN)],
      [2, iso(T0 + 25 * MIN), iso(T0 + 32 * MIN)],
      [3, iso(T0 + 45 * MIN), iso(T0 + 52 * MIN)],
    ]);
    s = apply(s, { action: 'adjust', minutes: -10 }, T0 + 2 * MIN);
    assert.equal(view(s).delayMinutes, -3, 'taken minutes make the day early');
    assert.equal(view(s).plannedEnd, iso(T0 + 7 * MIN));
  });

  it('bounds the adjustment: at least one minute left, at most 180 added, and only with an item on air', () => {
    rejected(initialFloorState(4), { action: 'adjust', minutes: 1 }, 'no-item-on-air');
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    rejected(s, { action: 'adjust', minutes: -10 }, 'adjust-out-of-range');
    s = apply(s, { action: 'adjust', minutes: -9 }, T0);
    assert.equal(view(s).plannedEnd, iso(T0 + MIN));
    for (let i = 0; i < 3; i++) s = apply(s, { action: 'adjust', minutes: 60 }, T0);
    rejected(s, { action: 'adjust', minutes: 60 }, 'adjust-out-of-range');
    assert.equal(view(s).addedMinutes, 171);
  });

  it('a late start carries its delay to every later item', () => {
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    s = apply(s, { action: 'next' }, T0 + 14 * MIN);
    const f = view(s, T0 + 14 * MIN);
    assert.equal(f.item?.index, 1);
    assert.equal(f.delayMinutes, 4, 'item 2 started 4 minutes after its slot');
    assert.equal(f.upcoming?.[0]?.shiftedStart, iso(T0 + 29 * MIN));
    // An unscheduled turn keeps the delay of the last item started.
    s = apply(s, { action: 'grant', site: 'saint-camille' }, T0 + 20 * MIN);
    assert.equal(view(s).item, null);
    assert.equal(view(s).delayMinutes, 4);
  });

  it('skips an item: next passes over it, its slot frees the time, and unskip brings it back', () => {
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    s = apply(s, { action: 'adjust', minutes: 5 }, T0);
    s = apply(s, { action: 'skip', item: 1 }, T0 + MIN);
    let f = view(s);
    assert.equal(f.next, 'riviere-du-loup');
    assert.equal(f.nextItem?.index, 2);
    assert.deepEqual(f.upcoming?.[0], { index: 1, scheduledStart: iso(T0 + 10 * MIN), shiftedStart: null, skipped: true });
    assert.equal(f.delayMinutes, -10, 'five minutes late, fifteen freed');
    rejected(s, { action: 'skip', item: 1 }, 'item-skipped');
    rejected(s, { action: 'skip', item: 0 }, 'item-started');
    rejected(s, { action: 'skip', item: 9 }, 'item-unknown');
    rejected(s, { action: 'unskip', item: 2 }, 'item-not-skipped');
    s = apply(s, { action: 'unskip', item: 1 }, T0 + 2 * MIN);
    f = view(s);
    assert.equal(f.nextItem?.index, 1);
    assert.equal(f.delayMinutes, 5);
    // Skipped, then passed over: it stays done and cannot come back.
    s = apply(s, { action: 'skip', item: 1 }, T0 + 3 * MIN);
    s = apply(s, { action: 'next' }, T0 + 15 * MIN);
    assert.equal(s.itemIndex, 2);
    rejected(s, { action: 'unskip', item: 1 }, 'item-started');
    const list = rundownList.parse(rundownView(s, rules));
    assert.deepEqual(list.items.map((i) => [i.index, i.status, i.skipped]), [[0, 'done', false], [1, 'done', true], [2, 'playing', false], [3, 'upcoming', false]]);
  });

  it('moves an item not yet played; the rundown and next follow the new order', () => {
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    s = apply(s, { action: 'move', item: 3, to: 1 }, T0);
    const f = view(s);
    assert.deepEqual(f.schedule?.order, [0, 3, 1, 2]);
    assert.equal(f.nextItem?.title, 'Clôture');
    assert.deepEqual(f.upcoming?.map((u) => u.shiftedStart), [iso(T0 + 10 * MIN), iso(T0 + 15 * MIN), iso(T0 + 30 * MIN)]);
    assert.deepEqual(rundownView(s, rules).items.map((i) => i.index), [0, 3, 1, 2], 'the rundown topic lists the play order');
    rejected(s, { action: 'move', item: 0, to: 2 }, 'item-started');
    rejected(s, { action: 'move', item: 2, to: 0 }, 'position-out-of-range');
    rejected(s, { action: 'move', item: 2, to: 4 }, 'position-out-of-range');
    s = apply(s, { action: 'next' }, T0 + 10 * MIN);
    assert.equal(s.itemIndex, 3);
    assert.equal(s.onAir, 'saint-camille');
  });

  it('records when each item started and ended, bounded', () => {
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    s = apply(s, { action: 'next' }, T0 + 12 * MIN);
    s = apply(s, { action: 'revoke' }, T0 + 30 * MIN);
    assert.deepEqual(s.played, [
      { index: 0, start: T0, end: T0 + 12 * MIN },
      { index: 1, start: T0 + 12 * MIN, end: T0 + 30 * MIN },
    ]);
  });

  it('a standby rebuilds the plan, the delay and the cursor from the published floor', () => {
    let s = apply(initialFloorState(4), { action: 'next' }, T0);
    s = apply(s, { action: 'move', item: 3, to: 1 }, T0);
    s = apply(s, { action: 'skip', item: 1 }, T0);
    s = apply(s, { action: 'adjust', minutes: 3 }, T0);
    const published = view(s);
    const rebuilt = stateFromFloor(published, rules);
    assert.deepEqual(rebuilt.plan, s.plan);
    assert.equal(rebuilt.cursor, s.cursor);
    const again = view(rebuilt);
    assert.deepEqual({ ...again, updatedAt: null }, { ...published, updatedAt: null });
    // Between items too: the last item's start comes with the floor.
    const between = apply(s, { action: 'revoke' }, T0 + 20 * MIN);
    assert.equal(view(stateFromFloor(view(between), rules)).delayMinutes, view(between).delayMinutes);
  });

  it('fits a state file written before the plan, or for another rundown', () => {
    const old = { epoch: 4, term: 1, onAir: 'rouyn-noranda', since: T0, queue: [], itemIndex: 1, cursor: 1, recent: [] } as unknown as FloorState;
    const fitted = fitState(old, rules);
    assert.deepEqual(fitted.plan.order, [0, 1, 2, 3]);
    assert.equal(view(fitted).nextItem?.index, 2);
    const shorter = fitState({ ...initialFloorState(2), cursor: 1 }, rules);
    assert.equal(shorter.plan.order.length, 4);
  });
});
