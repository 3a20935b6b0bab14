import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  freePort,
  makeTestCa,
  makeUsers,
  renderCentral,
  renderSiteLocal,
  startMosquitto,
  TEST_USERS,
  type CentralPorts,
  type RunningBroker,
} from './mosquitto-harness.js';

const T = 'relais/v1/demo/';

/** Resolves with the first message on `topic` whose payload satisfies `accept`. */
function nextMessage(client: MqttClient, topic: string, accept: (payload: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer): void => {
      if (t !== topic || !accept(payload.toString())) return;
      client.off('message', onMessage);
      resolve(payload.toString());
    };
    client.on('message', onMessage);
  });
}

describe('deploy: Mosquitto TLS listener and site bridge (real mosquitto)', () => {
  let dir: string;
  let ca: Buffer;
  let ports: CentralPorts;
  let central: RunningBroker | null = null;
  const clients: MqttClient[] = [];

  const startCentral = async (): Promise<RunningBroker> => startMosquitto(dir, 'central', await renderCentral(dir, ports));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-tls-'));
    await makeTestCa(dir);
    await makeUsers(dir);
    ca = await readFile(join(dir, 'ca.crt'));
    ports = { plain: await freePort(), tls: await freePort(), ws: await freePort() };
    central = await startCentral();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  after(async () => {
    await central?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    clients.push(client);
    return client;
  }

  describe('TLS', () => {
    it('connects over TLS with the event CA and the right host name', async () => {
      const client = await connect(`mqtts://127.0.0.1:${ports.tls}`, { ...TEST_USERS.viewer, ca, servername: 'localhost' });
      assert.equal(client.connected, true);
    });

    it('connects over secure WebSockets (the dashboard path)', async () => {
      const client = await connect(`wss://localhost:${ports.ws}/`, { ...TEST_USERS.viewer, ca, wsOptions: { ca, family: 4 } });
      assert.equal(client.connected, true);
    });

    it('refuses a broker whose certificate does not match the host name', async () => {
      await assert.rejects(
        connect(`mqtts://127.0.0.1:${ports.tls}`, { ...TEST_USERS.viewer, ca, servername: 'mqtt.other-event.example' }),
        (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
      );
    });

    it('refuses a broker signed by a CA it was not given', async () => {
      await assert.rejects(
        connect(`mqtts://127.0.0.1:${ports.tls}`, { ...TEST_USERS.viewer, servername: 'localhost' }),
        (err: NodeJS.ErrnoException) => err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN',
      );
    });
  });

  describe('site-local broker bridged to the central one', () => {
    let local: RunningBroker | null = null;
    let localUrl: string;

    before(async () => {
      const localDir = join(dir, 'site');
      // The site box only holds the CA certificate.
      await mkdir(join(localDir, 'tls'), { recursive: true });
      await cp(join(dir, 'tls', 'ca.crt'), join(localDir, 'tls', 'ca.crt'));
      const localPort = await freePort();
      localUrl = `mqtt://127.0.0.1:${localPort}`;
      local = await startMosquitto(
        localDir,
        'site-local',
        await renderSiteLocal(localDir, { site: 'saint-camille', password: 'sc-pw', localPort, centralTlsPort: ports.tls, centralHost: 'localhost' }),
      );
      await central!.waitForLog(/New bridge connected .* as relais-bridge-saint-camille .*u'site-saint-camille'/);
    });
    after(async function () {
      if (this.currentTest?.state === 'failed' || process.env.RELAIS_TEST_VERBOSE) {
        console.error(local?.output(), central?.output());
      }
      await local?.stop();
    });

    it('carries the site state out and the floor in', async () => {
      const viewer = await connect(`mqtt://127.0.0.1:${ports.plain}`, TEST_USERS.viewer);
      await viewer.subscribeAsync(`${T}site/saint-camille/state`, { qos: 1 });
      const box = await connect(localUrl, { clientId: 'box-1' });
      await box.subscribeAsync(`${T}floor`, { qos: 1 });
      const stateSeen = nextMessage(viewer, `${T}site/saint-camille/state`, (p) => p === '{"v":1}');
      await box.publishAsync(`${T}site/saint-camille/state`, '{"v":1}', { qos: 1, retain: true });
      await stateSeen;
      const conductor = await connect(`mqtt://127.0.0.1:${ports.plain}`, TEST_USERS.conductor);
      const floorSeen = nextMessage(box, `${T}floor`, (p) => p === '{"epoch":1}');
      await conductor.publishAsync(`${T}floor`, '{"epoch":1}', { qos: 1, retain: true });
      await floorSeen;
    });

    it('does not carry another site’s topics or the control topic', async () => {
      const viewer = await connect(`mqtt://127.0.0.1:${ports.plain}`, TEST_USERS.viewer);
      await viewer.subscribeAsync(`${T}#`, { qos: 1 });
      const seen: string[] = [];
      viewer.on('message', (t, p) => seen.push(`${t} ${p.toString()}`));
      const box = await connect(localUrl, { clientId: 'box-2' });
      await box.publishAsync(`${T}site/lac-megantic/state`, 'forged', { qos: 1 });
      await box.publishAsync(`${T}control`, 'local-control', { qos: 1 });
      const marker = nextMessage(viewer, `${T}site/saint-camille/intent`, (p) => p === 'marker');
      await box.publishAsync(`${T}site/saint-camille/intent`, 'marker', { qos: 1 });
      await marker;
      assert.deepEqual(
        seen.filter((s) => !s.includes('/state {"v"') && !s.includes('/floor ')),
        [`${T}site/saint-camille/intent marker`],
      );
    });

    it('keeps the local path working while the central broker is down, and converges when it returns', async () => {
      await central!.kill();
      await local!.waitForLog(/Client local\.relais-bridge-saint-camille closed its connection|Socket error on client local\.relais-bridge-saint-camille/);

      // Button pressed and lamp state published while the link is down: local subscribers see both at once.
      const lamp = await connect(localUrl, { clientId: 'lamp-driver' });
      await lamp.subscribeAsync(`${T}site/saint-camille/#`, { qos: 1 });
      const button = await connect(localUrl, { clientId: 'button-driver' });
      const intentSeen = nextMessage(lamp, `${T}site/saint-camille/intent`, (p) => p.includes('offline-1'));
      await button.publishAsync(`${T}site/saint-camille/intent`, '{"id":"offline-1","action":"request"}', { qos: 1 });
      await intentSeen;
      await button.publishAsync(`${T}site/saint-camille/state`, '{"v":2}', { qos: 1, retain: true });

      central = await startCentral();
      await central.waitForLog(/New bridge connected .* as relais-bridge-saint-camille/);
      // A late viewer on the central broker gets the newest retained state the site published while cut off.
      const viewer = await connect(`mqtt://127.0.0.1:${ports.plain}`, TEST_USERS.viewer);
      const converged = nextMessage(viewer, `${T}site/saint-camille/state`, (p) => p === '{"v":2}');
      await viewer.subscribeAsync(`${T}site/saint-camille/state`, { qos: 1 });
      await converged;
    });
  });
});
