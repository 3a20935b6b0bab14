/**
 * Cameras that answer nonsense forever: every command must still end, with
 * the documented error, after a bounded number of messages (docs/ptz.md,
 * "Every command ends").
 */
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { PAYLOAD_TYPE, type IpMessage } from '../../src/ptz/ip-header.js';
import { ViscaIpLink } from '../../src/ptz/ip-link.js';
import { UdpSim } from '../../src/sim/servers.js';
import { hexOf, nextEvent, runPtzCli, says, serialRig, type SerialRig } from './rig.js';
import { setLang } from '../../src/i18n/index.js';

const { relais, camera } = says;

/** The documented defaults: one retry, two interruptions per command, three resets (or addressings) per window. */
const RETRIES = 1;
const INTERRUPTIONS = 2;
const RESETS = 3;
/** Writes of one command: its first, its retry, and one more per interruption. */
const WRITES = 1 + RETRIES + INTERRUPTIONS;
/** Far beyond any bound: reaching it means the link is looping. */
const RUNAWAY = 2000;

type Outcome = { ok: unknown } | { error: Error } | { runaway: number };

/** Settles with the command's outcome, or with `runaway` once `event` fired {@link RUNAWAY} times first. */
function outcomeOrRunaway(command: Promise<unknown>, emitter: EventEmitter, event: string): Promise<Outcome> {
  let count = 0;
  let listener: () => void = () => undefined;
  const runaway = new Promise<Outcome>((resolve) => {
    listener = () => {
      if (++count >= RUNAWAY) resolve({ runaway: count });
    };
    emitter.on(event, listener);
  });
  const settled = command.then((ok): Outcome => ({ ok }), (error: Error): Outcome => ({ error }));
  return Promise.race([settled, runaway]).finally(() => emitter.off(event, listener));
}

function assertUnstable(outcome: Outcome, pattern: RegExp): ViscaError {
  assert.ok(!('runaway' in outcome), `the command never ended: ${'runaway' in outcome ? outcome.runaway : 0} messages and counting`);
  assert.ok('error' in outcome, 'the command cannot succeed against this camera');
  assert.ok(outcome.error instanceof ViscaError, String(outcome.error));
  assert.equal(outcome.error.failure, 'link-unstable');
  assert.match(outcome.error.message, pattern);
  return outcome.error;
}

