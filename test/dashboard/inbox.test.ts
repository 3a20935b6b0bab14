/**
 * Technicians' messages to the operator on the page's model: validated by the
 * protocol, one per site shown with the site's accented name, marked read by
 * the operator's ack, and rate-limited per site on a stepped clock.
 */
import assert from 'node:assert/strict';
import { DashboardModel } from '../../src/dashboard/web/model.js';
import { PendingActions } from '../../src/dashboard/web/pending.js';
import { renderInbox } from '../../src/dashboard/web/render-inbox.js';
import type { UiState } from '../../src/dashboard/web/html.js';
import { OPERATOR_MESSAGE_RATE, RateLimit } from '../../src/protocol/rate-limit.js';

const T = 'relais/v1/demo/';
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const ui: UiState = { role: 'operator', canAct: true, connected: true, selected: null, ptzSpeed: 8, ptzTarget: null };
const state = { version: '0.1.0', name: 'Rivière-du-Loup', tally: { role: 'idle', link: 'ok', epoch: 3 }, lamps: {}, encoder: null, cameras: [], counters: { badPayloads: 0, droppedPresses: 0 }, updatedAt: '2025-05-01T10:00:00.000Z' };
const message = (id: string, text = 'Le micro 2 ne marche plus'): Record<string, unknown> => ({ id, text, from: 'riviere-du-loup', at: '2025-05-01T14:05:00.000Z' });
const INBOX = `${T}site/riviere-du-loup/message/operator`;

describe('dashboard: messages from the sites to the operator', () => {
  it('rate limit: a burst, then one per period, on a stepped clock; keys apart; bad options refused', () => {
    const limit = new RateLimit({ burst: 2, refillMs: 10_000 });
    assert.deepEqual([limit.take('a', 0), limit.take('a', 1)], [{ ok: true }, { ok: true }]);
    assert.deepEqual(limit.take('a', 2_000), { ok: false, retryInMs: 8_000 });
    assert.deepEqual(limit.take('b', 2_000), { ok: true }, 'another site has its own bucket');
    assert.deepEqual(limit.take('a', 9_999), { ok: false, retryInMs: 1 });
    assert.deepEqual(limit.take('a', 10_000), { ok: true });
    assert.deepEqual(limit.take('a', 10_001), { ok: false, retryInMs: 9_999 });
    assert.deepEqual([limit.take('a', 60_000), limit.take('a', 60_001), limit.take('a', 60_002).ok], [{ ok: true }, { ok: true }, false], 'a long pause refills only up to the burst');
    assert.throws(() => new RateLimit({ burst: 0, refillMs: 1000 }), /burst must be at least 1/);
  });

  it('shows the message with the site\'s accented name, unread until the operator\'s ack; a cleared topic removes it', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/riviere-du-loup/state`, bytes(state), 1);
    assert.deepEqual(m.apply(INBOX, bytes(message('t1')), 1000), { kind: 'message' });
    assert.equal(m.unreadInbox('riviere-du-loup')?.text, 'Le micro 2 ne marche plus');
    assert.match(m.log[0]!.text, /^message de Rivière-du-Loup au régisseur : « Le micro 2 ne marche plus »$/);
    let html = renderInbox(m, ui, new PendingActions());
    assert.match(html, /Messages des sites/);
    assert.match(html, /<strong>Rivière-du-Loup<\/strong> <span class="message-text">«\u00a0Le micro 2 ne marche plus\u00a0»<\/span>/);
    assert.match(html, /data-action="inbox-ack" data-site="riviere-du-loup"/);
    assert.doesNotMatch(renderInbox(m, { ...ui, role: 'viewer' }, new PendingActions()), /inbox-ack/, 'a viewer sees it but cannot mark it read');
    m.apply(`${T}site/riviere-du-loup/message/operator/ack`, bytes({ id: 't1', at: '2025-05-01T14:06:00.000Z' }), 2000);
    assert.equal(m.unreadInbox('riviere-du-loup'), null);
    html = renderInbox(m, ui, new PendingActions());
    assert.doesNotMatch(html, /inbox-ack/);
    assert.match(html, /inbox-row read/);
    m.apply(INBOX, new Uint8Array(0), 3000);
    assert.equal(m.inbox.size, 0);
  });

  it('refuses a bad payload (counted, nothing changed) and rate-limits a flood per site; the retained copy again does not count', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/riviere-du-loup/state`, bytes(state), 0);
    assert.equal(m.apply(INBOX, bytes({ id: 'x', text: '', at: 'now' }), 10).kind, 'bad');
    assert.equal(m.apply(INBOX, bytes({ ...message('x'), text: 'x'.repeat(281) }), 10).kind, 'bad');
    assert.equal(m.badPayloads, 2);
    assert.equal(m.inbox.size, 0);
    const { burst, refillMs } = OPERATOR_MESSAGE_RATE;
    for (let i = 0; i < burst; i += 1) assert.equal(m.apply(INBOX, bytes(message(`m${i}`, `n° ${i}`)), 1000 + i).kind, 'message');
    // The broker hands the retained copy again after a reconnect: same id, not a new message.
    assert.equal(m.apply(INBOX, bytes(message(`m${burst - 1}`, `n° ${burst - 1}`)), 1500).kind, 'message');
    assert.equal(m.apply(INBOX, bytes(message('flood', 'encore')), 2000).kind, 'ignored');
    assert.equal(m.inbox.get('riviere-du-loup')?.text, `n° ${burst - 1}`, 'the last accepted message stays');
    assert.equal(m.inboxThrottled.get('riviere-du-loup'), 1);
    assert.match(m.log[0]!.text, /^trop de messages de Rivière-du-Loup : celui-ci est ignoré \(le prochain dans \d+ s\)$/);
    assert.match(renderInbox(m, ui, new PendingActions()), /1 message\(s\) ignoré\(s\) : trop rapprochés/);
    assert.equal(m.apply(INBOX, bytes(message('later', 'plus tard')), 1000 + refillMs).kind, 'message', 'one more once the period has passed');
    assert.equal(m.inbox.get('riviere-du-loup')?.text, 'plus tard');
  });
});
