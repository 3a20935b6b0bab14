/**
 * The checker on small hand-made histories: each check must fail on the
 * history that breaks its rule, and hold on the one that does not.
 */
import assert from 'node:assert/strict';
import { checkAcceptedReflected, checkFloorKeys, checkHistory, checkIdempotent, checkNoDeposedFollowed, checkOnAirOverlap, convergedAt, convergenceAfterHeals, type CheckOptions } from './checker.js';
import type { Entry } from './history.js';

const SITES = ['a', 'b', 'c'];
const O: CheckOptions = { sites: SITES, conductors: ['alpha', 'beta'], handoffOverlapMs: 500, leaseMs: 1000, followDelayMs: 1000 };

const floor = (t: number, epoch: number, onAir: string | null, conductor = 'alpha', extra: Record<string, unknown> = {}): Entry => ({
  kind: 'msg', t, topic: 'relais/v1/e/floor', name: 'floor', site: null, retained: false,
  payload: { epoch, onAir, next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor, updatedAt: 'x', ...extra },
});
const state = (t: number, site: string, epoch: number, onAir: boolean, link: 'ok' | 'lost' = 'ok', term?: number): Entry => ({
  kind: 'msg', t, topic: `relais/v1/e/site/${site}/state`, name: 'siteState', site, retained: false,
  payload: { tally: { role: onAir ? 'on-air' : 'idle', link, epoch, ...(term !== undefined ? { term } : {}) }, lamps: { onAir: { pattern: onAir ? 'on' : link === 'ok' ? 'off' : 'link-lost', level: onAir } } },
});
const answer = (t: number, id: string, action: string, epoch: number, site: string | null, extra: Record<string, unknown> = {}): Entry => ({
  kind: 'msg', t, topic: 'relais/v1/e/events', name: 'events', site: null, retained: false,
  payload: { kind: 'control', id, action, site, result: 'accepted', reason: null, duplicate: false, epoch, at: 'x', ...extra },
});
const role = (t: number, conductor: string, r: 'primary' | 'standby'): Entry => ({ kind: 'role', t, conductor, role: r });
const nemesis = (t: number, op: string, phase: 'start' | 'heal', detail: Record<string, unknown> = {}): Entry => ({ kind: 'op', t, actor: 'nemesis', op, phase, detail });

