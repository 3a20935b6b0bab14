/**
 * Fencing under the faults of a real day, with real processes: a primary
 * frozen by SIGSTOP and resumed, a primary restarted onto its queued session,
 * its Last Will landing after the takeover, on a real Mosquitto.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { compareFence, fenceKey } from '../../src/protocol/fencing.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { spawnCli, stopChild } from '../helpers/cli.js';
import { conductorConfig, siteConfig, SITES } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

describe('fencing with real processes (mosquitto)', function () {
  this.timeout(90_000);
  let broker: TestBroker;
  let dir: string;
  let watcher: mqtt.MqttClient;
  let floors: Array<Floor & { seenAt: number }>;
  let availability: string[];
  const children: Array<ReturnType<typeof spawnCli>> = [];
  const inProcess: Array<{ stop(): Promise<void> }> = [];

  beforeEach(async () => {
    broker = await startTestBroker('mosquitto');
    dir = await mkdtemp(join(tmpdir(), 'relais-fencing-'));
    floors = [];
    availability = [];
    watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
    watcher.on('message', (t, p) => {
      if (t.endsWith('/floor')) floors.push({ ...(JSON.parse(p.toString()) as Floor), seenAt: Date.now() });
      if (t.endsWith('/conductor/availability')) availability.push(p.toString());
    });
    await watcher.subscribeAsync(['relais/v1/test/floor', 'relais/v1/test/conductor/availability'], { qos: 1 });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.signalCode === null && child.exitCode === null) child.kill('SIGCONT');
      await stopChild(child, 'SIGKILL');
    }
    for (const part of inProcess.splice(0)) await part.stop();
    await watcher?.endAsync(true);
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const control = (body: object): Promise<unknown> => watcher.publishAsync('relais/v1/test/control', JSON.stringify(body), { qos: 1 });
  const newest = (): Floor => floors.reduce((a, b) => (compareFence(fenceKey(b), fenceKey(a)) > 0 ? b : a));

  async function alphaCli(): Promise<ReturnType<typeof spawnCli>> {
    const path = join(dir, 'alpha.yaml');
    await writeFile(path, [
      'event: test',
      `broker: { url: "${broker.url}", reconnectMs: 200, keepaliveSeconds: 2 }`,
      `conductor: { id: alpha, stateFile: "${join(dir, 'alpha.json')}", heartbeatMs: 200, leaseMs: 1000, peers: [alpha, beta] }`,
      `sites: [${SITES.map((s) => `{ id: ${s} }`).join(', ')}]`,
    ].join('\n'));
    const child = spawnCli(['conductor', '--config', path]);
    children.push(child);
    return child;
  }

  async function betaStandby(): Promise<Conductor> {
    const beta = new Conductor({ config: conductorConfig(broker.url, join(dir, 'beta.json'), { id: 'beta', peers: ['alpha', 'beta'] }), standby: true, log: quietLogger('beta') });
    await beta.start();
    inProcess.push(beta);
    return beta;
  }

  async function boxes(): Promise<Map<string, ApplianceRuntime>> {
    const all = new Map<string, ApplianceRuntime>();
    for (const site of SITES) {
      const runtime = new ApplianceRuntime({ config: siteConfig(broker.url, site), driver: new SimulatedDriver(), log: quietLogger(site) });
      await runtime.start();
      inProcess.push(runtime);
      all.set(site, runtime);
    }
    for (const box of all.values()) await waitFor('box link up', () => box.linkUp, 15_000);
    return all;
  }

  /** Two floors with the same (term, epoch) must be the same floor. */
  function assertNoForkedKeys(): void {
    const byKey = new Map<string, string>();
    for (const f of floors) {
      const key = `${f.term ?? 0}/${f.epoch}`;
      const body = JSON.stringify([f.conductor, f.onAir, f.queue]);
      assert.ok(!byKey.has(key) || byKey.get(key) === body, `two different floors with key ${key}: ${byKey.get(key)} and ${body}`);
      byKey.set(key, body);
    }
  }

  it('item 1 and 3: a primary frozen for longer than the lease does not apply the grants sent while frozen, its late Will does not drop the boxes\' link, and it steps down on resume', async () => {
    const alpha = await alphaCli();
    await waitFor('alpha primary', () => floors.some((f) => f.conductor === 'alpha'), 20_000);
    const beta = await betaStandby();
    const sites = await boxes();
    await control({ id: 'g0', action: 'grant', site: 'saint-camille' });
    await waitFor('saint-camille on air', () => newest().onAir === 'saint-camille');

    alpha.kill('SIGSTOP');
    const frozenAt = Date.now();
    for (const [i, site] of ['rouyn-noranda', 'riviere-du-loup', 'rouyn-noranda'].entries()) await control({ id: `frozen-${i}`, action: 'grant', site });
    await waitFor('beta took over', () => beta.role === 'primary', 10_000);
    await waitFor('beta\'s floor on every box', () => [...sites.values()].every((b) => b.floor?.conductor === 'beta'), 5000);
    const linkDrops: string[] = [];
    for (const [site, box] of sites) box.on('link', (up) => up || linkDrops.push(site));
    // Item 3: the broker gives up on the frozen client after 1.5 keepalives and publishes its Will.
    await waitFor('alpha\'s Will landed', () => availability.includes('offline'), 10_000);
    const fromResume = floors.length;
    alpha.kill('SIGCONT');
    await waitFor('alpha learnt it was deposed', () => /on se retire|stepping down|dropped the commands held/.test(alpha.output()), 15_000);
    // A marker after the resume: a grant beta applies and every box follows.
    await control({ id: 'after', action: 'grant', site: 'riviere-du-loup' });
    await waitFor('every box on beta\'s newest floor', () => [...sites.values()].every((b) => b.floor?.onAir === 'riviere-du-loup' && b.floor.conductor === 'beta'), 10_000);

    // A floor alpha had sent before the freeze may arrive again after it (QoS 1 resends what the broker had not
    // acknowledged when the process stopped): the same floor, not a new one. Only a floor first seen after the freeze is late.
    const before = new Set(floors.filter((f) => f.seenAt <= frozenAt).map((f) => `${f.term}/${f.epoch}`));
    const late = floors.filter((f) => f.conductor === 'alpha' && f.seenAt > frozenAt && !before.has(`${f.term}/${f.epoch}`));
    assert.deepEqual(late.map((f) => `${f.term}/${f.epoch}`), [], `alpha published after its freeze:\n${alpha.output().slice(-2000)}`);
    assert.ok(floors.slice(fromResume).every((f) => f.conductor === 'beta'));
    assertNoForkedKeys();
    assert.deepEqual(linkDrops, [], 'no box showed link lost after the takeover');
    assert.equal(availability.at(-1), 'online', 'beta put conductor/availability back online after the late Will');
    assert.equal(beta.role, 'primary');
    assert.ok(beta.term > (floors.find((f) => f.conductor === 'alpha')?.term ?? 0));
  });

  it('item 2: a primary restarted onto its persistent session holds the queued commands until it knows it is standby, and drops them', async () => {
    let alpha = await alphaCli();
    await waitFor('alpha primary', () => floors.some((f) => f.conductor === 'alpha'), 20_000);
    const beta = await betaStandby();
    await stopChild(alpha, 'SIGKILL');
    await waitFor('beta took over', () => beta.role === 'primary', 10_000);
    // Queued for alpha's session while it is down; beta applies them now.
    for (let i = 0; i < 3; i++) await control({ id: `queued-${i}`, action: 'grant', site: SITES[i % 3]! });
    await waitFor('beta applied them', () => newest().onAir === SITES[2] && newest().conductor === 'beta', 10_000);
    const fromRestart = floors.length;
    alpha = await alphaCli();
    await waitFor('alpha standing by', () => /on se retire|stepping down/.test(alpha.output()), 20_000);
    await control({ id: 'marker', action: 'grant', site: 'saint-camille' });
    await waitFor('beta answers the marker', () => newest().onAir === 'saint-camille', 10_000);
    const fromAlpha = floors.slice(fromRestart).filter((f) => f.conductor === 'alpha');
    assert.deepEqual(fromAlpha.map((f) => `${f.term}/${f.epoch} ${f.onAir}`), [], `the restarted alpha published:\n${alpha.output().slice(-2000)}`);
    assertNoForkedKeys();
  });
});

