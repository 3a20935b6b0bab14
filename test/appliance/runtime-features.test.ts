/**
 * Features on a real runtime and a real (embedded) broker: typed, decoded
 * subscriptions through one message listener, bad payloads counted and kept
 * from the handlers, a bus that cannot be emitted on, and everything a
 * feature left behind taken off when the box stops.
 */
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { FeatureBus, type Feature, type FeatureContext } from '../../src/appliance/feature.js';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import type { RundownList } from '../../src/protocol/schemas.js';
import type { SiteState } from '../../src/protocol/site-state.js';
import { topic } from '../../src/protocol/topics.js';
import { siteConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

/** A feature that subscribes and, on purpose, never takes its bus listener off. */
class Listening implements Feature {
  readonly rundowns: RundownList[] = [];
  readonly states: Array<{ site: string | null; role: string }> = [];
  ctx: FeatureContext | null = null;
  constructor(readonly name: string) {}
  async start(ctx: FeatureContext): Promise<void> {
    this.ctx = ctx;
    ctx.bus.on('link', () => undefined);
    await ctx.subscribe('rundown', {}, (list) => this.rundowns.push(list));
    await ctx.subscribe('siteState', { site: 'rouyn-noranda' }, (state, from) => this.states.push({ site: from.site, role: state.tally.role }));
  }
  async stop(): Promise<void> {}
}

describe('appliance: features on a real runtime (embedded broker)', function () {
  this.timeout(15_000);
  let broker: EmbeddedBroker;
  let watcher: MqttClient;
  let runtime: ApplianceRuntime;
  const a = new Listening('a');
  const b = new Listening('b');

  before(async () => {
    broker = await startEmbeddedBroker({ tcpPort: 0, wsPort: null, log: quietLogger('broker') });
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'watcher' });
    runtime = new ApplianceRuntime({ config: siteConfig(broker.url, 'saint-camille'), driver: new SimulatedDriver(), features: [a, b], log: quietLogger('saint-camille') });
    await runtime.start();
  });
  after(async () => {
    await runtime?.stop();
    await watcher?.endAsync(true);
    await broker?.close();
  });

  it('hands each subscriber the decoded payload; a bad one is counted once and reaches nobody', async () => {
    const list = (title: string): string => JSON.stringify({ items: [{ index: 0, title, speaker: 'A', site: 'saint-camille', plannedMinutes: 10 }] } satisfies RundownList);
    // Retained, so it comes whenever the subscriptions are granted: the marker that they are.
    await watcher.publishAsync(topic('test', 'rundown'), list('Opening'), { qos: 1, retain: true });
    await waitFor('both features got the first rundown', () => a.rundowns.length === 1 && b.rundowns.length === 1);
    await watcher.publishAsync(topic('test', 'rundown'), 'not json', { qos: 1 });
    await watcher.publishAsync(topic('test', 'rundown'), list('Talk'), { qos: 1 });
    await waitFor('both features got the second rundown', () => a.rundowns.length === 2 && b.rundowns.length === 2);
    assert.equal(runtime.counters.badPayloads, 1, 'one bad payload, counted once for two subscribers');
    assert.deepEqual(a.rundowns.map((r) => r.items[0]?.title), ['Opening', 'Talk'], 'decoded, and nothing from the bad one');
  });

  it('a site filter brings that site only', async () => {
    const state = (role: SiteState['tally']['role']): string => JSON.stringify({ ...runtime.siteState(), tally: { role, link: 'ok', epoch: 1 } } satisfies Partial<SiteState>);
    await watcher.publishAsync(topic('test', 'siteState', 'riviere-du-loup'), state('next'), { qos: 1 });
    await watcher.publishAsync(topic('test', 'siteState', 'rouyn-noranda'), state('on-air'), { qos: 1 });
    await waitFor('the rouyn-noranda state', () => a.states.length > 0);
    assert.deepEqual(a.states, [{ site: 'rouyn-noranda', role: 'on-air' }]);
  });

  it('one message listener for every subscription; features cannot emit; stop takes off what they left', async () => {
    const client = (runtime as unknown as { client: MqttClient }).client;
    assert.equal(client.listenerCount('message'), 1);
    const bus = a.ctx!.bus;
    assert.equal((bus as unknown as { emit?: unknown }).emit, undefined, 'no emit on a feature\'s bus');
    assert.equal((bus as FeatureBus).listenerCount, 1);
    await runtime.stop();
    assert.equal((bus as FeatureBus).listenerCount, 0, 'the listener the feature forgot is gone');
  });
});
