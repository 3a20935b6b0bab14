/** The reset rate of a link on fake timers: how many, how long the cool-down lasts, what runs at its end. */
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { ResetGuard } from '../../src/ptz/reset-guard.js';
import { setLang } from '../../src/i18n/index.js';

describe('VISCA link reset rate (fake timers)', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  let cooled: number;
  let guard: ResetGuard;
  let runs: string[];
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
    cooled = 0;
    runs = [];
    guard = new ResetGuard({ maxResets: 3, resetWindowMs: 10_000 }, 'resets', () => cooled++, () => clock.now);
  });
  afterEach(() => {
    guard.stop();
    clock.uninstall();
  });

  const reset = (why: string): Promise<string> =>
    guard.run(why, async () => void runs.push(why), () => new Error(`refused: ${guard.detail}`)).then(() => 'ran', (e: Error) => e.message);

  it('says why in English on request', async () => {
    setLang('en');
    try {
      for (let i = 0; i < 3; i++) assert.equal(await reset('stray 0F 01'), 'ran');
      assert.equal(await reset('the camera reports an abnormal sequence number'), 'refused: the camera reports an abnormal sequence number (already 3 resets within 10 s; relais tries again in 10 s)');
    } finally {
      setLang('fr');
    }
  });

  it('runs three resets in the window, refuses the fourth and cools down until the first leaves it', async () => {
    assert.equal(await reset('open'), 'ran');
    await clock.tickAsync(1000);
    assert.equal(await reset('stray 0F 01'), 'ran');
    assert.equal(await reset('stray 0F 01'), 'ran');
    assert.equal(guard.cooling, false);
    assert.equal(await reset('la caméra signale un numéro de séquence anormal'), 'refused: la caméra signale un numéro de séquence anormal (déjà 3 réinitialisations en 10 s; relais réessaie dans 9 s)');
    assert.deepEqual(runs, ['open', 'stray 0F 01', 'stray 0F 01']);
    assert.equal(guard.cooling, true);
    assert.match(await reset('again'), /^refused: again/, 'refused all through the cool-down');
    await clock.tickAsync(8999);
    assert.equal(cooled, 0);
    assert.equal(guard.secondsLeft, 1);
    await clock.tickAsync(1);
    assert.equal(cooled, 1, 'the deferred reset is asked for once, when the first reset leaves the window');
    assert.equal(guard.cooling, false);
    assert.equal(await reset('after the cool-down'), 'ran');
    assert.match(await reset('one too many'), /^refused/, 'the two others are still in the window');
  });

  it('answers a reset asked while one runs with the running one', async () => {
    let finish: () => void = () => undefined;
    const slow = guard.run('slow', () => new Promise<void>((resolve) => (finish = resolve)), () => new Error('refused'));
    assert.equal(guard.busy, true);
    const again = guard.run('again', async () => void runs.push('again'), () => new Error('refused'));
    assert.equal(again, slow);
    finish();
    await again;
    assert.deepEqual(runs, [], 'the second was never run');
    assert.equal(guard.busy, false);
  });

  it('stop drops the cool-down: nothing runs after the link closed', async () => {
    for (let i = 0; i < 4; i++) await reset('r');
    assert.equal(guard.cooling, true);
    guard.stop();
    await clock.tickAsync(20_000);
    assert.equal(cooled, 0);
  });
});
