import assert from 'node:assert/strict';
import fc from 'fast-check';
import { behindConductor, compareFence, conductorLinkUp, fenceKey, followsFloor, judgeFloor, rebaseOnHeartbeats, type LinkFacts } from '../../src/protocol/fencing.js';
import { decode } from '../../src/protocol/topics.js';
import { MAX_FENCE, type Floor, type Heartbeat } from '../../src/protocol/schemas.js';

const floorBody = { onAir: 'saint-camille', next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor: 'x', updatedAt: 'x' };

describe('fencing rules (box side, pure)', () => {
  it('orders floors by term, then epoch; a floor without term is term 0', () => {
    assert.ok(compareFence({ term: 2, epoch: 1 }, { term: 1, epoch: 900 }) > 0, 'a newer term wins whatever its epoch');
    assert.ok(compareFence({ term: 1, epoch: 5 }, { term: 1, epoch: 4 }) > 0);
    assert.deepEqual(fenceKey({ epoch: 7 }), { term: 0, epoch: 7 });
  });

  it('a box follows only newer keys, never an older term, and waits for a heartbeat before a term far above it', () => {
    assert.deepEqual(judgeFloor({ term: 3, epoch: 60 }, { term: 2, epoch: 62 }, 3), { accept: false, reason: 'older' });
    assert.deepEqual(judgeFloor({ term: 3, epoch: 60 }, { term: 3, epoch: 60 }, 3), { accept: false, reason: 'older' });
    assert.deepEqual(judgeFloor({ term: 3, epoch: 60 }, { term: 4, epoch: 61 }, 4), { accept: true });
    assert.deepEqual(judgeFloor({ term: 3, epoch: 60 }, { term: 4, epoch: 61 }, 3), { accept: false, reason: 'term-jump' }, 'a new term waits for its heartbeat');
    assert.deepEqual(judgeFloor({ term: 3, epoch: 60 }, { term: 900, epoch: 61 }, 3), { accept: false, reason: 'term-jump' });
    assert.deepEqual(judgeFloor(null, { term: 900, epoch: 1 }, null), { accept: true }, 'before any heartbeat the box has nothing to compare with');
    assert.deepEqual(judgeFloor(null, { term: 0, epoch: 2 ** 53 }, null), { accept: false, reason: 'out-of-bounds' });
  });

  it('two heartbeats of one conductor below the followed term bring the box back to that term; anything else keeps the key', () => {
    const followed = { term: 5, epoch: 9 };
    assert.deepEqual(rebaseOnHeartbeats(followed, [{ from: 'main', term: 4 }, { from: 'main', term: 4 }]), { term: 4, epoch: -1 });
    assert.equal(rebaseOnHeartbeats(followed, [{ from: 'main', term: 4 }]), followed, 'one heartbeat is not enough');
    assert.equal(rebaseOnHeartbeats(followed, [{ from: 'old', term: 4 }, { from: 'main', term: 4 }]), followed);
    assert.equal(rebaseOnHeartbeats(followed, [{ from: 'main', term: 5 }, { from: 'main', term: 5 }]), followed);
    assert.equal(rebaseOnHeartbeats(followed, [{ from: 'main', term: 6 }, { from: 'main', term: 6 }]), followed);
  });

  it('as the box applies them: a forged floor one term up is refused, and after two heartbeats of the live primary the box takes its floor again', () => {
    const floor = (term: number, epoch: number, conductor = 'main'): Floor => ({ ...floorBody, term, epoch, conductor });
    const beat = (term: number, epoch: number, conductor = 'main'): Heartbeat => ({ conductor, term, epoch, at: 'x', role: 'primary' });
    const live = beat(3, 40);
    assert.equal(followsFloor(floor(3, 40), floor(4, 41, 'x'), live, [live]), false, 'no heartbeat of term 4');
    assert.equal(followsFloor(floor(3, 40), floor(3, 41), live, [live]), true);
    // A forged floor that got in (before any heartbeat), then the live primary's heartbeats:
    assert.equal(behindConductor(floor(9, 5, 'x'), live, [live]), false, 'one heartbeat: still following the forgery');
    assert.equal(behindConductor(floor(9, 5, 'x'), live, [live, live]), true, 'two: ask for the retained floor again');
    assert.equal(followsFloor(floor(9, 5, 'x'), floor(3, 40), live, [live, live]), true);
  });

  it('whatever the sequence, the followed key only grows', () => {
    const key = fc.record({ term: fc.integer({ min: 0, max: 6 }), epoch: fc.integer({ min: 0, max: 50 }) });
    fc.assert(fc.property(fc.array(fc.tuple(key, fc.option(fc.integer({ min: 0, max: 6 }), { nil: null })), { maxLength: 80 }), (seq) => {
      let newest: { term: number; epoch: number } | null = null;
      for (const [k, beat] of seq) {
        if (!judgeFloor(newest, k, beat).accept) continue;
        if (newest) assert.ok(compareFence(k, newest) > 0);
        newest = k;
      }
    }));
  });

  it('the schema drops epochs and terms above 2^31-1 (the forged floor of 2^53)', () => {
    const forged = decode('floor', JSON.stringify({ epoch: 9007199254740991, ...floorBody }));
    assert.equal(forged.ok, false);
    assert.equal(decode('floor', JSON.stringify({ epoch: MAX_FENCE, term: MAX_FENCE + 1, ...floorBody })).ok, false);
    assert.equal(decode('floor', JSON.stringify({ epoch: MAX_FENCE, ...floorBody })).ok, true);
    assert.equal(decode('conductorHeartbeat', JSON.stringify({ conductor: 'c', epoch: 2 ** 40, at: 'x', role: 'primary' })).ok, false);
  });

  describe('the link rule', () => {
    const base: LinkFacts = { now: 10_000, mqttUp: true, leaseMs: 5000, lastHeartbeatAt: 9800, heartbeatGapMs: 1000, offlineSince: null };
    it('is up with a fresh heartbeat, lost past the lease or without the broker', () => {
      assert.equal(conductorLinkUp(base), true);
      assert.equal(conductorLinkUp({ ...base, lastHeartbeatAt: 4000 }), false);
      assert.equal(conductorLinkUp({ ...base, mqttUp: false }), false);
    });
    it('a Will of a replaced primary does not drop the link while heartbeats keep coming', () => {
      assert.equal(conductorLinkUp({ ...base, offlineSince: 9900 }), true, 'within two heartbeat intervals of the offline');
      assert.equal(conductorLinkUp({ ...base, offlineSince: 9500, lastHeartbeatAt: 9800 }), true, 'a heartbeat came after it');
    });
    it('an offline that no heartbeat follows drops the link after two intervals, before the lease', () => {
      assert.equal(conductorLinkUp({ ...base, now: 12_000, lastHeartbeatAt: 9800, offlineSince: 9850 }), false);
      assert.equal(conductorLinkUp({ ...base, heartbeatGapMs: null, offlineSince: 9900 }), false, 'without a known rhythm, at once');
    });
  });
});
