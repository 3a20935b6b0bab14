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
    driver = await open({ reconnectDelayMs: 400, reconnectMaxDelayMs: 400 });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
    const lost = once(driver, 'disconnect');
    await unplug();
    await lost;
    lamp.write(true);

    await within(driver.close(), 1000, 'close()');
    assert.equal(liveTimers(), timersBefore, 'no timer of the driver is left');

    // The board coming back after close() is left alone.
    let events = 0;
    driver.on('reconnect', () => (events += 1));
    driver.on('retry', () => (events += 1));
    const board = await plugIn();
    let bytes = 0;
    board.on('bytes', (chunk) => (bytes += chunk.length));
    await sleep(600);
    assert.equal(events, 0);
    assert.equal(bytes, 0, 'nothing opened the port again');
  });

  it('close() during an attempt at a board that does not answer gives up at once', async () => {
    await plugIn();
    const baseline = liveTimers();
    driver = await open({ readyTimeoutMs: 5000, reconnectDelayMs: 20 });
    const retries: string[] = [];
    driver.on('retry', (_attempt, error) => retries.push(error));
    const lost = once(driver, 'disconnect');
    await emu!.close(); // the path stays, nobody answers: a hung board
    emu = null;
    await within(lost, 2000, 'disconnect');
    await sleep(150); // the first attempt has opened the port and waits for the handshake
    assert.ok(liveTimers() > baseline, 'an attempt is under way (its handshake timer runs)');
    await within(driver.close(), 1000, 'close()');
    assert.equal(driver.port.isOpen, false);
    assert.equal(liveTimers(), baseline, 'the handshake timer is gone');
    assert.deepEqual(retries, [], 'the cancelled attempt is not reported as a failure');
  });

  it('a path that never comes back is retried with growing delays, without throwing', async () => {
    await plugIn();
    driver = await open({ reconnectDelayMs: 20, reconnectMaxDelayMs: 160 });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
    const podium = await driver.openInput({ name: 'podium', pin: 2, activeLow: true });
    const retries: { attempt: number; error: string; nextDelayMs: number; at: number }[] = [];
    driver.on('retry', (attempt, error, nextDelayMs) => retries.push({ attempt, error, nextDelayMs, at: performance.now() }));
    const lost = once(driver, 'disconnect');
    await unplug();
    await lost;

    await waitFor('six attempts', () => retries.length >= 6);
    const six = retries.slice(0, 6);
    assert.deepEqual(six.map((r) => r.attempt), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(six.map((r) => r.nextDelayMs), [40, 80, 160, 160, 160, 160]);
    for (const r of six) assert.match(r.error, /no serial device at .*relais-firmata: plug the Arduino in/);
    for (let i = 1; i < six.length; i++) {
      const gap = six[i]!.at - six[i - 1]!.at;
      assert.ok(gap >= six[i - 1]!.nextDelayMs - 5, `attempt ${i + 1} came ${Math.round(gap)} ms after the one before, not ${six[i - 1]!.nextDelayMs}`);
    }
    assert.ok(six[4]!.at - six[3]!.at > 2 * (six[1]!.at - six[0]!.at), 'the wait grows');

    assert.equal(driver.connected, false);
    assert.doesNotThrow(() => lamp.write(true));
    assert.equal(podium.read(), false);

    await within(driver.close(), 1000, 'close()');
    const count = retries.length;
    await sleep(300);
    assert.equal(retries.length, count, 'no attempt after close()');
  });
});
