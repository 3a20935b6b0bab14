/** The SRT link figures on a site card: from the relay's `relay/streams`, else the box's own state. */
import assert from 'node:assert/strict';
import { DashboardModel } from '../../src/dashboard/web/model.js';
import { PendingActions } from '../../src/dashboard/web/pending.js';
import { renderSiteBody } from '../../src/dashboard/web/render-sites.js';
import type { UiState } from '../../src/dashboard/web/html.js';
import type { LinkStats } from '../../src/protocol/schemas.js';

const T = 'relais/v1/demo/';
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const ui: UiState = { role: 'viewer', canAct: false, connected: true, selected: null, ptzSpeed: 8, ptzTarget: null };
const state = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: '0.1.0', tally: { role: 'idle', link: 'ok', epoch: 3 }, lamps: {}, encoder: null, cameras: [],
  counters: { badPayloads: 0, droppedPresses: 0 }, updatedAt: '2025-05-01T10:00:00.000Z', ...extra,
});
const link = (over: Partial<LinkStats> = {}): LinkStats => ({
  role: 'receiver', peer: 'saint-camille', at: '2025-05-01T10:00:00.000Z', rttMs: 81.4, lossPercent: 1.2, retransmitted: 7, dropped: 0,
  sentKbps: 0, receivedKbps: 498.6, bufferMs: 190, latencyMs: 300, bandwidthKbps: 12000, verdict: 'good', why: null, ...over,
});

describe('dashboard: SRT link statistics on the site card', () => {
  it("shows the relay's figures of a site's feed, and says when its picture is unwatchable", () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/saint-camille/state`, bytes(state()), 1000);
    assert.doesNotMatch(renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions()), /SRT RTT/);
    const outcome = m.apply(`${T}relay/streams`, bytes({ at: 'x', streams: [{ site: 'saint-camille', status: 'live', publisher: null, viewers: 1, link: link() }, { site: 'unknown-site', status: 'idle', publisher: null, viewers: 0 }] }), 1100);
    assert.deepEqual(outcome, { kind: 'site' });
    assert.equal(m.sites.has('unknown-site'), false);
    const good = renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions());
    assert.match(good, /data-verdict="good"/);
    assert.match(good, /image à l’heure/);
    assert.match(good, /RTT 81 ms · perte 1\.2 % · 7 renvoyés · 499 kb\/s · tampon 190\/300 ms/);
    m.apply(`${T}relay/streams`, bytes({ at: 'y', streams: [{ site: 'saint-camille', status: 'live', publisher: null, viewers: 1, link: link({ verdict: 'unwatchable', why: '4.0 % of packets came too late to be shown', lossPercent: 11 }) }] }), 1200);
    const bad = renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions());
    assert.match(bad, /<strong>image inregardable<\/strong>: 4\.0 % of packets came too late/);
  });

  it("falls back to the box's own sender statistics, and drops a bad one", () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/rouyn-noranda/state`, bytes(state({ link: link({ role: 'sender', peer: 'relay', sentKbps: 700, receivedKbps: 0, verdict: 'late', why: 'about 450 ms one way' }) })), 1000);
    assert.match(renderSiteBody(m, m.site('rouyn-noranda'), ui, new PendingActions()), /image en retard<\/strong>: about 450 ms one way.*700 kb\/s/s);
    const outcome = m.apply(`${T}relay/streams`, bytes({ at: 'z', streams: [{ site: 'rouyn-noranda', status: 'live', publisher: null, viewers: 0, link: { verdict: 'fine' } }] }), 1100);
    assert.equal(outcome.kind, 'bad');
  });

  it('shows the newest link test of the site, French first, and refuses a malformed one', () => {
    const m = new DashboardModel('demo');
    const linkTest = {
      at: '2025-05-01T14:05:00.000Z', relay: 'relay.example:9999', seconds: 60, rttMs: { min: 80.2, p50: 81.6, p95: 90.1, max: 120 },
      lossPercent: 0.84, throughputKbps: 1990, recommended: { latencyMs: 280, bitrateKbps: 1450 }, notes: [],
    };
    m.apply(`${T}site/rouyn-noranda/state`, bytes(state({ linkTest })), 1000);
    const html = renderSiteBody(m, m.site('rouyn-noranda'), ui, new PendingActions());
    assert.match(html, /data-link-test="rouyn-noranda"/);
    assert.match(html, /Test du lien \(\d{1,2}\u00a0h\u00a005\)/);
    assert.match(html, /RTT 82 ms · perte 0\.8 % · capacité 1990 kb\/s · à régler : latence SRT 280 ms, au plus 1450 kb\/s/);
    const outcome = m.apply(`${T}site/rouyn-noranda/state`, bytes(state({ linkTest: { ...linkTest, lossPercent: 'lots' } })), 1100);
    assert.equal(outcome.kind, 'bad');
    assert.match(renderSiteBody(m, m.site('rouyn-noranda'), ui, new PendingActions()), /latence SRT 280 ms/, 'the good state stays');
  });
});
