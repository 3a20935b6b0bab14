import assert from 'node:assert/strict';
import FakeTimers, { type Clock } from '@sinonjs/fake-timers';
import { GestureRecognizer, type Gesture, type GestureClock } from '../../src/buttons/gestures.js';

/** A transcript of gestures, `kind@ms` (+ `held` for long/release), relative to t0. */
function transcript(recognizer: GestureRecognizer, t0: number): string[] {
  const out: string[] = [];
  recognizer.on('gesture', (g: Gesture) => {
    const at = Math.round(g.atMs - t0);
    out.push(g.kind === 'release' ? `release@${at} held=${g.heldMs}${g.long ? ' long' : ''}` : g.kind === 'long' ? `long@${at} held=${g.heldMs}` : `${g.kind}@${at}`);
  });
  return out;
}

describe('buttons: gestures and debounce (fake timers)', () => {
  let clock: Clock;
  let timers: GestureClock;
  beforeEach(() => {
    clock = FakeTimers.withGlobal(globalThis).createClock(1000);
    timers = { now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) };
  });

  const make = (opts = { bounceMs: 30, longMs: 800, doubleMs: 400 }) => {
    const r = new GestureRecognizer(opts, timers);
    return { r, log: transcript(r, clock.now) };
  };

  it('acts on the first edge at once, before any debounce time passes', () => {
    const { r, log } = make();
    r.input(true);
    assert.deepEqual(log, ['press@0']);
    assert.equal(r.down, true);
  });

  it('ignores contact bounce inside the window after an edge', () => {
    const { r, log } = make();
    r.input(true);
    for (let i = 0; i < 5; i++) {
      clock.tick(3);
      r.input(false);
      clock.tick(2);
      r.input(true);
    }
    clock.tick(200);
    r.input(false);
    clock.tick(2);
    r.input(true); // release bounce
    clock.tick(2);
    r.input(false);
    clock.tick(100);
    assert.deepEqual(log, ['press@0', 'release@225 held=225']);
    assert.equal(r.bounced, 12);
  });

  it('a tap shorter than the bounce window still gets its release when the window closes', () => {
    const { r, log } = make();
    r.input(true);
    clock.tick(10);
    r.input(false);
    clock.tick(100);
    assert.deepEqual(log, ['press@0', 'release@30 held=30']);
    assert.equal(r.down, false);
  });

  it('long press fires while held, then release says it was long', () => {
    const { r, log } = make();
    r.input(true);
    clock.tick(799);
    assert.deepEqual(log, ['press@0']);
    clock.tick(1);
    assert.deepEqual(log, ['press@0', 'long@800 held=800']);
    clock.tick(400);
    r.input(false);
    assert.deepEqual(log, ['press@0', 'long@800 held=800', 'release@1200 held=1200 long']);
  });

  it('a release just before longMs is a plain press', () => {
    const { r, log } = make();
    r.input(true);
    clock.tick(790);
    r.input(false);
    clock.tick(1000);
    assert.deepEqual(log, ['press@0', 'release@790 held=790']);
  });

  it('double press: the second press inside doubleMs is a double, not a second press', () => {
    const { r, log } = make();
    r.input(true);
    clock.tick(100);
    r.input(false);
    clock.tick(150);
    r.input(true); // 250 ms after the first down edge
    clock.tick(80);
    r.input(false);
    clock.tick(1000);
    assert.deepEqual(log, ['press@0', 'release@100 held=100', 'double@250', 'release@330 held=80']);
  });

  it('a third quick press starts over, and a late second press is a press', () => {
    const { r, log } = make();
    const tap = (gap: number) => {
      r.input(true);
      clock.tick(50);
      r.input(false);
      clock.tick(gap);
    };
    tap(100); // press @0
    tap(100); // double @150
    tap(100); // press @300: the double ended the chain
    tap(500); // double @450, paired with the press @300
    tap(0); // press @1000: 450 ended the chain
    assert.deepEqual(log.filter((l) => !l.startsWith('release')), ['press@0', 'double@150', 'press@300', 'double@450', 'press@1000']);
  });

  it('a long press ends the double chain', () => {
    const { r, log } = make({ bounceMs: 30, longMs: 300, doubleMs: 1000 });
    r.input(true);
    clock.tick(350);
    r.input(false);
    clock.tick(100);
    r.input(true);
    assert.deepEqual(log, ['press@0', 'long@300 held=300', 'release@350 held=350 long', 'press@450']);
  });

  it('bounceMs 0 takes every edge', () => {
    const { r, log } = make({ bounceMs: 0, longMs: 800, doubleMs: 0 });
    r.input(true);
    r.input(false);
    r.input(true);
    r.input(false);
    assert.deepEqual(log, ['press@0', 'release@0 held=0', 'press@0', 'release@0 held=0']);
  });

  it('dispose cancels pending long and bounce timers', () => {
    const { r, log } = make();
    r.input(true);
    r.dispose();
    clock.tick(5000);
    assert.deepEqual(log, ['press@0']);
    assert.equal(clock.countTimers(), 0);
  });

  it('rejects nonsense options with a clear message', () => {
    assert.throws(() => new GestureRecognizer({ bounceMs: -1 }, timers), /bounceMs must be a number of milliseconds >= 0/);
  });
});