describe('a conductor resumed after a freeze (monotonic clock jumped, embedded broker)', function () {
  this.timeout(30_000);

  it('holds the commands that arrive while it re-validates, then applies each once in its term', async () => {
    const { startEmbeddedBroker } = await import('../../src/broker/embedded.js');
    const broker = await startEmbeddedBroker({ tcpPort: 0, wsPort: null, log: quietLogger('broker') });
    const dir = await mkdtemp(join(tmpdir(), 'relais-freeze-'));
    let frozenFor = 0;
    const conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json')), log: quietLogger('conductor'), monotonic: () => performance.now() + frozenFor });
    const client = await mqtt.connectAsync(broker.url);
    try {
      await conductor.start();
      assert.equal(conductor.role, 'primary');
      const term = conductor.term;
      const roles: string[] = [];
      conductor.on('role', (r) => roles.push(r));
      const answered: string[] = [];
      conductor.on('result', (r) => answered.push(r.id));
      // As if the process had been stopped for 5 s: its next input finds the gap.
      frozenFor = 5000;
      for (const [i, site] of SITES.entries()) await client.publishAsync('relais/v1/test/control', JSON.stringify({ id: `held-${i}`, action: 'grant', site }), { qos: 1 });
      await waitFor('all three answered', () => answered.length === 3, 10_000);
      assert.deepEqual(roles, ['unsure', 'primary'], 'it doubted, then went on');
      assert.deepEqual(answered, ['held-0', 'held-1', 'held-2']);
      assert.equal(conductor.floor().onAir, SITES[2]);
      assert.equal(conductor.term, term, 'nobody newer: it goes on in its term');
      assert.equal(conductor.counters.accepted, 3);
    } finally {
      await client.endAsync(true);
      await conductor.stop();
      await broker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
