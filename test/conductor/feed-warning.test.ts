/**
 * The floor knowing the media: a grant to a site whose feed the relay reports
 * down is applied and answered, then followed by a warning on `events` with
 * the same id; a grant to a site with a good feed gets none (checked against
 * a later marker). Pure cases first, then a real conductor on the embedded broker.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { feedTrouble, feedWarning } from '../../src/conductor/answers.js';
import { reasonMessage } from '../../src/protocol/reasons.js';
import { Conductor } from '../../src/conductor/conductor.js';
import type { EventResult, LinkStats, RelayStreams } from '../../src/protocol/schemas.js';
import { decode, topic, topicFilter } from '../../src/protocol/topics.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { conductorMarker } from '../helpers/control.js';
import { conductorConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

const link = (verdict: LinkStats['verdict'], why: string | null, cause: Pick<LinkStats, 'whyCode' | 'whyParams'> = {}): LinkStats => ({
  role: 'receiver', peer: 'x', at: 'now', rttMs: 80, lossPercent: 10, retransmitted: 40, dropped: 30, sentKbps: 0, receivedKbps: 100,
  bufferMs: 0, latencyMs: 240, bandwidthKbps: 1000, verdict, why, ...cause,
});
const streams: RelayStreams = {
  at: 'now',
  streams: [
    { site: 'saint-camille', status: 'live', publisher: null, viewers: 2, link: link('good', null) },
    { site: 'rouyn-noranda', status: 'live', publisher: null, viewers: 2, link: link('unwatchable', '9.0 % of packets came too late to be shown', { whyCode: 'too-late-share', whyParams: { percent: 9 } }) },
  ],
};
const answer = (action: string, over: Partial<EventResult> = {}): EventResult => ({ kind: 'control', id: 'c1', action, site: 'rouyn-noranda', result: 'accepted', reason: null, duplicate: false, epoch: 4, at: 'now', ...over });

describe('feed warnings (pure)', () => {
  it('names what is wrong with the feed of the site put on air, from the relay', () => {
    assert.equal(feedTrouble(streams, 'saint-camille'), null);
    assert.deepEqual(feedTrouble(streams, 'riviere-du-loup'), { code: 'feed-missing', params: { site: 'riviere-du-loup' } });
    const bad = feedTrouble(streams, 'rouyn-noranda');
    assert.equal(bad?.code, 'feed-bad');
    assert.match(bad ? reasonMessage(bad) : '', /unwatchable at the relay \(9\.0 % of packets/);
    assert.deepEqual(bad?.params, { site: 'rouyn-noranda', verdict: 'unwatchable', why: '9.0 % of packets came too late to be shown', whyCode: 'too-late-share', percent: 9 });
    assert.equal(feedTrouble(null, 'riviere-du-loup'), null, 'no relay on the broker: nothing to say');
  });

  it('warns after an accepted grant, next or pass only, with the same id', () => {
    const warning = feedWarning(answer('grant'), 'rouyn-noranda', streams);
    assert.equal(warning?.result, 'info');
    assert.equal(warning?.id, 'c1');
    assert.match(warning?.reason ?? '', /^warning: rouyn-noranda is on air but its feed is unwatchable/);
    assert.ok(feedWarning(answer('pass', { kind: 'intent' }), 'rouyn-noranda', streams));
    assert.equal(feedWarning(answer('grant', { result: 'rejected' }), 'rouyn-noranda', streams), null);
    assert.equal(feedWarning(answer('grant', { duplicate: true }), 'rouyn-noranda', streams), null);
    assert.equal(feedWarning(answer('reorder'), 'rouyn-noranda', streams), null);
    assert.equal(feedWarning(answer('grant'), 'saint-camille', streams), null);
  });
});

describe('feed warnings from a running conductor (embedded broker)', function () {
  this.timeout(20_000);
  let broker: TestBroker;
  let conductor: Conductor;
  let dir: string;
  let client: mqtt.MqttClient;

  before(async () => {
    broker = await startTestBroker('aedes');
    dir = await mkdtemp(join(tmpdir(), 'relais-feed-warning-'));
    conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json')), log: quietLogger('conductor') });
    await conductor.start();
    client = await mqtt.connectAsync(broker.url, { clientId: 'feed-warning-test' });
    await client.subscribeAsync(topicFilter('test', 'events'), { qos: 1 });
  });

  after(async () => {
    await client?.endAsync();
    await conductor?.stop();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a grant to the site with an unwatchable feed and warns; a grant to a good one gets no warning', async () => {
    const events: EventResult[] = [];
    client.on('message', (_t, payload) => {
      const d = decode('events', payload);
      if (d.ok) events.push(d.value);
    });
    await client.publishAsync(topic('test', 'relayStreams'), JSON.stringify(streams), { qos: 1, retain: true });
    // The conductor has the stream list once a marker sent after it is answered.
    await conductorMarker(client, 'test');
    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'g-bad', action: 'grant', site: 'rouyn-noranda' }), { qos: 1 });
    await waitFor('the answer and the warning', () => events.filter((e) => e.id === 'g-bad').length === 2);
    const [accepted, warning] = events.filter((e) => e.id === 'g-bad');
    assert.equal(accepted?.result, 'accepted');
    assert.equal(conductor.floor().onAir, 'rouyn-noranda');
    assert.equal(warning?.result, 'info');
    assert.match(warning?.reason ?? '', /rouyn-noranda is on air but its feed is unwatchable at the relay/);

    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id: 'g-good', action: 'grant', site: 'saint-camille' }), { qos: 1 });
    await conductorMarker(client, 'test');
    assert.deepEqual(events.filter((e) => e.id === 'g-good').map((e) => e.result), ['accepted']);
  });
});
