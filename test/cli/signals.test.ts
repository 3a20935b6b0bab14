/** The one "run until a signal" helper every long-running command uses. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { nextSignal, runUntilSignal } from '../../src/util/signals.js';

/** Stands in for `process` as the source of signals (the helper takes any emitter). */
function signals(): EventEmitter & { listening(): number } {
  const source = new EventEmitter();
  return Object.assign(source, { listening: () => source.listenerCount('SIGINT') + source.listenerCount('SIGTERM') });
}

describe('cli: run until a signal', () => {
  it('stops once at the first SIGTERM, and stops listening', async () => {
    const source = signals();
    let stops = 0;
    const running = runUntilSignal(async () => void stops++, { source });
    assert.equal(source.listening(), 2);
    assert.equal(stops, 0);
    source.emit('SIGTERM');
    await running;
    assert.equal(stops, 1);
    assert.equal(source.listening(), 0, 'a second Ctrl-C falls to the default and ends the process');
  });

  it('tells which signal came, and waits for the stop to finish', async () => {
    const source = signals();
    const order: string[] = [];
    const which = nextSignal({ source });
    source.emit('SIGINT');
    assert.equal(await which, 'SIGINT');
    const running = runUntilSignal(async () => {
      await Promise.resolve();
      order.push('stopped');
    }, { source }).then(() => order.push('resolved'));
    source.emit('SIGINT');
    await running;
    assert.deepEqual(order, ['stopped', 'resolved']);
  });

  it('an abort (the demo\'s `q` key) ends the wait as a signal does, even one given before', async () => {
    const source = signals();
    const quit = new AbortController();
    const waiting = nextSignal({ source, abort: quit.signal });
    quit.abort();
    assert.equal(await waiting, 'abort');
    assert.equal(source.listening(), 0);
    assert.equal(await nextSignal({ source, abort: quit.signal }), 'abort');
    assert.equal(source.listening(), 0);
  });
});
