/**
 * The Firmata driver losing its USB link and getting it back, against the
 * emulated StandardFirmata on a socat pty pair. The pair is made with stable
 * `link=` names, so killing socat is the cable being pulled (the path goes
 * away) and a new pair on the same names is the board plugged back in.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openFirmataDriver, type FirmataDriver, type FirmataDriverOptions } from '../../src/hardware/firmata.js';
import { FirmataEmulator, MODE, nextWrite } from './firmata-emulator.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import { recordingLogger } from '../helpers/log.js';
import { recordingRetryClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/wait.js';

/** Rejects naming `what` when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`no ${what} within ${ms} ms`);
      }),
    ]);
  } finally {
    timeout.abort();
  }
}

/** Timers keeping the event loop alive (the driver's heartbeat is unref'd and never counts). */
function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('hardware: Firmata driver reconnects (emulated board on a stable pty path)', function () {
  this.timeout(15_000);
  let dir: string;
  let links: { host: string; device: string };
  let pair: PtyPair | null;
  let emu: FirmataEmulator | null;
  let driver: FirmataDriver | null;

  /** The board (emulator) appears at `links.device`, the host end at `links.host`. */
  async function plugIn(): Promise<FirmataEmulator> {
    pair = await openPtyPair({ links });
    emu = await FirmataEmulator.open({ path: links.device, speaksFirmata: true });
    return emu;
  }

  /** Pulls the cable: the board goes away and so does the device path. */
  async function unplug(): Promise<void> {
    await emu?.close();
    await pair?.close();
    emu = null;
    pair = null;
  }

  const open = (extra: Partial<FirmataDriverOptions> = {}): Promise<FirmataDriver> =>
    openFirmataDriver({
      port: links.host,
      reportVersionTimeoutMs: 50,
      readyTimeoutMs: 1000,
      firstReportTimeoutMs: 300,
      heartbeatMs: 100,
      reconnectDelayMs: 50,
      reconnectMaxDelayMs: 200,
      log: recordingLogger(),
      ...extra,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-firmata-'));
    links = { host: join(dir, 'relais-firmata'), device: join(dir, 'board') };
    pair = null;
    emu = null;
    driver = null;
  });
  afterEach(async () => {
    await driver?.close();
    await unplug();
    await rm(dir, { recursive: true, force: true });
  });

  it('comes back on the same path: pin modes re-sent, a lamp written during the outage lit, input edges resumed', async () => {
    await plugIn();
    const log = recordingLogger();
    driver = await open({ log });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
    const podium = await driver.openInput({ name: 'podium', pin: 2, activeLow: true });
    const tally = await driver.openInput({ name: 'cam1Program', pin: 4 });
    const podiumEdges: boolean[] = [];
    const tallyEdges: boolean[] = [];
    podium.on('edge', (v) => podiumEdges.push(v));
    tally.on('edge', (v) => tallyEdges.push(v));
    assert.equal(tally.read(), false);

    const healthSeen: boolean[] = [];
    driver.onHealthChange((h) => healthSeen.push(h.ok));
    assert.deepEqual(driver.health(), { ok: true, detail: null });
    const lost = once(driver, 'disconnect');
    await unplug();
    const [reason] = await within(lost, 2000, 'disconnect');
    assert.match(reason, /unplugged|closed|no answer/);
    assert.equal(driver.connected, false);
    const down = driver.health();
    assert.equal(down.ok, false);
    assert.match(down.detail ?? '', /^firmata board on .+ lost \(.+\); reconnecting$/);

    // While the board is away: a write is remembered, reads give the last level.
    assert.doesNotThrow(() => lamp.write(true));
    assert.equal(podium.read(), false);
    assert.equal(tally.read(), false);

    // Plugged back in; the switcher's tally went high while the cable was out.
    const board = await plugIn();
    const modes: [number, number][] = [];
    board.on('mode', (pin, mode) => modes.push([pin, mode]));
    const lit = nextWrite(board, 7);
    board.setLevel(4, 1);
    await within(once(driver, 'reconnect'), 5000, 'reconnect');
    assert.equal(driver.connected, true);
    assert.deepEqual(driver.health(), { ok: true, detail: null });
    assert.deepEqual(healthSeen, [false, true], 'health listeners hear the drop and the return');
    assert.equal(await within(lit, 500, 'write of the lamp pin'), 1, 'the lamp written during the outage is on');
    assert.deepEqual(
      [...modes].sort((a, b) => a[0] - b[0]),
      [[2, MODE.PULLUP], [4, MODE.INPUT], [7, MODE.OUTPUT]],
      'every pin mode is sent again',
    );
    assert.equal(board.reporting[0], true, 'port reporting is on again');
    assert.deepEqual(tallyEdges, [true], 'the change during the outage is one edge');
    assert.equal(tally.read(), true);

    const pressed = once(podium, 'edge');
    board.setLevel(2, 0);
    const [value] = await within(pressed, 1000, 'podium edge after the reconnect');
    assert.equal(value, true, 'a press after the reconnect reaches the listener');
    assert.deepEqual(podiumEdges, [true]);

    const off = nextWrite(board, 7);
    lamp.write(false);
    assert.equal(await within(off, 1000, 'lamp write after the reconnect'), 0, 'writes go straight to the board again');

    const warnings = log.lines.filter((line) => line.startsWith('warn '));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.ok(warnings[0]!.includes(links.host), 'the warning names the device path');
  });

  it('close() while waiting to reconnect cancels the wait and leaves no timer behind', async () => {
    await plugIn();
    const timersBefore = liveTimers();
    const { fake, clock, armed } = recordingRetryClock();
    driver = await open({ reconnectDelayMs: 400, reconnectMaxDelayMs: 400, clock });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
    const lost = once(driver, 'disconnect');
    await unplug();
    await lost;
    lamp.write(true);
    // The wait is armed once the dead link is let go of.
    await waitFor('the reconnect wait armed', () => armed.at(-1)?.ms === 400);
    assert.deepEqual(armed.at(-1), { ms: 400, at: 0 });
    assert.equal(fake.countTimers(), 1, 'and it is the only timer of the driver');

    await within(driver.close(), 1000, 'close()');
    assert.equal(fake.countTimers(), 0, 'the wait is cancelled');
    assert.equal(liveTimers(), timersBefore, 'no real timer is left either');

    // The board coming back after close() is left alone, however long the clock runs:
    // an attempt would first arm its handshake deadline on this clock, then open the port.
    let events = 0;
    driver.on('reconnect', () => (events += 1));
    driver.on('retry', () => (events += 1));
    const board = await plugIn();
    let bytes = 0;
    board.on('bytes', (chunk) => (bytes += chunk.length));
    const before = armed.length;
    await fake.tickAsync(60_000);
    assert.equal(armed.length, before, 'nothing armed a timer: no attempt');
    assert.equal(events, 0);
    assert.equal(bytes, 0, 'nothing opened the port again');
  });

  it('close() during an attempt at a board that does not answer gives up at once', async () => {
    await plugIn();
    const baseline = liveTimers();
    const { fake, clock, armed } = recordingRetryClock();
    driver = await open({ readyTimeoutMs: 5000, reconnectDelayMs: 20, clock });
    const retries: string[] = [];
    driver.on('retry', (_attempt, error) => retries.push(error));
    const lost = once(driver, 'disconnect');
    await emu!.close(); // the path stays, nobody answers: a hung board
    emu = null;
    await fake.tickAsync(200); // a heartbeat (100 ms) unanswered by the next one: the board is gone
    await within(lost, 2000, 'disconnect');
    await waitFor('the reconnect wait armed', () => armed.at(-1)?.ms === 20);
    const mark = armed.length;
    assert.deepEqual(armed.at(-1), { ms: 20, at: fake.now });
    await fake.tickAsync(20);
    assert.deepEqual(armed.slice(mark), [{ ms: 5000, at: fake.now }], 'the first attempt has opened the port and waits for the handshake');
    await within(driver.close(), 1000, 'close()');
    assert.equal(driver.port.isOpen, false);
    assert.equal(fake.countTimers(), 0, 'the handshake deadline is gone');
    assert.equal(liveTimers(), baseline, 'and so are the Firmata stack\'s own timers');
    assert.deepEqual(retries, [], 'the cancelled attempt is not reported as a failure');
  });

  it('a path that never comes back is retried with growing delays, without throwing', async () => {
    await plugIn();
    const { fake, clock, armed } = recordingRetryClock();
    driver = await open({ reconnectDelayMs: 20, reconnectMaxDelayMs: 160, clock });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
    const podium = await driver.openInput({ name: 'podium', pin: 2, activeLow: true });
    const retries: { attempt: number; nextDelayMs: number }[] = [];
    driver.on('retry', (attempt, error, nextDelayMs) => {
      assert.match(error, /no serial device at .*relais-firmata: plug the Arduino in/);
      retries.push({ attempt, nextDelayMs });
    });
    const lost = once(driver, 'disconnect');
    await unplug();
    await lost;
    await waitFor('the first reconnect wait armed', () => armed.at(-1)?.ms === 20);

    // Each wait is exactly its delay: a millisecond short, no attempt yet; at the delay, one starts
    // (it arms its handshake deadline, 1000 ms) and fails at once on the missing path.
    let wait = 20;
    const waits: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const mark = armed.length;
      await fake.tickAsync(wait - 1);
      assert.equal(armed.length, mark, `attempt ${i} not before ${wait} ms`);
      const failed = once(driver, 'retry');
      await fake.tickAsync(1);
      assert.deepEqual(armed[mark], { ms: 1000, at: fake.now }, `attempt ${i} after exactly ${wait} ms`);
      await within(failed, 2000, `the failure of attempt ${i}`);
      waits.push(wait);
      wait = retries.at(-1)!.nextDelayMs;
    }
    assert.deepEqual(retries.map((r) => r.attempt), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(waits, [20, 40, 80, 160, 160, 160], 'the wait doubles up to the cap');

    assert.equal(driver.connected, false);
    assert.doesNotThrow(() => lamp.write(true));
    assert.equal(podium.read(), false);

    await within(driver.close(), 1000, 'close()');
    assert.equal(fake.countTimers(), 0);
    const count = armed.length;
    await fake.tickAsync(10_000);
    assert.equal(armed.length, count, 'no attempt after close()');
    assert.equal(retries.length, 6);
  });
});
