/** The floor as the box sees it: which floor it takes, its role, and when it asks again. */
import assert from 'node:assert/strict';
import { FloorView, buttonRole } from '../../src/appliance/floor-view.js';
import type { Floor, Heartbeat } from '../../src/protocol/schemas.js';

const SITE = 'rouyn-noranda';
const floor = (epoch: number, parts: Partial<Floor> = {}): Floor =>
  ({ epoch, onAir: null, next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor: 'c1', updatedAt: new Date(0).toISOString(), ...parts }) as Floor;
const beat = (epoch: number): Heartbeat => ({ conductor: 'c1', epoch, at: new Date(0).toISOString(), role: 'primary' });

describe('appliance: floor view', () => {
  it('takes newer epochs only, and tells a role change once', () => {
    const view = new FloorView(SITE);
    assert.deepEqual(view.offer(floor(2, { queue: [SITE] }))?.role, 'queued');
    assert.equal(view.offer(floor(2, { onAir: SITE })), null, 'the same epoch twice');
    assert.equal(view.offer(floor(1, { onAir: SITE })), null, 'an older epoch');
    assert.equal(view.offer(floor(3, { queue: [SITE, 'saint-camille'] }))?.role, null, 'still queued');
    assert.equal(view.role, 'queued');
    assert.equal(view.epoch, 3);
  });

  it('asks for the floor again when a heartbeat is ahead, at most once per interval', () => {
    const view = new FloorView(SITE);
    view.offer(floor(4));
    assert.equal(view.heard(beat(4), 0, 1000), false);
    assert.equal(view.heard(beat(5), 10, 1000), true);
    assert.equal(view.heard(beat(5), 1009, 1000), false);
    assert.equal(view.heard(beat(5), 1010, 1000), true);
  });

  it('takes swapped rules that see the newest heartbeat', () => {
    const seenBeats: Array<number | null> = [];
    const view = new FloorView(SITE, {
      accept: (seen, offered, heartbeat) => {
        seenBeats.push(heartbeat?.epoch ?? null);
        return heartbeat !== null && offered.epoch > (seen?.epoch ?? -1);
      },
    });
    assert.equal(view.offer(floor(1)), null, 'no heartbeat yet: this rule waits');
    view.heard(beat(1), 0, 1000);
    assert.notEqual(view.offer(floor(1)), null);
    assert.deepEqual(seenBeats, [null, 1]);
  });

  it('a site next only by the rundown presses as idle', () => {
    assert.equal(buttonRole('next', floor(1, { next: SITE }), SITE), 'idle');
    assert.equal(buttonRole('next', floor(1, { next: SITE, queue: [SITE] }), SITE), 'next');
  });
});