describe('fault-suite checker', () => {
  describe('(a) floor keys', () => {
    it('fails on two different floors for the same (term, epoch)', () => {
      const r = checkFloorKeys([floor(0, 5, 'a'), floor(10, 5, 'b', 'beta')]);
      assert.equal(r.violations.length, 1);
      assert.match(r.violations[0]!, /0\/5/);
    });
    it('holds on a floor published again, and on the same epoch in two terms', () => {
      assert.deepEqual(checkFloorKeys([floor(0, 5, 'a'), floor(10, 5, 'a', 'alpha', { updatedAt: 'later' }), floor(20, 5, 'b', 'beta', { term: 2 })]).violations, []);
    });
  });

  describe('(b) one on air', () => {
    it('fails when two connected boxes both report ON AIR beyond the hand-off bound', () => {
      const r = checkOnAirOverlap([state(0, 'a', 1, true), state(100, 'b', 2, true), state(900, 'a', 2, false), state(1000, 'b', 2, true)], O);
      assert.equal(r.violations.length, 1);
      assert.equal(r.maxOverlapMs, 800);
    });
    it('holds on a hand-off within the bound', () => {
      const r = checkOnAirOverlap([state(0, 'a', 1, true), state(100, 'b', 2, true), state(300, 'a', 2, false)], O);
      assert.deepEqual(r.violations, []);
      assert.equal(r.maxOverlapMs, 200);
    });
    it('gives a box cut off its lease, and no more', () => {
      const cut = nemesis(50, 'partition-cut', 'start', { target: 'a' });
      const within = checkOnAirOverlap([state(0, 'a', 1, true), cut, state(100, 'b', 2, true), state(5000, 'a', 2, false), state(6000, 'b', 2, false)], O);
      assert.deepEqual(within.violations, [], 'a ends at 50 + lease + a tick: 1200 ms of overlap, under lease + 500');
      const beyond = checkOnAirOverlap([state(0, 'a', 1, true), state(100, 'b', 2, true), state(5000, 'a', 2, false)], O);
      assert.equal(beyond.violations.length, 1, 'without a cut, 4.9 s of two ON AIR lamps');
    });
  });

  describe('(c) accepted reflected, and idempotence', () => {
    it('fails when the floor of the answer\'s epoch does not show the grant', () => {
      const r = checkAcceptedReflected([floor(0, 3, 'b'), answer(5, 'g1', 'grant', 3, 'a')]);
      assert.equal(r.violations.length, 1);
    });
    it('fails when an accepted command never shows and nothing supersedes it', () => {
      assert.equal(checkAcceptedReflected([floor(0, 2, null), answer(5, 'g1', 'grant', 3, 'a'), floor(10, 4, 'b')]).violations.length, 1);
    });
    it('holds when its floor shows it, or a later accepted command supersedes it', () => {
      assert.deepEqual(checkAcceptedReflected([floor(0, 3, 'a'), answer(5, 'g1', 'grant', 3, 'a')]).violations, []);
      assert.deepEqual(checkAcceptedReflected([answer(5, 'g1', 'grant', 3, 'a'), floor(8, 4, 'b'), answer(9, 'g2', 'grant', 4, 'b')]).violations, []);
    });
    it('fails on an id applied twice, or a repeat answered unlike the first answer', () => {
      assert.equal(checkIdempotent([answer(0, 'g1', 'grant', 3, 'a'), answer(5, 'g1', 'grant', 4, 'a')]).violations.length, 1);
      assert.equal(checkIdempotent([answer(0, 'g1', 'grant', 3, 'a'), answer(5, 'g1', 'grant', 4, 'a', { duplicate: true })]).violations.length, 1);
      assert.deepEqual(checkIdempotent([answer(0, 'g1', 'grant', 3, 'a'), answer(5, 'g1', 'grant', 3, 'a', { duplicate: true })]).violations, []);
    });
  });

  describe('(d) no deposed primary followed', () => {
    const takeover: Entry[] = [role(0, 'alpha', 'primary'), floor(10, 5, 'a'), role(1000, 'beta', 'primary'), floor(1010, 6, 'a', 'beta')];
    it('fails when boxes follow the old primary\'s late floor after the delay', () => {
      const r = checkNoDeposedFollowed([...takeover, floor(3000, 7, 'b'), state(3010, 'a', 7, false), state(3011, 'b', 7, true)], O);
      assert.equal(r.violations.length, 2);
      assert.match(r.violations[0]!, /term 1/);
    });
    it('fails on a box that follows a forged floor', () => {
      assert.equal(checkNoDeposedFollowed([...takeover, floor(2000, 2 ** 53 - 1, 'c', 'intrus'), state(2500, 'c', 2 ** 53 - 1, true)], O).violations.length, 1);
    });
    it('holds when boxes follow the newest term, and when a box tells its term', () => {
      assert.deepEqual(checkNoDeposedFollowed([...takeover, state(3000, 'a', 6, true)], O).violations, []);
      assert.deepEqual(checkNoDeposedFollowed([floor(0, 5, 'a', 'alpha', { term: 1 }), floor(10, 3, 'b', 'beta', { term: 2 }), state(3000, 'b', 3, true, 'ok', 2)], O).violations, []);
      assert.equal(checkNoDeposedFollowed([floor(0, 5, 'a', 'alpha', { term: 1 }), floor(10, 3, 'b', 'beta', { term: 2 }), state(3000, 'a', 5, true, 'ok', 1)], O).violations.length, 1);
    });
  });

  describe('(e) convergence', () => {
    it('measures from the heal to the moment every box reports the newest floor with its link ok', () => {
      const h: Entry[] = [floor(0, 1, null), nemesis(100, 'partition-cut', 'start', { target: 'a' }), nemesis(1000, 'partition-cut', 'heal', { target: 'a' }),
        state(1100, 'a', 1, false, 'lost'), state(1200, 'b', 1, false), state(1300, 'c', 1, false), state(1400, 'a', 1, false)];
      assert.equal(convergedAt(h, O, 1000), 1400);
      const r = convergenceAfterHeals(h, O);
      assert.deepEqual(r.times.map((c) => c.ms), [400]);
      assert.deepEqual(r.violations, []);
    });
    it('fails when the boxes stay on a floor the conductors no longer publish (a forged one)', () => {
      const h: Entry[] = [floor(0, 1, null), nemesis(100, 'forge-floor', 'start'), floor(101, 2 ** 53 - 1, 'a', 'intrus'), nemesis(102, 'forge-floor', 'heal'),
        floor(200, 2 ** 53, 'a'), state(300, 'a', 2 ** 53 - 1, true), state(300, 'b', 2 ** 53 - 1, false), state(300, 'c', 2 ** 53 - 1, false)];
      assert.equal(convergenceAfterHeals(h, O).violations.length, 1);
    });
  });

  it('sums a run up in one line naming the checks that failed', () => {
    const v = checkHistory([floor(0, 5, 'a'), floor(10, 5, 'b', 'beta'), nemesis(20, 'late-will', 'start'), nemesis(21, 'late-will', 'heal')], O, 42);
    assert.match(v.summary, /seed 42 \| faults late-will×1 .*FAILED: floor keys \(1\)/);
  });
});
