import assert from 'node:assert/strict';
import { PtzConfigError, parsePtzConfig, resolvePreset } from '../../src/ptz/config.js';

function problems(raw: unknown): string[] {
  try {
    parsePtzConfig(raw);
  } catch (error) {
    assert.ok(error instanceof PtzConfigError);
    return error.problems;
  }
  throw new Error('expected the config to be refused');
}

describe('ptz config', () => {
  it('fills defaults: baud 9600, address 1, ports 52381 and 5678', () => {
    const cameras = parsePtzConfig([
      { name: 'podium-cam', transport: { type: 'serial', path: '/dev/ttyUSB0' }, presets: { podium: 1, wide: 2 }, tally: true, bindings: { 'on-air': 'podium', idle: 2 } },
      { name: 'room', transport: { type: 'visca-ip', host: '10.0.0.5' } },
      { name: 'hall', transport: { type: 'tcp', host: 'cam.local' } },
    ]);
    assert.deepEqual(cameras[0]!.transport, { type: 'serial', path: '/dev/ttyUSB0', baud: 9600, address: 1 });
    assert.deepEqual(cameras[1]!.transport, { type: 'visca-ip', host: '10.0.0.5', port: 52381 });
    assert.deepEqual(cameras[2]!.transport, { type: 'tcp', host: 'cam.local', port: 5678 });
    assert.equal(cameras[1]!.tally, false);
    assert.equal(resolvePreset(cameras[0]!, cameras[0]!.bindings['on-air']!), 1);
    assert.equal(resolvePreset(cameras[0]!, '7'), 7);
    assert.equal(resolvePreset(cameras[0]!, 'nowhere'), null);
    assert.deepEqual(parsePtzConfig(undefined), []);
  });

  it('names the path and the fix for each problem', () => {
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'serial', path: '/dev/x', baud: 4800, address: 9 } }]), [
      'cameras[0].transport.baud\u00a0: doit être 9600 ou 38400 (la vitesse réglée sur la caméra)',
      'cameras[0].transport.address\u00a0: doit être de 1 à 7\u00a0: une chaîne VISCA compte au plus sept caméras',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'usb' } }]), [
      'cameras[0].transport.type\u00a0: doit avoir le type «\u00a0serial\u00a0» (avec path, baud, address), «\u00a0visca-ip\u00a0» (avec host, port) ou «\u00a0tcp\u00a0» (avec host, port)',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x', port: 0 } }]), ['cameras[0].transport.port\u00a0: doit être un numéro de port de 1 à 65535']);
    assert.match(problems([{ name: 'Podium Cam', transport: { type: 'tcp', host: 'x' } }])[0]!, /^cameras\[0\]\.name\u00a0: doit être un identifiant en minuscules/);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x' }, presets: { podium: 1 }, bindings: { next: 'wide', live: 1 } }]), [
      'cameras[0].bindings\u00a0: clé inconnue "live" (les rôles sont on-air, next, queued, idle)\u00a0: retirez-la ou corrigez son orthographe',
      'cameras[0].bindings.next\u00a0: le préréglage «\u00a0wide\u00a0» n’est pas parmi ceux de cette caméra (podium); ajoutez-le sous presets ou donnez un numéro',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x' }, presets: { podium: 1 }, bindings: { next: 'wide' } }]), [
      'cameras[0].bindings.next\u00a0: le préréglage «\u00a0wide\u00a0» n’est pas parmi ceux de cette caméra (podium); ajoutez-le sous presets ou donnez un numéro',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x' }, presets: { far: 200 } }]), ['cameras[0].presets.far\u00a0: doit être un numéro de préréglage de 0 à 127']);
    assert.deepEqual(problems('cams'), ['cameras\u00a0: doit être une liste de caméras']);
  });

  it('refuses two cameras with one name, one chain seat or two speeds on one port', () => {
    assert.deepEqual(
      problems([
        { name: 'a', transport: { type: 'serial', path: '/dev/ttyUSB0', address: 1 } },
        { name: 'a', transport: { type: 'serial', path: '/dev/ttyUSB0', address: 1 } },
        { name: 'c', transport: { type: 'serial', path: '/dev/ttyUSB0', address: 2, baud: 38400 } },
      ]),
      [
        'cameras[1].name\u00a0: «\u00a0a\u00a0» est déjà le nom de cameras[0]; donnez à chaque caméra son propre nom',
        'cameras[1].transport.address\u00a0: l’adresse 1 sur /dev/ttyUSB0 est déjà prise par cameras[0]; donnez à chaque caméra d’une chaîne sa propre adresse',
        'cameras[2].transport.baud\u00a0: /dev/ttyUSB0 est déjà réglé à 9600 bauds par une autre caméra; toutes les caméras d’une chaîne partagent la même vitesse',
      ],
    );
  });
});
