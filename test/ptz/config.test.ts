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
      'cameras[0].transport.baud: must be 9600 or 38400 (the speed set on the camera)',
      'cameras[0].transport.address: must be 1 to 7: a VISCA chain holds at most seven cameras',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'usb' } }]), [
      'cameras[0].transport.type: must have type "serial" (with path, baud, address), "visca-ip" (with host, port) or "tcp" (with host, port)',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x', port: 0 } }]), ['cameras[0].transport.port: must be a port number from 1 to 65535']);
    assert.match(problems([{ name: 'Podium Cam', transport: { type: 'tcp', host: 'x' } }])[0]!, /^cameras\[0\]\.name: doit être un identifiant en minuscules/);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x' }, presets: { podium: 1 }, bindings: { next: 'wide', live: 1 } }]), [
      'cameras[0].bindings: unknown key "live" (roles are on-air, next, queued, idle): remove it or fix its spelling',
      'cameras[0].bindings.next: preset "wide" is not in this camera\'s presets (podium); add it under presets or use a number',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x' }, presets: { podium: 1 }, bindings: { next: 'wide' } }]), [
      'cameras[0].bindings.next: preset "wide" is not in this camera\'s presets (podium); add it under presets or use a number',
    ]);
    assert.deepEqual(problems([{ name: 'a', transport: { type: 'tcp', host: 'x' }, presets: { far: 200 } }]), ['cameras[0].presets.far: must be a preset number from 0 to 127']);
    assert.deepEqual(problems('cams'), ['cameras: must be a list of cameras']);
  });

  it('refuses two cameras with one name, one chain seat or two speeds on one port', () => {
    assert.deepEqual(
      problems([
        { name: 'a', transport: { type: 'serial', path: '/dev/ttyUSB0', address: 1 } },
        { name: 'a', transport: { type: 'serial', path: '/dev/ttyUSB0', address: 1 } },
        { name: 'c', transport: { type: 'serial', path: '/dev/ttyUSB0', address: 2, baud: 38400 } },
      ]),
      [
        'cameras[1].name: "a" is already the name of cameras[0]; give each camera its own name',
        'cameras[1].transport.address: address 1 on /dev/ttyUSB0 is already used by cameras[0]; give each camera on a chain its own address',
        'cameras[2].transport.baud: /dev/ttyUSB0 is already set to 9600 baud by another camera; all cameras on one chain share one speed',
      ],
    );
  });
});
