/**
 * The Firmata driver against an emulated StandardFirmata board, over real
 * serialport on a socat pty pair: the same bytes a Nano would exchange.
 * Set RELAIS_TEST_FIRMATA=/dev/ttyUSB0 to run the handshake against a real board too.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { openFirmataDriver, FirmataDriver, resolveFirmataPin } from '../../src/hardware/firmata.js';
import { FirmataEmulator, MODE, nextWrite } from './firmata-emulator.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import { recordingLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

/** This process holds `path` open (Linux: a descriptor in /proc/self/fd points at it). */
function openedHere(path: string): boolean {
  const target = realpathSync(path);
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false; // closed while we looked
    }
  });
}

describe('hardware: Firmata driver (emulated StandardFirmata on a pty pair)', function () {
  this.timeout(10_000);
  let pair: PtyPair;
  let emu: FirmataEmulator;
  let driver: FirmataDriver | null;

  beforeEach(async () => {
    pair = await openPtyPair();
    emu = await FirmataEmulator.open({ path: pair.device, speaksFirmata: true });
    driver = null;
  });
  afterEach(async () => {
    await driver?.close();
    await emu.close();
    await pair.close();
  });

  const open = (extra: Partial<Parameters<typeof openFirmataDriver>[0]> = {}) =>
    openFirmataDriver({ port: pair.host, reportVersionTimeoutMs: 50, readyTimeoutMs: 4000, log: recordingLogger(), ...extra });

  it('handshakes by querying a board that does not announce itself', async () => {
    driver = await open();
    assert.equal(driver.firmware, 'StandardFirmata 2.5');
    assert.equal(driver.io.pins.length, 22);
    assert.deepEqual(driver.io.analogPins, [14, 15, 16, 17, 18, 19, 20, 21]);
  });

  it('handshakes with a board that announces itself after its reset', async () => {
    // A version query timer far beyond the test's timeout: only the board's own announce can open it.
    const opening = open({ reportVersionTimeoutMs: 120_000 });
    // the host opens its end; the board boots and sends version + firmware unprompted
    await waitFor('the host has opened its end of the pty', () => openedHere(pair.host));
    emu.announce();
    driver = await opening;
    assert.equal(driver.connected, true, 'ready without waiting for the version query');
  });

  it('a button input gets the pull-up, port reporting, and edges only for its own pin', async () => {
    driver = await open();
    const modeSet = once(emu, 'mode');
    const button = await driver.openInput({ name: 'podium', pin: 2, activeLow: true });
    assert.deepEqual(await modeSet, [2, MODE.PULLUP]);
    assert.equal(emu.reporting[0], true);
    assert.equal(button.read(), false, 'pulled up at rest: released');

    const edges: boolean[] = [];
    button.on('edge', (v) => edges.push(v));
    const tally = await driver.openInput({ name: 'cam1Program', pin: 3, activeLow: true });
    emu.setLevel(3, 0); // another pin of the same port changes: one port message
    await once(tally, 'edge');
    emu.setLevel(2, 0); // podium pressed
    await once(button, 'edge');
    emu.setLevel(2, 1);
    await once(button, 'edge');
    assert.deepEqual(edges, [true, false]);
    assert.equal(tally.read(), true);
  });

  it('survives noise on the line', async () => {
    driver = await open();
    const button = await driver.openInput({ name: 'podium', pin: 'D2', activeLow: true });
    emu.inject([0x05, 0x7f, 0x33, 0xf0, 0x01]); // garbage and a truncated sysex
    emu.setLevel(2, 0);
    const [pressed] = await once(button, 'edge');
    assert.equal(pressed, true);
  });

  it('lamps: output mode, writes, A0 naming and active-low relay boards', async () => {
    driver = await open();
    const modes: [number, number][] = [];
    emu.on('mode', (pin, mode) => modes.push([pin, mode]));
    const onAir = await driver.openOutput({ name: 'onAir', pin: 7 });
    const green = await driver.openOutput({ name: 'cam2Green', pin: 'A0' });
    const relay = await driver.openOutput({ name: 'next', pin: 8, activeLow: true });
    await waitFor('three mode messages', () => modes.length >= 3);
    assert.deepEqual(modes, [[7, MODE.OUTPUT], [14, MODE.OUTPUT], [8, MODE.OUTPUT]]);
    assert.equal(emu.levels[8], 1, 'active-low relay starts high (off)');

    let written = nextWrite(emu, 7);
    onAir.write(true);
    assert.equal(await written, 1);
    written = nextWrite(emu, 14);
    green.write(true);
    assert.equal(await written, 1);
    written = nextWrite(emu, 8);
    relay.write(true);
    assert.equal(await written, 0);
  });

  it('close turns lamps off, stops reports and frees the port', async () => {
    driver = await open();
    await driver.openInput({ name: 'podium', pin: 2, activeLow: true });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
    const on = nextWrite(emu, 7);
    lamp.write(true);
    await on;
    const off = nextWrite(emu, 7);
    const reportOff = once(emu, 'report');
    await driver.close();
    assert.equal(await off, 0);
    assert.deepEqual(await reportOff, [0, false]);
    assert.equal(driver.port.isOpen, false);
    // The port is free again: a second driver can open it.
    driver = await open();
  });

  it('rejects pins the board cannot use, with the reason', async () => {
    driver = await open();
    await assert.rejects(driver.openInput({ name: 'podium', pin: 'A6', activeLow: true }), /ne peut pas servir d’entrée avec rappel \(pull-up\).*A6\/A7 d’un Nano sont seulement analogiques/);
    await assert.rejects(driver.openOutput({ name: 'onAir', pin: 40 }), /la broche 40 n’existe pas sur cette carte \(broches 0-21\)/);
    await driver.openOutput({ name: 'onAir', pin: 7 });
    await assert.rejects(driver.openInput({ name: 'podium', pin: 'D7' }), /déjà ouverte par «\sonAir\s»/);
    assert.throws(() => resolveFirmataPin('X1', []), /donnez un nombre \(2\), «\sD2\s» ou «\sA0\s»/);
  });

  it('a board without Firmata times out with the fix', async () => {
    await emu.close();
    emu = await FirmataEmulator.open({ path: pair.device, speaksFirmata: false });
    await assert.rejects(open({ readyTimeoutMs: 1000 }), /no Firmata handshake from .* within 1000 ms: flash StandardFirmata/);
  });

  it('a missing device says where to look', async () => {
    await assert.rejects(open({ port: '/dev/relais-no-such-board' }), /no serial device at \/dev\/relais-no-such-board: plug the Arduino in/);
  });

  it('reports a disconnect when the board goes away', async () => {
    driver = await open({ heartbeatMs: 100 });
    const lost = once(driver, 'disconnect');
    await emu.close();
    await pair.close(); // the pty pair disappears, as when the USB cable is pulled
    const [reason] = await lost;
    assert.match(reason as string, /unplugged|closed|no answer/);
  });

  it('reports a board that stops answering', async () => {
    driver = await open({ heartbeatMs: 100 });
    await emu.close(); // the pty stays, nobody answers: a hung board
    const [reason] = await once(driver, 'disconnect');
    assert.match(reason as string, /no answer from the board on .* for 100 ms/);
  });
});

describe('hardware: Firmata driver on a real board (RELAIS_TEST_FIRMATA)', function () {
  this.timeout(15_000);
  const path = process.env.RELAIS_TEST_FIRMATA;
  before(function () {
    if (!path) this.skip();
  });

  it('handshakes, opens the podium input and the ON AIR lamp, and closes', async () => {
    const driver = await openFirmataDriver({ port: path!, log: recordingLogger() });
    try {
      assert.match(driver.firmware, /Firmata/);
      const button = await driver.openInput({ name: 'podium', pin: 2, activeLow: true });
      assert.equal(typeof button.read(), 'boolean');
      const lamp = await driver.openOutput({ name: 'onAir', pin: 7 });
      lamp.write(true);
      lamp.write(false);
    } finally {
      await driver.close();
    }
  });
});
