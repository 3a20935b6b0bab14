/**
 * The link model on its own: a seeded day of packets against a clock the test
 * moves, so the figures are exact (loss, bottleneck, jitter, reordering) and
 * the delivery queue runs on fake timers.
 */
import assert from 'node:assert/strict';
import { LinkDirection, applySettingsLine, parseImpairment, seededRandom, type PacketFate } from '../../src/sim/link-model.js';
import { DeliveryQueue } from '../../src/sim/link-proxy.js';
import { fakeClock } from '../helpers/fake-clock.js';

function deliveries(fates: PacketFate[]): Array<{ at: number; reordered: boolean }> {
  return fates.flatMap((f) => (f.kind === 'deliver' ? [{ at: f.at, reordered: f.reordered }] : []));
}

describe('link model', () => {
  it('loses about the configured share of 5000 packets, and the same seed loses the same ones', () => {
    const run = (): PacketFate[] => {
      const d = new LinkDirection(parseImpairment({ lossPercent: 10 }), seededRandom(7));
      return Array.from({ length: 5000 }, (_, i) => d.decide(i * 10, 1316));
    };
    const fates = run();
    const lost = fates.filter((f) => f.kind === 'drop').length;
    assert.ok(lost > 450 && lost < 550, `lost ${lost} of 5000 at 10 %`);
    assert.deepEqual(run(), fates);
  });

  it('delays every packet by delay +/- jitter and never reorders on jitter alone', () => {
    const d = new LinkDirection(parseImpairment({ delayMs: 40, jitterMs: 10 }), seededRandom(1));
    const sentAt = Array.from({ length: 2000 }, (_, i) => i * 2);
    const out = deliveries(sentAt.map((t) => d.decide(t, 200)));
    assert.equal(out.length, 2000);
    const delays = out.map((o, i) => o.at - (sentAt[i] ?? 0));
    assert.ok(Math.min(...delays) >= 30, `min delay ${Math.min(...delays)}`);
    // Order is kept: a packet may wait for the one before it, so only the floor is strict.
    for (let i = 1; i < out.length; i += 1) assert.ok((out[i]?.at ?? 0) >= (out[i - 1]?.at ?? 0), `packet ${i} overtook`);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    assert.ok(mean >= 40 && mean < 50, `mean delay ${mean}`);
  });

  it('drains the bottleneck at the configured rate and drops what would wait longer than the queue', () => {
    // 1000 kbit/s = 1 bit/us: a 1250-byte packet takes 10 ms to send.
    const d = new LinkDirection(parseImpairment({ rateKbps: 1000, queueMs: 50 }));
    const fates = Array.from({ length: 10 }, () => d.decide(0, 1250));
    assert.deepEqual(deliveries(fates).map((o) => o.at), [10, 20, 30, 40, 50, 60]);
    assert.equal(fates.filter((f) => f.kind === 'drop' && f.reason === 'queue').length, 4);
    assert.equal(d.counters.queueDrops, 4);
    // Once drained, the link takes packets again.
    assert.deepEqual(d.decide(100, 1250), { kind: 'deliver', at: 110, reordered: false });
  });

  it('delivers the reordered share after the packets that followed them', () => {
    const d = new LinkDirection(parseImpairment({ delayMs: 10, reorderPercent: 5, reorderGapMs: 20 }), seededRandom(3));
    const out = deliveries(Array.from({ length: 2000 }, (_, i) => d.decide(i, 100)));
    const reordered = out.filter((o) => o.reordered).length;
    assert.ok(reordered > 70 && reordered < 130, `reordered ${reordered} of 2000 at 5 %`);
    const order = out.map((o, i) => ({ i, at: o.at })).sort((a, b) => a.at - b.at || a.i - b.i);
    const overtaken = order.filter((o, k) => k > 0 && (order[k - 1]?.i ?? 0) > o.i).length;
    assert.ok(overtaken >= reordered * 0.9, `${overtaken} arrivals after a later packet, ${reordered} reordered`);
  });

  it('as a byte stream, turns a loss into a retransmission timeout and never drops or reorders', () => {
    const d = new LinkDirection(parseImpairment({ delayMs: 40, lossPercent: 50, reorderPercent: 50, rateKbps: 100, queueMs: 1 }), seededRandom(5), 'stream');
    const fates = Array.from({ length: 200 }, (_, i) => d.decide(i, 100));
    assert.ok(fates.every((f) => f.kind === 'deliver' && !f.reordered));
    assert.ok(d.counters.retransmitted > 60, `retransmitted ${d.counters.retransmitted}`);
    const out = deliveries(fates);
    for (let i = 1; i < out.length; i += 1) assert.ok((out[i]?.at ?? 0) >= (out[i - 1]?.at ?? 0));
  });

  it('changes settings from a typed line and refuses a bad one with the names it knows', () => {
    const base = parseImpairment({ delayMs: 40, lossPercent: 1 });
    const next = applySettingsLine(base, 'loss=10 rate=2000');
    assert.equal(next.lossPercent, 10);
    assert.equal(next.rateKbps, 2000);
    assert.equal(next.delayMs, 40);
    assert.deepEqual(applySettingsLine(next, 'reset'), parseImpairment({}));
    assert.throws(() => applySettingsLine(base, 'lost=10'), /«\slost=10\s» n’est pas un réglage; donnez delay=/);
    assert.throws(() => applySettingsLine(base, 'loss=120'), /lossPercent/);
  });
});

describe('delivery queue', () => {
  it('runs callbacks in time order with one timer, on fake timers', () => {
    const { fake, clock } = fakeClock(0);
    const queue = new DeliveryQueue(clock);
    const ran: string[] = [];
    queue.schedule(30, () => ran.push('c'));
    queue.schedule(10, () => ran.push('a'));
    queue.schedule(10, () => ran.push('b'));
    assert.equal(fake.countTimers(), 1);
    fake.tick(10);
    assert.deepEqual(ran, ['a', 'b']);
    fake.tick(19);
    assert.deepEqual(ran, ['a', 'b']);
    fake.tick(1);
    assert.deepEqual(ran, ['a', 'b', 'c']);
    assert.equal(fake.countTimers(), 0);
    queue.schedule(50, () => ran.push('never'));
    queue.clear();
    fake.tick(100);
    assert.equal(ran.length, 3);
  });
});
