import assert from 'node:assert/strict';
import { TallyTrust, camerasFromSnapshot } from '../../src/tally/trust.js';
import { Redialer, type OpenLink } from '../../src/tally/redial.js';
import type { SourceTimers, SwitcherSnapshot } from '../../src/tally/source.js';
import { fakeSourceTimers } from './events.js';

const fakeTimers = () => fakeSourceTimers(1_000_000);

const CAM1_LIVE: SwitcherSnapshot = { inputs: [{ id: '1', name: 'Podium', program: true, preview: false }, { id: '2', name: 'Salle', program: false, preview: true }] };
const down = (since: number) => ({ connected: false, since, error: 'ECONNRESET' });

describe('tally: trust window', () => {
  it('unknown before the first tally, known at once on it', () => {
    const { timers } = fakeTimers();
    const trust = new TallyTrust(3000, timers);
    assert.equal(trust.current(), null);
    trust.tally(CAM1_LIVE);
    assert.deepEqual(trust.current(), CAM1_LIVE);
  });

  it('keeps the last tally for trustMs after a drop, then forgets it (one change event)', () => {
    const { clock, timers } = fakeTimers();
    const trust = new TallyTrust(3000, timers);
    trust.tally(CAM1_LIVE);
    let changes = 0;
    trust.on('change', () => changes++);
    trust.connection(down(clock.now));
    clock.tick(2999);
    assert.deepEqual(trust.current(), CAM1_LIVE, 'still trusted inside the window');
    assert.equal(changes, 0);
    clock.tick(1);
    assert.equal(trust.current(), null, 'unknown after the window');
    assert.equal(changes, 1);
  });

  it('a reconnect alone does not restore trust; fresh tally does, and cancels the expiry', () => {
    const { clock, timers } = fakeTimers();
    const trust = new TallyTrust(3000, timers);
    trust.tally(CAM1_LIVE);
    trust.connection(down(clock.now));
    clock.tick(1000);
    trust.connection({ connected: true, since: clock.now, error: null });
    clock.tick(2000);
    assert.equal(trust.current(), null, 'a link that gives no tally is not believed');
    const fresh: SwitcherSnapshot = { inputs: [{ id: '2', program: true, preview: false }] };
    trust.tally(fresh);
    trust.connection(down(clock.now));
    clock.tick(1500);
    trust.tally(fresh);
    clock.tick(10_000);
    assert.deepEqual(trust.current(), fresh, 'fresh tally disarmed the expiry');
    assert.equal(clock.countTimers(), 0);
  });

  it('maps inputs to cameras by id first, then by switcher name; unlisted inputs are off', () => {
    const cams = camerasFromSnapshot(CAM1_LIVE, { cam1: 1, cam2: 'Salle', cam3: 7, cam4: '2' });
    assert.deepEqual(cams, {
      cam1: { program: true, preview: false },
      cam2: { program: false, preview: true },
      cam3: { program: false, preview: false },
      cam4: { program: false, preview: true },
    });
    const named = camerasFromSnapshot({ inputs: [{ id: '2', name: '1', program: true, preview: false }, { id: '1', program: false, preview: false }] }, { cam: 1 });
    assert.deepEqual(named.cam, { program: false, preview: false }, 'input 1, not the input named "1"');
    assert.deepEqual(camerasFromSnapshot(null, { cam1: 1 }), { cam1: null });
  });
});

describe('tally: redial with growing delays', () => {
  function scripted(timers: SourceTimers, outcomes: Array<'refuse' | 'accept'>) {
    const dials: number[] = [];
    const links: Array<{ end(err: Error | null): void }> = [];
    const redial = new Redialer({
      initialDelayMs: 100,
      maxDelayMs: 800,
      timers,
      dial: async (): Promise<OpenLink> => {
        dials.push(timers.now());
        if ((outcomes.shift() ?? 'refuse') === 'refuse') throw new Error('ECONNREFUSED');
        let end!: (err: Error | null) => void;
        const closed = new Promise<Error | null>((r) => (end = r));
        links.push({ end });
        return { closed, close: () => end(null) };
      },
    });
    return { redial, dials, links };
  }

  it('doubles the wait after each refusal up to the cap', async () => {
    const { clock, timers } = fakeTimers();
    const { redial, dials } = scripted(timers, ['refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse']);
    const downs: string[] = [];
    redial.on('down', (e) => downs.push(e));
    const t0 = clock.now;
    redial.start();
    await clock.tickAsync(100 + 200 + 400 + 800 + 800);
    redial.stop();
    assert.deepEqual(dials.map((t) => t - t0), [0, 100, 300, 700, 1500, 2300]);
    assert.equal(downs[0], 'ECONNREFUSED');
    assert.equal(clock.countTimers(), 0, 'stop clears the pending dial');
  });

  it('goes back to the shortest wait only after the link proved healthy', async () => {
    const { clock, timers } = fakeTimers();
    const { redial, dials, links } = scripted(timers, ['refuse', 'refuse', 'accept', 'accept']);
    let ups = 0;
    redial.on('up', () => ups++);
    const t0 = clock.now;
    redial.start();
    await clock.tickAsync(300);
    assert.equal(ups, 1);
    assert.equal(redial.nextDelayMs, 400, 'accepted but not yet healthy: the wait keeps growing');
    redial.healthy();
    links[0]!.end(new Error('switcher restarted'));
    await clock.tickAsync(100);
    assert.equal(ups, 2);
    assert.deepEqual(dials.map((t) => t - t0), [0, 100, 300, 400]);
    redial.stop();
    await clock.tickAsync(5000);
    assert.equal(dials.length, 4, 'no dial after stop');
  });
});
