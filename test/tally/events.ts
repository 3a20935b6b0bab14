/** Waiting on a source's events: the fact, not the time. */
import type { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import type { SourceConnection, SourceTimers, SwitcherSnapshot, TallySourceEvents } from '../../src/tally/source.js';

export function nextEvent<K extends keyof TallySourceEvents>(
  source: EventEmitter<TallySourceEvents>,
  name: K,
  accept: (...args: TallySourceEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<TallySourceEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.off(name, listener as never);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a matching '${String(name)}' event`));
    }, timeoutMs);
    const listener = (...args: TallySourceEvents[K]): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      source.off(name, listener as never);
      resolve(args);
    };
    source.on(name, listener as never);
  });
}

/** The input ids on program and on preview in a snapshot, e.g. `P1 V2`. */
export function summary(snapshot: SwitcherSnapshot): string {
  const program = snapshot.inputs.filter((i) => i.program).map((i) => i.id).join(',');
  const preview = snapshot.inputs.filter((i) => i.preview).map((i) => i.id).join(',');
  return `P${program} V${preview}`;
}

export const isUp = (c: SourceConnection): boolean => c.connected;
export const isDown = (c: SourceConnection): boolean => !c.connected;

/** A fake clock and the source timers that run on it. */
export function fakeSourceTimers(start = 0): { clock: FakeTimers.Clock; timers: SourceTimers } {
  const clock = FakeTimers.createClock(start);
  const timers: SourceTimers = { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number), now: () => clock.now };
  return { clock, timers };
}
