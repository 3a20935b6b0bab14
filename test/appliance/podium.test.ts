/** The podium feature on a simulated driver and fake timers: presses, answers, button lamps, presets. */
import assert from 'node:assert/strict';
import { ANSWER_TIMEOUT_MS } from '../../src/appliance/press-outbox.js';
import { PodiumFeature } from '../../src/appliance/podium.js';
import { validateConfig } from '../../src/config/load.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { PATTERNS } from '../../src/hardware/patterns.js';
import type { EventResult, Floor } from '../../src/protocol/schemas.js';
import { fakeClock, type FakeClock } from '../helpers/fake-clock.js';
import { fakeFeatureContext, type FakeFeatureContext } from '../helpers/feature-context.js';

const SITE = 'saint-camille';
const FLASH_MS = PATTERNS.flash3.steps.reduce((sum, s) => sum + s.ms, 0);

const config = (buttons?: Record<string, unknown>) =>
  validateConfig('site', { event: 'demo', site: SITE, broker: { url: 'mqtt://127.0.0.1:1' }, ...(buttons ? { buttons } : {}) }, 'test');

describe('appliance: podium feature (simulated driver, fake timers)', () => {
  let time: FakeClock;
  let driver: SimulatedDriver;
  let fake: FakeFeatureContext;
  let podium: PodiumFeature;

  const start = async (buttons?: Record<string, unknown>): Promise<void> => {
    podium = new PodiumFeature({ config: config(buttons), driver, clock: time.clock, gestureClock: time.clock });
    await podium.start(fake.ctx);
  };
  const intentIds = (): string[] => fake.published.filter((m) => m.name === 'siteIntent').map((m) => (m.payload as { id: string }).id);
  const answer = (id: string, result: 'accepted' | 'rejected', reason: string | null = null): string =>
    JSON.stringify({ kind: 'intent', id, action: 'request', site: SITE, result, reason, duplicate: false, epoch: 2, at: new Date(0).toISOString() } satisfies EventResult);
  /** A press and release with the contact settled each time. */
  const tap = (input: string): void => {
    driver.input(input).setLevel(true);
    time.fake.tick(50);
    driver.input(input).setLevel(false);
    time.fake.tick(50);
  };

  beforeEach(() => {
    time = fakeClock();
    driver = new SimulatedDriver();
    fake = fakeFeatureContext({ site: SITE, linkUp: true });
  });
  afterEach(async () => {
    await podium?.stop();
    assert.equal(time.fake.countTimers(), 0, 'no timer left behind');
  });

  it('countdown cues: the button lamp blinks faster in the last minute and pulses at overtime; ON AIR stays steady', async () => {
    await start();
    const now = time.clock.now();
    const floor = (plannedEnd: number): Floor => ({
      epoch: 2, onAir: SITE, next: null, queue: [], since: new Date(now).toISOString(), item: null, plannedEnd: new Date(plannedEnd).toISOString(), nextItem: null, conductor: 'c', updatedAt: new Date(now).toISOString(),
    });
    const end = now + 5 * 60_000;
    fake.setRole('on-air', floor(end));
    fake.setFloor(floor(end));
    const lamps = (): [string, string, string] => [podium.lampPatterns()!.onAir.pattern, podium.lampPatterns()!.next.pattern, podium.lampPatterns()!.button.pattern];
    assert.deepEqual(lamps(), ['on', 'off', 'on']);
    time.fake.tick(4 * 60_000 - 1);
    assert.deepEqual(lamps(), ['on', 'off', 'on'], 'a minute and a millisecond left: no cue yet');
    time.fake.tick(1);
    assert.deepEqual(lamps(), ['on', 'off', 'fast-blink'], 'the last minute');
    time.fake.tick(60_000 - 1);
    assert.equal(lamps()[2], 'fast-blink');
    time.fake.tick(1);
    assert.deepEqual(lamps(), ['on', 'off', 'overtime-pulse'], 'overtime, and the ON AIR lamp is untouched');
    assert.notDeepEqual(PATTERNS['overtime-pulse'].steps, PATTERNS['link-lost'].steps, 'never mistaken for link lost');
    // Two more minutes granted by the conductor: back to steady.
    fake.setFloor(floor(time.clock.now() + 2 * 60_000));
    assert.deepEqual(lamps(), ['on', 'off', 'on']);
    // Off air, no cue and no timer left waiting for one.
    fake.setRole('idle');
    fake.setFloor({ ...floor(time.clock.now() + 30_000), onAir: 'rouyn-noranda' });
    assert.equal(lamps()[2], 'off');
    time.fake.tick(60_000);
    assert.equal(lamps()[2], 'off');
  });

  it('countdown cues give way to the link: a lost link darkens the button lamp', async () => {
    await start();
    const now = time.clock.now();
    const f = { epoch: 2, onAir: SITE, next: null, queue: [], since: new Date(now).toISOString(), item: null, plannedEnd: new Date(now - 1000).toISOString(), nextItem: null, conductor: 'c', updatedAt: new Date(now).toISOString() } as Floor;
    fake.setRole('on-air', f);
    fake.setFloor(f);
    assert.equal(podium.lampPatterns()!.button.pattern, 'overtime-pulse');
    fake.setLink(false);
    assert.equal(podium.lampPatterns()!.button.pattern, 'off');
    assert.equal(podium.lampPatterns()!.onAir.pattern, 'link-lost');
  });

  it('a press nobody answers flashes the button lamp after the answer timeout, then the lamp goes dark again', async () => {
    await start();
    podium.press('request');
    assert.equal(intentIds().length, 1);
    assert.deepEqual(fake.published[0]?.params, { site: SITE });
    assert.equal(podium.lampPatterns()?.button.pattern, 'slow-blink', 'pending');
    time.fake.tick(ANSWER_TIMEOUT_MS - 1);
    assert.equal(podium.lampPatterns()?.button.pattern, 'slow-blink');
    time.fake.tick(1);
    assert.equal(podium.lampPatterns()?.button.pattern, 'flash3');
    time.fake.tick(FLASH_MS);
    assert.equal(podium.lampPatterns()?.button.pattern, 'off');
  });

  it('a rejection on events flashes the lamp and is told with its reason; a bad answer is counted and changes nothing', async () => {
    await start();
    const rejected: string[] = [];
    podium.on('rejected', (_id, reason) => rejected.push(reason));
    const id = podium.press('request');
    fake.deliver('events', {}, '{"kind":"intent"');
    assert.equal(fake.bad.length, 1);
    assert.equal(podium.lampPatterns()?.button.pattern, 'slow-blink');
    fake.deliver('events', {}, answer(id, 'rejected', 'site is already on air'));
    assert.deepEqual(rejected, ['site is already on air']);
    assert.equal(podium.lampPatterns()?.button.pattern, 'flash3');
  });

  it('lights and flashes a button\'s own lamp: the press of a desk button fails on the desk lamp only', async () => {
    await start({
      podium: { input: 'podium', lamp: 'buttonLamp' },
      desk: { input: 'cam2Preview', lamp: 'cam2Green', gestures: { press: 'request' }, doubleMs: 0 },
    });
    tap('cam2Preview');
    assert.equal(intentIds().length, 1, 'the desk button asked for the floor');
    assert.equal(driver.output('cam2Green').level, true, 'pending: the desk lamp blinks with the podium lamp');
    time.fake.tick(ANSWER_TIMEOUT_MS);
    assert.equal(podium.lampPatterns()?.button.pattern, 'off', 'the podium lamp does not flash for the desk');
    assert.equal(podium.lampStates()['button:cam2Green']?.pattern, 'flash3', 'the state shows the desk lamp flashing');
    time.fake.tick(FLASH_MS);
    assert.equal(podium.lampStates()['button:cam2Green']?.pattern, 'off');
    assert.equal(driver.output('cam2Green').level, false);
  });

  it('an accepted press stops the timeout; a preset gesture is told, not sent', async () => {
    await start({
      podium: { input: 'podium', lamp: 'buttonLamp' },
      camera: { input: 'cam2Preview', gestures: { press: null, long: 'preset:cam1:2' } },
    });
    const presets: string[] = [];
    podium.on('preset', (camera, preset) => presets.push(`${camera}:${preset}`));
    const id = podium.press('request');
    fake.deliver('events', {}, answer(id, 'accepted'));
    time.fake.tick(ANSWER_TIMEOUT_MS);
    assert.notEqual(podium.lampPatterns()?.button.pattern, 'flash3');
    driver.input('cam2Preview').setLevel(true);
    time.fake.tick(1000);
    driver.input('cam2Preview').setLevel(false);
    time.fake.tick(50);
    assert.deepEqual(presets, ['cam1:2']);
    assert.equal(intentIds().length, 1, 'the long press sent no intent');
  });

  it('holds a press while the link is down and sends it on the link event', async () => {
    fake = fakeFeatureContext({ site: SITE, linkUp: false });
    await start();
    const outcomes: string[] = [];
    podium.on('press', (outcome) => outcomes.push(outcome));
    podium.press('request');
    assert.equal(intentIds().length, 0);
    fake.setLink(true);
    assert.deepEqual(outcomes, ['held', 'sent']);
    assert.equal(intentIds().length, 1);
  });

  it('stop takes its listeners off the bus', async () => {
    await start();
    await podium.stop();
    assert.equal(fake.emitter.listenerCount('floor') + fake.emitter.listenerCount('link'), 0);
  });
});
