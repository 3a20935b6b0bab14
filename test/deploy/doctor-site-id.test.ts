/** `relais doctor` reads the site's retained state and names a second box on the same site id. */
import assert from 'node:assert/strict';
import { setLang } from '../../src/i18n/index.js';
import mqtt from 'mqtt';
import { checkBroker } from '../../src/doctor/broker.js';
import { topic } from '../../src/protocol/topics.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';

const state = (system: Record<string, unknown>) => ({
  version: '0.1.0', tally: { role: 'idle', link: 'ok', epoch: 1 }, lamps: {}, encoder: null, cameras: [],
  counters: { badPayloads: 0, droppedPresses: 0 }, system: { temperatureC: null, load1: 0.1, cpus: 4, rssMb: 60, uptimeS: 100, ...system }, updatedAt: '2026-12-02T05:00:00.000Z',
});

describe('doctor: two boxes on one site id', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker('aedes');
  });
  after(async () => {
    await broker.stop();
  });

  async function retain(site: string, system: Record<string, unknown>): Promise<void> {
    const client = await mqtt.connectAsync(broker.url, { clientId: `relais-test-retain-${site}`, reconnectPeriod: 0 });
    await client.publishAsync(topic('demo', 'siteState', site), JSON.stringify(state(system)), { qos: 1, retain: true });
    await client.endAsync();
  }

  it('fails the site-id line, in French, when the retained state reports take-overs', async () => {
    await retain('saint-camille', { takenOver: { count: 5, since: '2026-12-02T04:58:00.000Z', evidence: 'pattern', yielding: true, backoffMs: 60_000 } });
    const lines = await checkBroker({ url: broker.url, event: 'demo', site: 'saint-camille', probeTopic: topic('demo', 'siteDoctor', 'saint-camille'), probes: 2, heartbeatWaitMs: 100 });
    const line = lines.find((l) => l.check === 'site-id');
    assert.equal(line?.status, 'FAIL');
    assert.match(line?.summary ?? '', /deux boîtiers utilisent le site « saint-camille ».*5 fois/);
    assert.match(line?.fix ?? '', /site: saint-camille/);
  });

  it('passes it when the state says nothing, and leaves it out without a site', async () => {
    await retain('rouyn-noranda', {});
    const lines = await checkBroker({ url: broker.url, event: 'demo', site: 'rouyn-noranda', probeTopic: topic('demo', 'siteDoctor', 'rouyn-noranda'), probes: 2, heartbeatWaitMs: 100 });
    assert.equal(lines.find((l) => l.check === 'site-id')?.status, 'PASS');
    assert.equal(lines.find((l) => l.check === 'site-id')?.summary, 'rouyn-noranda\u00a0: aucun autre boîtier n’a signalé cet identifiant de site');
    setLang('en');
    try {
      const english = await checkBroker({ url: broker.url, event: 'demo', site: 'rouyn-noranda', probeTopic: topic('demo', 'siteDoctor', 'rouyn-noranda'), probes: 2, heartbeatWaitMs: 100 });
      assert.equal(english.find((l) => l.check === 'site-id')?.summary, 'rouyn-noranda: no other box reported on this site id');
    } finally {
      setLang('fr');
    }
    const without = await checkBroker({ url: broker.url, event: 'demo', probeTopic: topic('demo', 'siteDoctor', 'rouyn-noranda'), probes: 2, heartbeatWaitMs: 100 });
    assert.equal(without.find((l) => l.check === 'site-id'), undefined);
  });
});
