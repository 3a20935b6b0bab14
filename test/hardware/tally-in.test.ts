import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { TallyInFeature } from '../../src/appliance/tally-in.js';
import { tallyInConfigSchema, tallyInPinReferences } from '../../src/appliance/tally-in-config.js';
import type { ApplianceEvents, FeatureContext, SiteRole } from '../../src/appliance/feature.js';
import { SimulatedDriver, type SimulatedInput } from '../../src/hardware/simulated.js';
import type { PinSpec } from '../../src/hardware/types.js';
import { ioConfigSchema, pinReferenceIssues } from '../../src/hardware/config.js';
import type { Timers } from '../../src/hardware/patterns.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { recordingLogger } from '../helpers/log.js';

function fakeContext() {
  const bus = new EventEmitter<ApplianceEvents>();
  const state = { role: 'idle' as SiteRole, link: true, reports: [] as { key: string; value: unknown }[] };
  const ctx: FeatureContext = {
    event: 'demo',
    site: 'saint-camille',
    log: recordingLogger(),
    bus,
    floor: () => null,
    role: () => state.role,
    linkUp: () => state.link,
    reportState: (key, value) => state.reports.push({ key, value: structuredClone(value) }),
    subscribe: async () => {},
    publish: async () => {},
  };
  const setRole = (role: SiteRole) => {
    state.role = role;
    bus.emit('role', role, {} as Floor);
  };
  const setLink = (up: boolean) => {
    state.link = up;
    bus.emit('link', up);
  };
  return { ctx, bus, state, setRole, setLink };
}

