/** The topic map: one decoder for every consumer, from bytes or text, in Node and in the page. */
import assert from 'node:assert/strict';
import { decode, matchTopic, routeMessage, topic, topicFilter, topicOf, TOPICS, type TopicName } from '../../src/protocol/topics.js';
import { MAX_PAYLOAD_BYTES } from '../../src/protocol/schemas.js';
import { setLang } from '../../src/i18n/index.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const intent = { id: 'i-1', action: 'request' };

describe('protocol: the topic map', () => {
  it('decodes the same payload from a plain Uint8Array, a Buffer and a string', () => {
    const text = JSON.stringify(intent);
    for (const payload of [utf8(text), Buffer.from(text), text]) {
      const decoded = decode('siteIntent', payload);
      assert.deepEqual(decoded, { ok: true, value: intent });
    }
    assert.deepEqual(decode('siteAvailability', utf8('online')), { ok: true, value: 'online' });
  });

  it('refuses an oversized payload by its bytes, not its characters', () => {
    // 30,000 accented letters are 60,000 bytes: under the limit; 40,000 are 80,000: over it.
    const name = (n: number): string => JSON.stringify({ ...intent, origin: 'é'.repeat(n) });
    assert.match((decode('siteIntent', name(40_000)) as { reason: string }).reason, new RegExp(`au-delà de la limite de ${MAX_PAYLOAD_BYTES} octets`));
    assert.match((decode('siteIntent', utf8(name(40_000))) as { reason: string }).reason, /au-delà de la limite/);
    // Under the byte limit it is read, and refused for what it says (origin is at most 64 characters).
    assert.match((decode('siteIntent', name(30_000)) as { reason: string }).reason, /^origin\s: doit compter au plus 64 caractères$/);
  });

  it('says why a payload is refused, with its id when it had a readable one', () => {
    assert.deepEqual(decode('siteIntent', utf8('{not json')), { ok: false, reason: 'pas du JSON' });
    const bad = decode('ptzCommand', JSON.stringify({ id: 'p-9', camera: 'cam1', op: 'recall', preset: 999 }));
    assert.equal(bad.ok, false);
    assert.equal((bad as { id?: string }).id, 'p-9');
    assert.match((bad as { reason: string }).reason, /^preset\s: doit être au plus 127$/);
    const noId = decode('ptzCommand', JSON.stringify({ id: 42, camera: 'cam1', op: 'stop' }));
    assert.equal((noId as { id?: string }).id, undefined, 'a number is not an id');
  });

  it('says it in English on request, the validator\'s cases too', () => {
    setLang('en');
    try {
      assert.deepEqual(decode('siteIntent', utf8('{not json')), { ok: false, reason: 'not JSON' });
      assert.equal((decode('ptzCommand', JSON.stringify({ id: 'p-9', camera: 'cam1', op: 'recall', preset: 999 })) as { reason: string }).reason, 'preset: must be at most 127');
      assert.equal((decode('siteIntent', JSON.stringify({ id: 'x', action: 'dance' })) as { reason: string }).reason, 'action: must be "request", "release", "pass" or "cancel"');
    } finally {
      setLang('fr');
    }
  });

  it('every topic name makes a topic that matches back to that name and site', () => {
    for (const name of Object.keys(TOPICS) as TopicName[]) {
      const concrete = topicOf('demo', name, 'rouyn-noranda');
      const match = matchTopic('demo', concrete);
      assert.deepEqual(match, { name, site: TOPICS[name].pattern.includes('{site}') ? 'rouyn-noranda' : null }, concrete);
      assert.equal(matchTopic('other', concrete), null, 'another event is not ours');
    }
    assert.equal(matchTopic('demo', 'relais/v1/demo/site//state'), null, 'an empty site is no site');
    assert.equal(matchTopic('demo', 'relais/v1/demo/site/a/b/state'), null, 'a site has no slash');
    assert.equal(topicFilter('demo', 'ptzResult'), 'relais/v1/demo/site/+/ptz/result');
  });

  it('routes to the handler of the topic, decoded; a bad payload reaches only onBad, with its topic and reason', () => {
    const seen: string[] = [];
    const handlers = { siteIntent: (v: { id: string }, site: string | null) => seen.push(`intent ${site} ${v.id}`) };
    const onBad = (t: string, reason: string, name: TopicName, site: string | null, id?: string): void => void seen.push(`bad ${name} ${site} ${id ?? '-'} ${reason}`);
    routeMessage('demo', topic('demo', 'siteIntent', 'a'), utf8(JSON.stringify(intent)), handlers, onBad);
    routeMessage('demo', topic('demo', 'siteIntent', 'a'), utf8(JSON.stringify({ id: 'x', action: 'dance' })), handlers, onBad);
    routeMessage('demo', topic('demo', 'floor'), utf8('not even json'), handlers, onBad);
    assert.deepEqual(seen, ['intent a i-1', 'bad siteIntent a x action\u00a0: doit être «\u00a0request\u00a0», «\u00a0release\u00a0», «\u00a0pass\u00a0» ou «\u00a0cancel\u00a0»']);
  });
});
