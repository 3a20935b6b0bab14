/** VISCA over IP on real UDP sockets (loopback): reset, sequence numbers, resends, stale replies. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { PAYLOAD_TYPE } from '../../src/ptz/ip-header.js';
import { ViscaIpLink } from '../../src/ptz/ip-link.js';
import { UdpSim } from '../../src/sim/servers.js';
import { rejection } from './rig.js';

describe('VISCA over IP (UDP)', () => {
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

  it('starts with a control RESET, then numbers commands from 0', async () => {
    assert.equal(sim.resets, 1);
    assert.equal(sim.received[0]!.type, PAYLOAD_TYPE.control);
    await link.send(1, v.home());
    await link.send(1, v.inquirePower());
    await link.send(1, v.zoomDirect(10));
    assert.deepEqual(commandSeqs(), [0, 1, 2]);
    assert.deepEqual(sim.received.slice(1).map((m) => m.type), [PAYLOAD_TYPE.command, PAYLOAD_TYPE.inquiry, PAYLOAD_TYPE.command]);
  });

  it('a resend keeps its sequence number', async () => {
    await link.send(1, v.home());
    sim.injectIp('drop-first');
    const result = await link.send(1, v.tally(true));
    assert.equal(result.attempts, 2);
    assert.deepEqual(commandSeqs(), [0, 1, 1]);
    await link.send(1, v.stop());
    assert.deepEqual(commandSeqs(), [0, 1, 1, 2]);
  });

  it('ignores replies whose sequence number matches nothing in flight', async () => {
    sim.camera.presets.set(1, { pan: 100, tilt: 100, zoom: 0 });
    sim.injectIp('stale-reply');
    const result = await link.send(1, v.presetRecall(1));
    assert.equal(result.attempts, 1);
    assert.equal(link.stale, 2);
    assert.deepEqual(sim.camera.position(), { pan: 100, tilt: 100, zoom: 0 });
  });

  it('accepts a completion that overtakes its ACK, and drops the late ACK', async () => {
    sim.injectIp('swap-ack-completion');
    const result = await link.send(1, v.home());
    assert.equal(result.attempts, 1);
    const after = await link.send(1, v.inquirePower());
    assert.equal(after.value, 'on');
    assert.equal(link.stale, 1);
  });

  it('turns a sequence-number error into a clear error and resets', async () => {
    sim.injectIp('sequence-error');
    const error = await rejection(link.send(1, v.home()));
    assert.ok(error instanceof ViscaError);
    assert.match(error.message, /abnormal sequence number; relais resets the sequence/);
    await link.send(1, v.home());
    assert.equal(sim.resets, 2);
    assert.equal(commandSeqs().at(-1), 0);
  });

  it('Cancel over IP: the cancelled preset move fails with "cancelled", matched by sequence', async () => {
    sim.camera.presets.set(7, { pan: 0x7000, tilt: 0, zoom: 0 });
    const move = link.send(1, v.presetRecall(7));
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(await link.cancel(1), ['preset recall 7']);
    const error = await rejection(move);
    assert.ok(error instanceof ViscaError);
    assert.equal(error.failure, 'cancelled');
    assert.notEqual(sim.camera.position().pan, 0x7000);
  });

  it('turns camera error replies into typed errors, matched by sequence', async () => {
    sim.camera.inject('syntax-error');
    const error = await rejection(link.send(1, v.home()));
    assert.equal((error as unknown as ViscaError).failure, 'syntax');
    assert.match(error.message, /^camera at 127\.0\.0\.1:\d+ \(VISCA over IP\): pan-tilt home: camera replied "syntax error"/);
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
