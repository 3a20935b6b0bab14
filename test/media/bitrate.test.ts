/** Bitrate that follows the link: a bad day through the controller, interval by interval (pure). */
import assert from 'node:assert/strict';
import { DEFAULT_BITRATE_POLICY, nextBitrate, type BitratePolicy, type BitrateState } from '../../src/media/bitrate.js';
import type { LinkStats } from '../../src/protocol/schemas.js';

const policy: BitratePolicy = { ...DEFAULT_BITRATE_POLICY, floorKbps: 600, ceilingKbps: 2500 };
const stats = (over: Partial<LinkStats> = {}): LinkStats => ({
  role: 'sender', peer: 'relay', at: 'now', rttMs: 80, lossPercent: 1, retransmitted: 3, dropped: 0, sentKbps: 2500, receivedKbps: 0,
  bufferMs: 20, latencyMs: 300, bandwidthKbps: 20_000, verdict: 'good', why: null, ...over,
});

describe('bitrate that follows the link (pure)', () => {
  it('steps down on 10 % loss to the floor, holds there, and climbs back to the ceiling once the link is good', () => {
    let state: BitrateState = { kbps: 2500, goodStreak: 0 };
    const changes: number[] = [];
    const run = (s: LinkStats, intervals: number): void => {
      for (let i = 0; i < intervals; i += 1) {
        const next = nextBitrate(state, s, policy);
        state = next.state;
        if (next.changeTo !== null) changes.push(next.changeTo);
      }
    };
    run(stats({ lossPercent: 10 }), 10);
    assert.deepEqual(changes, [1750, 1225, 858, 601]);
    run(stats(), 100);
    assert.equal(state.kbps, 2500);
    assert.ok(changes.slice(4).every((c, i, a) => i === 0 || c > (a[i - 1] ?? 0)), `up again step by step: ${changes.slice(4).join(' ')}`);
    // Five good intervals per step of 10 %: from the floor to the ceiling takes 15 steps.
    assert.equal(changes.length - 4, 15);
  });

  it("cuts at once on a lossy interval or packets too late, not on SRT's capacity estimate alone, and never below the floor", () => {
    const start = { kbps: 2500, goodStreak: 3 };
    assert.equal(nextBitrate(start, stats({ lossPercent: 9 }), policy).changeTo, 1750);
    // SRT's capacity estimate alone, on a link that loses little, is not believed.
    assert.equal(nextBitrate(start, stats({ bandwidthKbps: 170 }), policy).changeTo, null);
    assert.match(nextBitrate(start, stats({ dropped: 4 }), policy).why ?? '', /4 packets too late/);
    assert.equal(nextBitrate({ kbps: 600, goodStreak: 0 }, stats({ verdict: 'down' }), policy).changeTo, null);
  });
});
