/** A chain of cameras on one serial port: AddressSet, IF_Clear, routing by address, network change. */
import assert from 'node:assert/strict';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { hexOf, nextEvent, rejection, serialRig, type SerialRig } from './rig.js';
import { setLang } from '../../src/i18n/index.js';

describe('VISCA daisy chain', () => {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  let rig: SerialRig;
  afterEach(async () => {
    await rig?.stop();
  });

  it('addresses the chain at start-up (88 30 01 FF -> 88 30 04 FF) and clears it (88 01 00 01 FF)', async () => {
    rig = await serialRig(3);
    const addressed = nextEvent(rig.link, 'addressed');
    await rig.link.open();
    assert.deepEqual(await addressed, [3]);
    assert.equal(rig.link.cameraCount, 3);
    assert.equal(rig.link.online, true);
  });

  it('routes each command to its camera and each reply back to its queue', async () => {
    rig = await serialRig(3);
    await rig.link.open();
    const seen: string[][] = [[], [], []];
    rig.sim.chain.cameras.forEach((cam, i) => cam.on('command', (b) => seen[i]!.push(hexOf(b))));
    await Promise.all([rig.link.send(1, v.zoomDirect(0x100)), rig.link.send(3, v.zoomDirect(0x300)), rig.link.send(2, v.tally(true))]);
    assert.deepEqual(seen, [['01 04 47 00 01 00 00 ff'], ['01 7e 01 0a 00 02 ff'], ['01 04 47 00 03 00 00 ff']]);
    const zooms = await Promise.all([1, 2, 3].map((a) => rig.link.send(a, v.inquireZoom())));
    assert.deepEqual(zooms.map((z) => z.value), [0x100, 0, 0x300]);
    assert.equal(rig.sim.chain.camera(2)!.tally, true);
  });

  it('refuses an address beyond the chain, saying how many cameras it found', async () => {
    rig = await serialRig(2);
    await rig.link.open();
    const error = await rejection(rig.link.send(4, v.home()));
    assert.ok(error instanceof ViscaError);
    assert.equal(error.failure, 'no-camera');
    assert.match(error.message, /camera 4 on .*: pan-tilt home: the chain holds 2 camera\(s\), so there is no camera 4 \(check the address/);
  });

  it('re-addresses on a network change (z0 38 FF) and holds queued commands meanwhile', async () => {
    rig = await serialRig(3);
    await rig.link.open();
    const readdressed = nextEvent(rig.link, 'addressed');
    rig.sim.chain.networkChange(2); // camera 3 unplugged
    assert.deepEqual(await readdressed, [2]);
    const error = await rejection(rig.link.send(3, v.home()));
    assert.equal((error as unknown as ViscaError).failure, 'no-camera');
    await rig.link.send(2, v.home());
    const grown = nextEvent(rig.link, 'addressed');
    rig.sim.chain.networkChange(4);
    // Sent while the chain is being re-addressed: waits, then goes to the new camera 4.
    const late = rig.link.send(1, v.inquirePower());
    assert.deepEqual(await grown, [4]);
    assert.equal((await late).value, 'on');
    assert.equal((await rig.link.send(4, v.inquirePower())).value, 'on');
  });

  it('fails open with a clear message when nothing answers the address set', async () => {
    rig = await serialRig(1, { broadcastTimeoutMs: 100 });
    await rig.sim.stop(); // nobody on the far end
    const error = await rejection(rig.link.open());
    assert.match(error.message, /no camera answered the address set broadcast \(88 30 01 FF\) on .* within 100 ms, twice: check the VISCA cable/);
  });
});
