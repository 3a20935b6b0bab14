/**
 * VISCA over IP on real UDP sockets (loopback): reset, sequence numbers,
 * resends, stale replies; each case checked as a conversation, datagram by
 * datagram (payload type, sequence number, payload), as the camera saw it.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { PAYLOAD_TYPE } from '../../src/ptz/ip-header.js';
import { ViscaIpLink } from '../../src/ptz/ip-link.js';
import { UdpSim } from '../../src/sim/servers.js';
import { rejection, says } from './rig.js';
import { setLang } from '../../src/i18n/index.js';

const { relais, camera } = says;

describe('VISCA over IP (UDP)', () => {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  let sim: UdpSim;
  let link: ViscaIpLink;

  beforeEach(async () => {
    sim = new UdpSim(0, '127.0.0.1', { msPerUnit: 0.02 });
    await sim.start();
    link = new ViscaIpLink('127.0.0.1', sim.address.port, { ackTimeoutMs: 200, completionTimeoutMs: 1000 });
    await link.open();
  });
  afterEach(async () => {
    await link?.close();
    await sim?.stop();
  });

  const commandSeqs = (): number[] => sim.received.filter((m) => m.type !== PAYLOAD_TYPE.control).map((m) => m.seq);
  /** The conversation after the opening RESET. */
  const talk = (): string[] => sim.transcript.lines.slice(2);

  it('starts with a control RESET, then numbers commands from 0', async () => {
    assert.equal(sim.resets, 1);
    assert.equal(sim.received[0]!.type, PAYLOAD_TYPE.control);
    await link.send(1, v.home());
    await link.send(1, v.inquirePower());
    await link.send(1, v.zoomDirect(10));
    assert.deepEqual(commandSeqs(), [0, 1, 2]);
    assert.deepEqual(sim.transcript.lines, [
      relais('control #0: 01'), // RESET
      camera('control reply #0: 01'), // acknowledged: both count from 0
      relais('command #0: 81 01 06 04 FF'),
      camera('reply #0: 90 41 FF'),
      camera('reply #0: 90 51 FF'),
      relais('inquiry #1: 81 09 04 00 FF'),
      camera('reply #1: 90 50 02 FF'),
      relais('command #2: 81 01 04 47 00 00 00 0A FF'),
      camera('reply #2: 90 41 FF'),
      camera('reply #2: 90 51 FF'),
    ]);
  });

  it('a resend keeps its sequence number', async () => {
    await link.send(1, v.home());
    sim.injectIp('drop-first');
    const result = await link.send(1, v.tally(true));
    assert.equal(result.attempts, 2);
    assert.deepEqual(commandSeqs(), [0, 1, 1]);
    await link.send(1, v.stop());
    assert.deepEqual(talk().slice(3), [
      relais('command #1: 81 01 7E 01 0A 00 02 FF'), // lost on the way
      relais('command #1: 81 01 7E 01 0A 00 02 FF'), // resent at the ACK timeout, same number
      camera('reply #1: 90 41 FF'),
      camera('reply #1: 90 51 FF'),
      relais('command #2: 81 01 06 01 0C 0A 03 03 FF'),
      camera('reply #2: 90 41 FF'),
      camera('reply #2: 90 51 FF'),
    ]);
  });

  it('ignores replies whose sequence number matches nothing in flight', async () => {
    sim.camera.presets.set(1, { pan: 100, tilt: 100, zoom: 0 });
    sim.injectIp('stale-reply');
    const result = await link.send(1, v.presetRecall(1));
    assert.equal(result.attempts, 1);
    assert.equal(link.stale, 2);
    assert.deepEqual(sim.camera.position(), { pan: 100, tilt: 100, zoom: 0 });
    assert.deepEqual(talk(), [
      relais('command #0: 81 01 04 3F 02 01 FF'),
      camera('reply #4294966296: 90 41 FF'), // an old number: ignored
      camera('reply #4294966296: 90 51 FF'),
      camera('reply #0: 90 41 FF'),
      camera('reply #0: 90 51 FF'),
    ]);
  });

  it('accepts a completion that overtakes its ACK, and drops the late ACK', async () => {
    sim.injectIp('swap-ack-completion');
    const result = await link.send(1, v.home());
    assert.equal(result.attempts, 1);
    const after = await link.send(1, v.inquirePower());
    assert.equal(after.value, 'on');
    assert.equal(link.stale, 1);
    assert.deepEqual(talk().slice(0, 3), [relais('command #0: 81 01 06 04 FF'), camera('reply #0: 90 51 FF'), camera('reply #0: 90 41 FF')]);
  });

  it('turns a sequence-number error into a clear error and resets', async () => {
    sim.injectIp('sequence-error');
    const error = await rejection(link.send(1, v.home()));
    assert.ok(error instanceof ViscaError);
    assert.match(error.message, /abnormal sequence number; relais resets the sequence/);
    await link.send(1, v.home());
    assert.equal(sim.resets, 2);
    assert.equal(commandSeqs().at(-1), 0);
    assert.deepEqual(talk(), [
      relais('command #0: 81 01 06 04 FF'),
      camera('control reply #0: 0F 01'), // abnormal sequence number
      relais('control #0: 01'), // RESET
      camera('control reply #0: 01'),
      relais('command #0: 81 01 06 04 FF'), // the next command counts from 0 again
      camera('reply #0: 90 41 FF'),
      camera('reply #0: 90 51 FF'),
    ]);
  });

  it('Cancel over IP: the cancelled preset move fails with "cancelled", matched by sequence', async () => {
    sim.camera.presets.set(7, { pan: 0x7000, tilt: 0, zoom: 0 });
    const move = link.send(1, v.presetRecall(7));
    await link.send(1, v.inquirePower()); // answered once relais has read the move's ACK
    assert.deepEqual(await link.cancel(1), ['preset recall 7']);
    const error = await rejection(move);
    assert.ok(error instanceof ViscaError);
    assert.equal(error.failure, 'cancelled');
    assert.notEqual(sim.camera.position().pan, 0x7000);
    assert.deepEqual(talk(), [
      relais('command #0: 81 01 04 3F 02 07 FF'),
      camera('reply #0: 90 41 FF'),
      relais('inquiry #1: 81 09 04 00 FF'),
      camera('reply #1: 90 50 02 FF'),
      relais('command #2: 81 21 FF'), // Cancel socket 1
      camera('reply #2: 90 61 04 FF'), // under the Cancel's number: matched by socket
    ]);
  });

  it('turns camera error replies into typed errors, matched by sequence', async () => {
    sim.camera.inject('syntax-error');
    const error = await rejection(link.send(1, v.home()));
    assert.equal((error as unknown as ViscaError).failure, 'syntax');
    assert.match(error.message, /^camera at 127\.0\.0\.1:\d+ \(VISCA over IP\): pan-tilt home: camera replied "syntax error"/);
    assert.deepEqual(talk(), [relais('command #0: 81 01 06 04 FF'), camera('reply #0: 90 60 02 FF')]);
  });

  it('an inquiry answer of the wrong length is "not a valid answer", with its bytes', async () => {
    sim.camera.inject('short-reply');
    const error = await rejection(link.send(1, v.inquireZoom()));
    assert.equal((error as unknown as ViscaError).failure, 'bad-reply');
    assert.match(error.message, /zoom position inquiry: the camera's reply 90 50 00 00 00 FF is not a valid answer to zoom position inquiry \(it must carry 4 data bytes 00-0F; it carries 3\)/);
    assert.deepEqual(talk(), [relais('inquiry #0: 81 09 04 47 FF'), camera('reply #0: 90 50 00 00 00 FF')]);
  });

  it('fails open with advice when nothing answers the reset', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const dead = new ViscaIpLink('127.0.0.1', silent.address().port, { controlTimeoutMs: 100 });
    try {
      const error = await rejection(dead.open());
      assert.match(error.message, /no answer from 127\.0\.0\.1:\d+ \(VISCA over IP\) to a control RESET within 100 ms, twice: check the address, that VISCA over IP is enabled/);
    } finally {
      await dead.close();
      silent.close();
    }
  });
});
