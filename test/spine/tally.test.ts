import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { roleIn } from '../../src/appliance/tally.js';
import { PatternOutput } from '../../src/hardware/patterns.js';
import { SimulatedOutput } from '../../src/hardware/simulated.js';

describe('site role', () => {
  it('derives the role from a floor', () => {
    const floor = { onAir: 'a', next: 'b', queue: ['b', 'c'] };
    assert.equal(roleIn(floor, 'a'), 'on-air');
    assert.equal(roleIn(floor, 'b'), 'next');
    assert.equal(roleIn(floor, 'c'), 'queued');
    assert.equal(roleIn(floor, 'd'), 'idle');
    assert.equal(roleIn(null, 'a'), 'idle');
  });
});

describe('lamp patterns', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.uninstall());

  const timers = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

  it('blinks the link-lost pattern: a short flash every two seconds', () => {
    const out = new SimulatedOutput('onAir');
    const lamp = new PatternOutput(out, timers);
    lamp.set('link-lost');
    const levels: boolean[] = [];
    for (let t = 0; t < 4000; t += 50) {
      levels.push(out.level);
      clock.tick(50);
    }
    const onShare = levels.filter(Boolean).length / levels.length;
    assert.ok(onShare > 0 && onShare < 0.1, `on ${onShare * 100}% of the time`);
  });

  it('plays three flashes then returns to the steady pattern', () => {
    const out = new SimulatedOutput('button');
    const lamp = new PatternOutput(out, timers);
    lamp.set('on');
    lamp.set('flash3');
    assert.equal(lamp.pattern, 'flash3');
    let rises = 0;
    out.on('write', (level) => level && rises++);
    clock.tick(1000);
    assert.equal(rises, 3, 'two more rises after the first, then the steady on');
    assert.equal(lamp.pattern, 'on');
    assert.equal(out.level, true);
  });

  it('a steady change during a one-shot is kept for after it', () => {
    const out = new SimulatedOutput('button');
    const lamp = new PatternOutput(out, timers);
    lamp.set('flash3');
    lamp.set('slow-blink');
    assert.equal(lamp.pattern, 'flash3');
    clock.tick(800);
    assert.equal(lamp.pattern, 'slow-blink');
  });
});