describe('appliance: tally-in feature (simulated driver)', () => {
  const io = ioConfigSchema.parse(undefined); // default pin names, simulated driver
  const cameras = tallyInConfigSchema.parse({
    cam1: { program: 'cam1Program', preview: 'cam1Preview', red: 'cam1Red', green: 'cam1Green' },
    cam2: { program: 'cam2Program', red: 'cam2Red' },
  });
  let clock: FakeTimers.Clock;
  let timers: Timers;
  let driver: SimulatedDriver;
  let feature: TallyInFeature;

  beforeEach(() => {
    clock = FakeTimers.withGlobal(globalThis).createClock();
    timers = { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) };
    driver = new SimulatedDriver();
    feature = new TallyInFeature({ driver, io, cameras, timers });
  });
  afterEach(async () => {
    await feature.stop();
    await driver.close();
  });

  it('reports program/preview per camera and emits change', async () => {
    const { ctx, state } = fakeContext();
    await feature.start(ctx);
    const changes: string[] = [];
    feature.on('change', (cam, t) => changes.push(`${cam} pgm=${t.program} pvw=${t.preview}`));
    driver.input('cam1Preview').setLevel(true);
    driver.input('cam1Program').setLevel(true);
    clock.tick(30);
    driver.input('cam1Preview').setLevel(false);
    assert.deepEqual(changes, ['cam1 pgm=false pvw=true', 'cam1 pgm=true pvw=true', 'cam1 pgm=true pvw=false']);
    assert.deepEqual(state.reports.at(-1), {
      key: 'tallyIn',
      value: { cameras: { cam1: { program: true, preview: false }, cam2: { program: false, preview: false } } },
    });
  });

  /** Starts the feature and records cam1's program changes as `cam1 pgm=<level>@<ms>`. */
  async function startWatching() {
    const { ctx, state } = fakeContext();
    await feature.start(ctx);
    const changes: string[] = [];
    feature.on('change', (cam, t) => changes.push(`${cam} pgm=${t.program}@${clock.now}`));
    return { changes, state, contact: driver.input('cam1Program') };
  }

  it('a bouncing relay contact (edges 1 ms apart) is one change, one report', async () => {
    const { changes, contact, state } = await startWatching();
    const reportsBefore = state.reports.length;
    contact.setLevel(true);
    for (let i = 0; i < 9; i++) {
      clock.tick(1);
      contact.setLevel(i % 2 === 1);
    }
    clock.tick(1);
    contact.setLevel(true);
    clock.tick(100);
    assert.deepEqual(changes, ['cam1 pgm=true@0'], 'taken at the first edge, bounce ignored');
    assert.equal(state.reports.length - reportsBefore, 1, 'one state report for the whole bounce');
    assert.equal(driver.output('cam1Green').level, true);
  });

  it('a real change after the settle time gets through at once, with no wait', async () => {
    const { changes, contact } = await startWatching();
    contact.setLevel(true);
    clock.tick(1);
    contact.setLevel(false);
    clock.tick(1);
    contact.setLevel(true);
    clock.tick(30); // settled
    contact.setLevel(false); // the switcher cuts away: no tick needed to see it
    assert.deepEqual(changes, ['cam1 pgm=true@0', 'cam1 pgm=false@32']);
    clock.tick(100);
    assert.equal(changes.length, 2);
  });

  it('a contact that settles elsewhere than its first edge is taken when the window closes', async () => {
    const { changes, contact } = await startWatching();
    contact.setLevel(true);
    clock.tick(5);
    contact.setLevel(false); // a 5 ms glitch, inside the window
    clock.tick(30);
    assert.deepEqual(changes, ['cam1 pgm=true@0', 'cam1 pgm=false@30']);
    assert.deepEqual(feature.snapshot().cam1, { program: false, preview: false });
  });

  it('takes the settle time from the camera (bounceMs, as the buttons), 0 to take every edge', async () => {
    assert.equal(tallyInConfigSchema.parse({ cam1: { program: 'cam1Program' } }).cam1!.bounceMs, 30);
    assert.throws(() => tallyInConfigSchema.parse({ cam1: { program: 'cam1Program', bounceMs: 900 } }), /au-delà de 500 ms/);
    const raw = new TallyInFeature({ driver, io, cameras: tallyInConfigSchema.parse({ cam1: { program: 'cam1Program', bounceMs: 0 } }), timers });
    const { ctx } = fakeContext();
    await raw.start(ctx);
    let changes = 0;
    raw.on('change', () => changes++);
    const contact = driver.input('cam1Program');
    contact.setLevel(true);
    contact.setLevel(false);
    contact.setLevel(true);
    assert.equal(changes, 3);
    assert.equal(clock.countTimers(), 0, 'no settle timer with bounceMs 0');
    await raw.stop();
  });

  it('red lights only when this site is on air, and leaves steady red when the link drops', async () => {
    const { ctx, setRole, setLink } = fakeContext();
    await feature.start(ctx);
    const red = driver.output('cam1Red');
    const green = driver.output('cam1Green');
    driver.input('cam1Program').setLevel(true);
    assert.equal(red.level, false, 'idle site: not watched, no red');
    assert.equal(green.level, true, 'selected locally: green');
    setRole('on-air');
    assert.equal(red.level, true);
    assert.equal(green.level, false);
    setLink(false);
    // link-lost: one 100 ms flash every 2 s, never steady
    const samples: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      clock.tick(100);
      samples.push(red.level);
    }
    assert.equal(samples.filter(Boolean).length, 2, 'two short flashes in 4 s');
    setLink(true);
    assert.equal(red.level, true);
    setRole('idle');
    assert.equal(red.level, false);
  });

  it('next: the program camera blinks green', async () => {
    const { ctx, setRole } = fakeContext();
    await feature.start(ctx);
    driver.input('cam1Program').setLevel(true);
    setRole('next');
    const green = driver.output('cam1Green');
    const levels = [green.level];
    clock.tick(500);
    levels.push(green.level);
    clock.tick(500);
    levels.push(green.level);
    assert.deepEqual(levels, [true, false, true]);
  });

  it('reads the inputs as they are at start', async () => {
    class ClosedContactDriver extends SimulatedDriver {
      override async openInput(spec: PinSpec): Promise<SimulatedInput> {
        const input = await super.openInput(spec);
        if (spec.name === 'cam2Program') input.setLevel(true);
        return input;
      }
    }
    const closed = new ClosedContactDriver();
    const f = new TallyInFeature({ driver: closed, io, cameras, timers });
    const { ctx, state, setRole } = fakeContext();
    setRole('on-air');
    await f.start(ctx);
    assert.deepEqual((state.reports.at(-1)!.value as { cameras: Record<string, unknown> }).cameras.cam2, { program: true, preview: false });
    assert.equal(closed.output('cam2Red').level, true);
    await f.stop();
  });

  it('stop closes every pin and ignores later bus events', async () => {
    const { ctx, bus, setRole } = fakeContext();
    await feature.start(ctx);
    await feature.stop();
    assert.equal(bus.listenerCount('role'), 0);
    assert.equal(bus.listenerCount('link'), 0);
    assert.doesNotThrow(() => setRole('on-air'));
    assert.equal(clock.countTimers(), 0);
  });

  it('stop in the middle of a bounce leaves no settle timer behind', async () => {
    const { ctx } = fakeContext();
    await feature.start(ctx);
    driver.input('cam1Program').setLevel(true);
    await feature.stop();
    assert.equal(clock.countTimers(), 0);
  });

  it('a name missing from io fails start with the config path, and closes what it opened', async () => {
    const closedPins: string[] = [];
    class CountingDriver extends SimulatedDriver {
      override async openInput(spec: PinSpec): Promise<SimulatedInput> {
        const input = await super.openInput(spec);
        const close = input.close.bind(input);
        input.close = async () => {
          closedPins.push(spec.name);
          await close();
        };
        return input;
      }
    }
    const counting = new CountingDriver();
    const bad = new TallyInFeature({ driver: counting, io, cameras: tallyInConfigSchema.parse({ cam1: { program: 'cam1Program', red: 'cam9Red' } }), timers });
    const { ctx, bus } = fakeContext();
    await assert.rejects(bad.start(ctx), /tallyIn\.cam1\.red\s: la sortie «\s?cam9Red\s?» n’est pas définie dans io\.outputs \(définies\s: onAir, next/);
    assert.deepEqual(closedPins, ['cam1Program']);
    assert.equal(bus.listenerCount('role'), 0);
  });

  it('cross-checks pin names for the config loader', () => {
    const refs = tallyInPinReferences(tallyInConfigSchema.parse({ cam1: { program: 'cam1Program', preview: 'nope' } }));
    assert.deepEqual(pinReferenceIssues(io, refs).map((i) => i.path.join('.')), ['tallyIn.cam1.preview']);
  });
});
