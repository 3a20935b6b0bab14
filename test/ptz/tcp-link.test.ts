/** Raw VISCA over TCP against the simulator: commands, reconnect after a drop, late camera. */
import assert from 'node:assert/strict';
import net from 'node:net';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import type { ViscaStreamLink } from '../../src/ptz/stream-link.js';
import { createTcpLink } from '../../src/ptz/tcp-link.js';
import { TcpSim } from '../../src/sim/servers.js';
import { nextEvent, rejection } from './rig.js';
import { setLang } from '../../src/i18n/index.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('raw VISCA over TCP', () => {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  let sim: TcpSim | null = null;
  let link: ViscaStreamLink | null = null;
  afterEach(async () => {
    await link?.close();
    await sim?.stop();
    link = null;
    sim = null;
  });

  it('sends commands and inquiries to camera 1', async () => {
    sim = new TcpSim(0, '127.0.0.1', { msPerUnit: 0.02 });
    await sim.start();
    link = createTcpLink('127.0.0.1', sim.address.port, { ackTimeoutMs: 300 });
    await link.open();
    await link.send(1, v.absolutePosition(300, -50));
    assert.deepEqual((await link.send(1, v.inquirePosition())).value, { pan: 300, tilt: -50 });
  });

  it('reconnects after the camera drops the connection; commands in flight fail clearly', async () => {
    sim = new TcpSim(0, '127.0.0.1', { msPerUnit: 0.5 });
    await sim.start();
    link = createTcpLink('127.0.0.1', sim.address.port, { reconnectMs: 20 });
    await link.open();
    sim.camera.presets.set(1, { pan: 2000, tilt: 0, zoom: 0 });
    const moving = link.send(1, v.presetRecall(1)); // a long move: completion comes after the drop
    await nextEvent(sim.camera, 'command');
    const down = nextEvent(link, 'online', (up: boolean) => !up);
    const up = nextEvent(link, 'online', (isUp: boolean) => isUp);
    sim.dropConnections();
    const error = await rejection(moving);
    assert.ok(error instanceof ViscaError);
    assert.equal(error.failure, 'link-closed');
    assert.match(error.message, /127\.0\.0\.1:\d+ \(VISCA over TCP\): preset recall 1: connection lost/);
    await down;
    await up;
    assert.equal(sim.connections, 2);
    assert.equal((await link.send(1, v.inquirePower())).value, 'on');
  });

  it('keeps trying when the camera is not there yet, and comes online when it is', async () => {
    const port = await freePort();
    link = createTcpLink('127.0.0.1', port, { reconnectMs: 20, maxReconnectMs: 50 });
    const error = await rejection(link.open());
    assert.match(error.message, /cannot connect to 127\.0\.0\.1:\d+ \(VISCA over TCP\): .*check the host, the port/);
    const refused = await rejection(link.send(1, v.home()));
    assert.equal((refused as unknown as ViscaError).failure, 'link-closed');
    const online = nextEvent(link, 'online', (up: boolean) => up);
    sim = new TcpSim(port, '127.0.0.1');
    await sim.start();
    await online;
    await link.send(1, v.home());
  });
});
