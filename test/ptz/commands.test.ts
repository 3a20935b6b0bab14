import assert from 'node:assert/strict';
import * as v from '../../src/ptz/commands.js';
import { hexOf } from './rig.js';

const wire = (address: number, cmd: v.ViscaCommand<unknown>): string => hexOf(v.frame(address, cmd));

describe('ptz command table', () => {
  it('declares the Sony byte layouts', () => {
    assert.equal(wire(1, v.presetRecall(3)), '81 01 04 3f 02 03 ff');
    assert.equal(wire(2, v.presetStore(127)), '82 01 04 3f 01 7f ff');
    assert.equal(wire(1, v.presetReset(0)), '81 01 04 3f 00 00 ff');
    assert.equal(wire(1, v.drive('up', { pan: 0x18, tilt: 0x14 })), '81 01 06 01 18 14 03 01 ff');
    assert.equal(wire(1, v.drive('down-left', { pan: 1, tilt: 1 })), '81 01 06 01 01 01 01 02 ff');
    assert.equal(wire(7, v.stop()), '87 01 06 01 0c 0a 03 03 ff');
    assert.equal(wire(1, v.absolutePosition(-1, 0x1234)), '81 01 06 02 0c 0a 0f 0f 0f 0f 01 02 03 04 ff');
    assert.equal(wire(1, v.home()), '81 01 06 04 ff');
    assert.equal(wire(1, v.zoom('tele')), '81 01 04 07 02 ff');
    assert.equal(wire(1, v.zoom('wide', 7)), '81 01 04 07 37 ff');
    assert.equal(wire(1, v.zoom('stop')), '81 01 04 07 00 ff');
    assert.equal(wire(1, v.zoomDirect(0x4000)), '81 01 04 47 04 00 00 00 ff');
    assert.equal(wire(1, v.power(true)), '81 01 04 00 02 ff');
    assert.equal(wire(1, v.power(false)), '81 01 04 00 03 ff');
    assert.equal(wire(1, v.tally(true)), '81 01 7e 01 0a 00 02 ff');
    assert.equal(wire(1, v.tally(false)), '81 01 7e 01 0a 00 03 ff');
    assert.equal(wire(1, v.ifClear()), '81 01 00 01 ff');
    assert.equal(hexOf(v.BROADCAST.addressSet), '88 30 01 ff');
    assert.equal(hexOf(v.BROADCAST.ifClear), '88 01 00 01 ff');
    assert.equal(wire(1, v.inquirePower()), '81 09 04 00 ff');
    assert.equal(wire(1, v.inquireZoom()), '81 09 04 47 ff');
    assert.equal(wire(1, v.inquirePosition()), '81 09 06 12 ff');
  });

  it('decodes inquiry answers', () => {
    assert.equal(v.inquirePower().decode!(Uint8Array.of(0x02)), 'on');
    assert.equal(v.inquirePower().decode!(Uint8Array.of(0x03)), 'standby');
    assert.equal(v.inquireZoom().decode!(Uint8Array.of(0x01, 0x02, 0x03, 0x04)), 0x1234);
    assert.deepEqual(v.inquirePosition().decode!(Uint8Array.of(0x0f, 0x0f, 0x0f, 0x0e, 0x00, 0x01, 0x00, 0x00)), { pan: -2, tilt: 0x100 });
  });

  it('refuses answers of the wrong length or with a byte beyond a nibble, saying what a valid one holds', () => {
    assert.throws(() => v.inquireZoom().decode!(Uint8Array.of(1, 2)), /^Error: elle doit porter 4 octets de données 00-0F; elle en porte 2$/);
    assert.throws(() => v.inquireZoom().decode!(Uint8Array.of(1, 2, 0x13, 4)), /l’octet 3 vaut 13/);
    assert.throws(() => v.inquirePosition().decode!(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0)), /elle doit porter 8 octets de données 00-0F; elle en porte 9/);
    assert.throws(() => v.inquirePosition().decode!(Uint8Array.of(0xf0, 0, 0, 0, 0, 0, 0, 0)), /l’octet 1 vaut F0/);
    assert.throws(() => v.inquirePower().decode!(Uint8Array.of(9)), /un octet de données, 02, 03 ou 04/);
    assert.throws(() => v.inquirePower().decode!(Uint8Array.of(2, 3)), /un octet de données, 02, 03 ou 04/);
    assert.throws(() => v.inquirePower().decode!(new Uint8Array(0)), /un octet de données/);
  });

  it('refuses arguments out of range with what, range and value', () => {
    assert.throws(() => v.presetRecall(128), { name: 'ViscaArgumentError', message: /preset doit être un nombre entier de 0 à 127 .*reçu 128/ });
    assert.throws(() => v.presetRecall(16, 15), /de 0 à 15 .*reçu 16/);
    assert.throws(() => v.presetStore(1.5), /reçu 1\.5/);
    assert.throws(() => v.drive('left', { pan: 0x19 }), /pan speed doit être un nombre entier de 1 à 24 .*reçu 25/);
    assert.throws(() => v.drive('left', { tilt: 0 }), /tilt speed .* de 1 à 20/);
    assert.throws(() => v.drive('sideways' as v.DriveDirection), /la direction doit être une de up, down/);
    assert.throws(() => v.zoom('tele', 8), /zoom speed .* 0 à 7/);
    assert.throws(() => v.zoomDirect(-1), /zoom position/);
    assert.throws(() => v.absolutePosition(0x8000, 0), /pan position/);
    assert.throws(() => v.frame(8, v.home()), /camera address doit être un nombre entier de 1 à 7/);
  });
});