describe('VISCA livelocks: every command ends', () => {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  describe('a UDP camera that answers everything with 0F 01 under a stray sequence number', () => {
    let sim: UdpSim;
    let link: ViscaIpLink;
    beforeEach(async () => {
      sim = new UdpSim(0, '127.0.0.1');
      await sim.start();
      link = new ViscaIpLink('127.0.0.1', sim.address.port, { resetWindowMs: 2000 });
      await link.open();
      sim.misbehaviour = 'stray-sequence-error';
      sim.transcript.clear();
    });
    afterEach(async () => {
      await link?.close();
      await sim?.stop();
    });

    it('fails the command with link-unstable after a bounded number of datagrams, then stops resetting', async () => {
      const outcome = await outcomeOrRunaway(link.send(1, v.home()), sim, 'datagram');
      const error = assertUnstable(outcome, /pan-tilt home: .*abnormal sequence number/);
      assert.match(error.message, /second controller/);
      const commands = sim.received.filter((m) => m.type !== PAYLOAD_TYPE.control).length;
      // RESET on open, one per stray error while the budget lasts, each sent at most twice.
      assert.ok(commands <= WRITES, `${commands} command datagrams for one command`);
      assert.ok(sim.resets <= RESETS, `${sim.resets} resets`);
      assert.ok(sim.datagrams <= WRITES + 2 * RESETS, `${sim.datagrams} datagrams for one command`);
      const attempt = [relais('command #0: 81 01 06 04 FF'), camera('control reply #2147483648: 0F 01')];
      const reset = [relais('control #0: 01'), camera('control reply #0: 01')];
      assert.deepEqual(sim.transcript.lines, [...attempt, ...reset, ...attempt, ...reset, ...attempt], 'the third reset in the window was refused');

      // The link cools down: more commands fail at once, and the next datagram is the RESET that ends the cool-down.
      const next = new Promise<IpMessage>((resolve) => sim.once('datagram', resolve));
      for (let i = 0; i < 5; i++) {
        const refused = await link.send(1, v.home()).then(() => null, (e: ViscaError) => e);
        assert.equal(refused?.failure, 'link-unstable');
        assert.match(refused.message, /relais tries again in \d+ s/);
      }
      sim.misbehaviour = null; // the second controller went away
      const online = nextEvent(link, 'online', (up: boolean) => up, 10_000);
      const cooled = await next;
      assert.equal(cooled.type, PAYLOAD_TYPE.control, 'nothing but the RESET went out while the link cooled down');
      await online;
      assert.equal((await link.send(1, v.inquirePower())).value, 'on', 'the link works again after the cool-down');
    });
  });

  describe('a serial camera that answers everything with network change (90 38 FF)', () => {
    let rig: SerialRig;
    beforeEach(async () => {
      rig = await serialRig(1, { broadcastTimeoutMs: 1000, resetWindowMs: 2000 });
      await rig.link.open();
      rig.sim.chain.camera(1)!.misbehaviour = 'network-change';
      rig.sim.transcript.clear();
    });
    afterEach(async () => {
      await rig?.stop();
    });

    it('fails the command with link-unstable after a bounded number of messages, then stops re-addressing', async () => {
      const outcome = await outcomeOrRunaway(rig.link.send(1, v.presetRecall(2)), rig.sim, 'packet');
      assertUnstable(outcome, /camera 1 on .*: preset recall 2: .*network change/);
      const cam = rig.sim.chain.camera(1)!;
      const handled = cam.handled;
      assert.ok(cam.handled <= WRITES, `${cam.handled} messages to the camera for one command`);
      // AddressSet and IF_Clear per addressing, open included, each within the budget.
      assert.ok(rig.sim.packets <= WRITES + 2 * RESETS, `${rig.sim.packets} messages for one command`);
      const attempt = [relais('81 01 04 3F 02 02 FF'), camera('90 38 FF')];
      const addressing = [relais('88 30 01 FF'), camera('88 30 02 FF'), relais('88 01 00 01 FF'), camera('88 01 00 01 FF')];
      assert.deepEqual(rig.sim.transcript.lines, [...attempt, ...addressing, ...attempt, ...addressing, ...attempt], 'the third addressing in the window was refused');

      // The link cools down: commands fail at once, a further network change is not obeyed, and the next
      // message on the line is the AddressSet that ends the cool-down.
      const next = new Promise<Uint8Array>((resolve) => rig.sim.once('packet', resolve));
      const refused = await rig.link.send(1, v.home()).then(() => null, (e: ViscaError) => e);
      assert.equal(refused?.failure, 'link-unstable');
      rig.sim.chain.networkChange();
      const online = nextEvent(rig.link, 'online', (up: boolean) => up, 10_000);
      assert.equal(hexOf(await next), '88 30 01 ff', 'nothing but the AddressSet went out while the link cooled down');
      assert.equal(cam.handled, handled);
      cam.misbehaviour = null; // the chain port was fixed
      await online;
      assert.equal((await rig.link.send(1, v.inquirePower())).value, 'on', 'the chain works again after the cool-down');
    });
  });

  describe('relais ptz, as a process', () => {
    it('ends with exit code 1 and the error against either camera, after a bounded number of messages', async () => {
      const sim = new UdpSim(0, '127.0.0.1');
      await sim.start();
      sim.misbehaviour = 'stray-sequence-error';
      const rig = await serialRig(1);
      rig.sim.chain.camera(1)!.misbehaviour = 'network-change';
      try {
        const [ip, serial] = await Promise.all([
          runPtzCli(['ptz', 'home', '--ip', '127.0.0.1', '--port', String(sim.address.port)]),
          runPtzCli(['ptz', 'home', '--serial', rig.pty.a]),
        ]);
        assert.equal(ip.code, 1, ip.stderr);
        assert.match(ip.stderr, /^relais ptz: caméra à 127\.0\.0\.1:\d+ \(VISCA over IP\)\u00a0: pan-tilt home\u00a0: la caméra signale un numéro de séquence anormal \(déjà 3 réinitialisations en 10 s; relais réessaie dans \d+ s\)/);
        assert.ok(sim.datagrams <= WRITES + 2 * RESETS, `${sim.datagrams} datagrams`);
        assert.equal(serial.code, 1, serial.stderr);
        assert.match(serial.stderr, /^relais ptz: caméra 1 sur .*\u00a0: pan-tilt home\u00a0: la caméra 1 signale un changement de réseau \(90 38 FF\) \(déjà 3 réadressages en 10 s;/);
        assert.ok(rig.sim.packets <= WRITES + 2 * RESETS, `${rig.sim.packets} serial messages`);
      } finally {
        await sim.stop();
        await rig.sim.stop();
        await rig.pty.close();
      }
    });
  });
});
