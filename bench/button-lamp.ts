/**
 * Latency from a button edge to the local lamp output changing, with no
 * network in between: simulated input -> gesture recognizer -> button action
 * for the role -> lamp pattern -> pattern player -> simulated output.
 *
 *   npx tsx bench/button-lamp.ts [iterations]
 *
 * Two runs: one on a fake clock (many iterations, the synchronous path alone)
 * and one on real timers (bounce windows really elapse between presses).
 * Target: p99 < 2 ms.
 */
import FakeTimers from '@sinonjs/fake-timers';
import { SimulatedDriver } from '../src/hardware/simulated.js';
import { PatternOutput, type Timers } from '../src/hardware/patterns.js';
import { GestureRecognizer, realGestureClock, type GestureClock } from '../src/buttons/gestures.js';
import { resolveButtonAction } from '../src/buttons/config.js';
import { buttonLamp } from '../src/appliance/camera-tally.js';

interface Rig {
  press(): void;
  release(): void;
  reset(): void;
  /** Resolves on the lamp's next write with the time it happened. */
  lampOn(): Promise<number>;
}

async function buildRig(clock: GestureClock & Timers, bounceMs: number): Promise<Rig> {
  const driver = new SimulatedDriver();
  const input = await driver.openInput({ name: 'podium', pin: 17, activeLow: true });
  const output = await driver.openOutput({ name: 'buttonLamp', pin: 24 });
  const lamp = new PatternOutput(output, clock);
  const gestures = new GestureRecognizer({ bounceMs, longMs: 800, doubleMs: 0 }, clock);
  input.on('edge', (level) => gestures.input(level));
  gestures.on('gesture', (g) => {
    if (g.kind !== 'press') return;
    const action = resolveButtonAction('auto', 'idle');
    if (action.kind === 'intent' && action.action === 'request') lamp.set(buttonLamp({ role: 'idle', linkUp: true }, true));
  });
  let waiter: ((t: number) => void) | null = null;
  output.on('write', (level) => {
    if (level && waiter) {
      const w = waiter;
      waiter = null;
      w(performance.now());
    }
  });
  return {
    press: () => input.setLevel(true),
    release: () => input.setLevel(false),
    reset: () => lamp.set('off'),
    lampOn: () => new Promise((resolve) => (waiter = resolve)),
  };
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const us = (ms: number) => Math.round(ms * 1000) / 1000;
  return JSON.stringify({ bench: 'button-lamp', run: name, n: samples.length, p50Ms: us(at(0.5)), p99Ms: us(at(0.99)), maxMs: us(sorted.at(-1)!), targetP99Ms: 2, pass: at(0.99) < 2 });
}

const iterations = Math.max(100, Math.min(1_000_000, Number(process.argv[2] ?? 20_000)));

// Run 1: fake clock, the synchronous path edge -> write, many iterations.
{
  const fake = FakeTimers.withGlobal(globalThis).createClock();
  const clock: GestureClock & Timers = { now: () => fake.now, setTimeout: (fn, ms) => fake.setTimeout(fn, ms), clearTimeout: (h) => fake.clearTimeout(h as number) };
  const rig = await buildRig(clock, 30);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const written = rig.lampOn();
    const t0 = performance.now();
    rig.press();
    samples.push((await written) - t0);
    fake.tick(40); // past the bounce window
    rig.release();
    fake.tick(40);
    rig.reset();
  }
  console.log(summary('fake-clock', samples));
}

// Run 2: real timers, presses spaced by real bounce windows (bounded: 500 presses, ~6 s).
{
  const rig = await buildRig({ ...realGestureClock }, 5);
  const samples: number[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 500; i++) {
    const written = rig.lampOn();
    const t0 = performance.now();
    rig.press();
    samples.push((await written) - t0);
    await sleep(6);
    rig.release();
    await sleep(6);
    rig.reset();
  }
  console.log(summary('real-timers', samples));
}
