import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { freePort, makeTestCa, makeUsers, MOSQUITTO_DIR, renderCentral, startMosquitto, TEST_USERS, type RunningBroker } from './mosquitto-harness.js';

const run = promisify(execFile);
const T = 'relais/v1/demo/';

describe('deploy: Mosquitto ACL (central.conf + make-users.sh, real mosquitto)', () => {
  let dir: string;
  let broker: RunningBroker;
  let url: string;
  const clients: MqttClient[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-acl-'));
    await makeTestCa(dir);
    await makeUsers(dir);
    const ports = { plain: await freePort(), tls: await freePort(), ws: await freePort() };
    broker = await startMosquitto(dir, 'central', await renderCentral(dir, ports));
    url = `mqtt://127.0.0.1:${ports.plain}`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  after(async () => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(user: { username: string; password: string }, extra: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url, { ...user, protocolVersion: 5, reconnectPeriod: 0, ...extra });
    clients.push(client);
    return client;
  }

  /** Collects messages on `filter` until one equals `until`; returns everything seen before it. */
  async function watch(filter: string): Promise<(until: string) => Promise<string[]>> {
    const viewer = await connect(TEST_USERS.viewer);
    const seen: string[] = [];
    let waiter: (() => void) | null = null;
    viewer.on('message', (topic, payload) => {
      seen.push(`${topic} ${payload.toString()}`);
      waiter?.();
    });
    await viewer.subscribeAsync(filter, { qos: 1 });
    return async (until) => {
      while (!seen.some((s) => s.endsWith(' ' + until))) await new Promise<void>((r) => (waiter = r));
      return seen.slice(0, seen.findIndex((s) => s.endsWith(' ' + until)));
    };
  }

  it('the checked-in acl is what make-users.sh makes from users.example', async () => {
    const { stdout } = await run('sh', [join(MOSQUITTO_DIR, 'make-users.sh'), '--acl-only', '--acl', '-']);
    assert.equal(stdout, await readFile(join(MOSQUITTO_DIR, 'acl'), 'utf8'));
  });

  it('make-users.sh refuses a bad users file and writes nothing', async () => {
    const bad = join(dir, 'bad-users');
    await run('sh', ['-c', `printf 'site Saint_Camille\\n' > ${bad}`]);
    const out = join(dir, 'never');
    await assert.rejects(
      run('sh', [join(MOSQUITTO_DIR, 'make-users.sh'), '--users', bad, '--passwd', out, '--acl', out + '.acl']),
      (err: { stderr: string }) => /bad-users:1: site 'Saint_Camille' is not a lowercase slug/.test(err.stderr),
    );
    await assert.rejects(readFile(out + '.acl'));
  });

  it('make-users.sh --nats: clear errors for options that cannot go together or a password it cannot quote', async () => {
    const script = join(MOSQUITTO_DIR, 'make-users.sh');
    const out = join(dir, 'nats-never.conf');
    await assert.rejects(run('sh', [script, '--nats-only']), (err: { code: number; stderr: string }) => err.code === 2 && /--nats-only needs --nats FILE/.test(err.stderr));
    await assert.rejects(run('sh', [script, '--acl-only', '--nats', out]), (err: { stderr: string }) => /--nats needs passwords: drop --acl-only/.test(err.stderr));
    const quoted = join(dir, 'quoted-users');
    await run('sh', ['-c', `printf 'site saint-camille pa"ss\\n' > ${quoted}`]);
    await assert.rejects(
      run('sh', [script, '--users', quoted, '--nats-only', '--nats', out, '--credentials', join(dir, 'cred-never')]),
      (err: { stderr: string }) => /quoted-users:1: the password of 'saint-camille' may not contain a quote or a backslash/.test(err.stderr),
    );
    await assert.rejects(readFile(out), 'nothing written');
    await assert.rejects(readFile(join(dir, 'cred-never.tmp')), 'no half-written credentials');
  });

  it('refuses a wrong password', async () => {
    await assert.rejects(connect({ username: 'site-saint-camille', password: 'nope' }), /Bad User Name or Password|Not authorized/);
  });

  it('a site publishes its own state; its publish for another site is refused (MQTT 5 reason 135) and never delivered', async () => {
    const until = await watch(`${T}site/+/#`);
    const site = await connect(TEST_USERS.saintCamille);
    await site.publishAsync(`${T}site/saint-camille/state`, 'own-state', { qos: 1 });
    await assert.rejects(site.publishAsync(`${T}site/lac-megantic/intent`, 'forged', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    // Same publisher, so ordered: anything forged would arrive before this marker.
    await site.publishAsync(`${T}site/saint-camille/intent`, 'marker-1', { qos: 1 });
    const before = await until('marker-1');
    assert.deepEqual(before, [`${T}site/saint-camille/state own-state`]);
  });

  it('a site may answer on its own ptz/result but not command its own cameras (as on the embedded broker)', async () => {
    const until = await watch(`${T}site/saint-camille/ptz/#`);
    const site = await connect(TEST_USERS.saintCamille);
    await assert.rejects(site.publishAsync(`${T}site/saint-camille/ptz/command`, 'self-command', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await site.publishAsync(`${T}site/saint-camille/ptz/result`, 'marker-ptz', { qos: 1 });
    assert.deepEqual(await until('marker-ptz'), []);
  });

  it('an MQTT 3.1.1 site publishing floor is dropped silently', async () => {
    const until = await watch(`${T}#`);
    const site = await connect(TEST_USERS.lacMegantic, { protocolVersion: 4 });
    await site.publishAsync(`${T}floor`, '{"epoch":999}', { qos: 1 }); // PUBACK comes back, the message does not
    await site.publishAsync(`${T}site/lac-megantic/state`, 'marker-2', { qos: 1 });
    assert.deepEqual(await until('marker-2'), []);
  });

  it('only the conductor publishes floor, events and conductor/#', async () => {
    const until = await watch(`${T}#`);
    const conductor = await connect(TEST_USERS.conductor);
    const operator = await connect(TEST_USERS.operator);
    await assert.rejects(operator.publishAsync(`${T}floor`, 'op-floor', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await conductor.publishAsync(`${T}floor`, 'cond-floor', { qos: 1 });
    await conductor.publishAsync(`${T}events`, 'cond-event', { qos: 1 });
    await conductor.publishAsync(`${T}conductor/availability`, 'marker-3', { qos: 1 });
    await assert.rejects(conductor.publishAsync(`${T}control`, 'cond-control', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    assert.deepEqual(await until('marker-3'), [`${T}floor cond-floor`, `${T}events cond-event`]);
  });

  it('operators publish control and PTZ commands; a viewer cannot publish control', async () => {
    const until = await watch(`${T}#`);
    const operator = await connect(TEST_USERS.operator);
    const viewer = await connect(TEST_USERS.viewer);
    await assert.rejects(viewer.publishAsync(`${T}control`, 'viewer-control', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await operator.publishAsync(`${T}site/saint-camille/ptz/command`, 'ptz', { qos: 1 });
    await operator.publishAsync(`${T}control`, 'marker-4', { qos: 1 });
    assert.deepEqual(await until('marker-4'), [`${T}site/saint-camille/ptz/command ptz`]);
  });

  it('a site\'s box writes its own message to the operator, not another site\'s; only an operator marks it read', async () => {
    const until = await watch(`${T}site/+/message/#`);
    const site = await connect(TEST_USERS.saintCamille);
    const operator = await connect(TEST_USERS.operator);
    const viewer = await connect(TEST_USERS.viewer);
    await site.publishAsync(`${T}site/saint-camille/message/operator`, 'from-sc', { qos: 1 });
    await assert.rejects(site.publishAsync(`${T}site/lac-megantic/message/operator`, 'forged-site', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await assert.rejects(site.publishAsync(`${T}site/saint-camille/message/operator/ack`, 'self-ack', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await assert.rejects(viewer.publishAsync(`${T}site/saint-camille/message/operator/ack`, 'viewer-ack', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await assert.rejects(operator.publishAsync(`${T}site/saint-camille/message/operator`, 'operator-forged', { qos: 1 }), (err: { code?: number }) => err.code === 135);
    await operator.publishAsync(`${T}site/saint-camille/message/operator/ack`, 'marker-inbox', { qos: 1 });
    assert.deepEqual(await until('marker-inbox'), [`${T}site/saint-camille/message/operator from-sc`]);
  });

  it('a site reads the floor but not the control topic', async () => {
    const site = await connect(TEST_USERS.saintCamille);
    const got: string[] = [];
    site.on('message', (topic) => got.push(topic));
    await site.subscribeAsync([`${T}floor`, `${T}control`], { qos: 1 });
    const operator = await connect(TEST_USERS.operator);
    const conductor = await connect(TEST_USERS.conductor);
    await operator.publishAsync(`${T}control`, '{}', { qos: 1 });
    const floorSeen = new Promise<void>((resolve) => site.on('message', (topic) => topic.endsWith('/floor') && resolve()));
    await conductor.publishAsync(`${T}floor`, '{}', { qos: 1 });
    await floorSeen;
    assert.deepEqual(got, [`${T}floor`]);
  });
});
