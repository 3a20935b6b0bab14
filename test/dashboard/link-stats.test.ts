/** The SRT link figures on a site card: from the relay's `relay/streams`, else the box's own state. */
import assert from 'node:assert/strict';
import { DashboardModel } from '../../src/dashboard/web/model.js';
import { PendingActions } from '../../src/dashboard/web/pending.js';
import { renderSiteBody } from '../../src/dashboard/web/render-sites.js';
import type { UiState } from '../../src/dashboard/web/html.js';
import type { LinkStats } from '../../src/protocol/schemas.js';
import { setLang } from '../../src/i18n/index.js';

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
    assert.match(good, /<strong>image à l’heure<\/strong>/);
    assert.match(good, /RTT 81 ms · perte 1,2 % · 7 renvoyés · 499 kb\/s · tampon 190\/300 ms/);
    assert.doesNotMatch(good, /picture|loss|resent|buffer/);
    m.apply(`${T}relay/streams`, bytes({ at: 'y', streams: [{ site: 'saint-camille', status: 'live', publisher: null, viewers: 1, link: link({ verdict: 'unwatchable', why: '4.0 % of packets came too late to be shown', whyCode: 'too-late-share', whyParams: { percent: 4 }, lossPercent: 11 }) }] }), 1200);
    const bad = renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions());
    assert.match(bad, /<strong>image inregardable<\/strong>\u00a0: 4,0 % des paquets sont arrivés trop tard pour être affichés/);
    setLang('en');
    try {
      const english = renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions());
      assert.match(english, /<strong>picture unwatchable<\/strong>: 4\.0 % of packets came too late to be shown/);
      assert.match(english, /RTT 81 ms · loss 11\.0 % · 7 resent · 499 kb\/s · buffer 190\/300 ms/);
    } finally {
      setLang('fr');
    }
  });

  it("falls back to the box's own sender statistics, and drops a bad one", () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/rouyn-noranda/state`, bytes(state({ link: link({ role: 'sender', peer: 'relay', sentKbps: 700, receivedKbps: 0, verdict: 'late', why: 'about 450 ms one way' }) })), 1000);
    assert.match(renderSiteBody(m, m.site('rouyn-noranda'), ui, new PendingActions()), /image en retard<\/strong>\u00a0: about 450 ms one way.*700 kb\/s/s, 'a box that sends no code: its English words');
    const outcome = m.apply(`${T}relay/streams`, bytes({ at: 'z', streams: [{ site: 'rouyn-noranda', status: 'live', publisher: null, viewers: 0, link: { verdict: 'fine' } }] }), 1100);
    assert.equal(outcome.kind, 'bad');
  });

  it('shows each display a box serves directly, by its name with its accents, and a bad one as bad', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/riviere-du-loup/state`, bytes(state({ name: 'Rivière-du-Loup' })), 900);
    m.apply(`${T}site/rouyn-noranda/state`, bytes(state({ name: 'Rouyn-Noranda' })), 900);
    const direct = [
      link({ role: 'sender', peer: 'riviere-du-loup', sentKbps: 2580, receivedKbps: 0 }),
      link({ role: 'sender', peer: 'rouyn-noranda', sentKbps: 2610, receivedKbps: 0, lossPercent: 11, verdict: 'unwatchable' }),
    ];
    m.apply(`${T}site/saint-camille/state`, bytes(state({ name: 'Saint-Camille', directLinks: direct })), 1000);
    const html = renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions());
    assert.match(html, /data-direct="riviere-du-loup" data-verdict="good"><span>direct vers Rivière-du-Loup\u00a0:<\/span> <span class="ok-text"><strong>image à l’heure<\/strong><\/span> <span class="small">SRT RTT 81 ms · perte 1,2 % · 7 renvoyés · 2580 kb\/s/);
    assert.match(html, /data-direct="rouyn-noranda" data-verdict="unwatchable"><span>direct vers Rouyn-Noranda\u00a0:<\/span> <span class="warn-text"><strong>image inregardable/);
    const outcome = m.apply(`${T}site/saint-camille/state`, bytes(state({ name: 'Saint-Camille', directLinks: [{ peer: 'x' }] })), 1100);
    assert.equal(outcome.kind, 'bad', 'a malformed direct link refuses the state');
    assert.match(renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions()), /direct vers Rivière-du-Loup/, 'the last good state stays on the card');
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
    assert.match(html, /RTT 82 ms · perte 0,8 % · capacité 1990 kb\/s · à régler : latence SRT 280 ms, au plus 1450 kb\/s/);
    const outcome = m.apply(`${T}site/rouyn-noranda/state`, bytes(state({ linkTest: { ...linkTest, lossPercent: 'lots' } })), 1100);
    assert.equal(outcome.kind, 'bad');
    assert.match(renderSiteBody(m, m.site('rouyn-noranda'), ui, new PendingActions()), /latence SRT 280 ms/, 'the good state stays');
  });
});

describe('dashboard: a box that is not alone on its site id, and an encoder that fell back', () => {
  const takenOver = { count: 4, since: '2025-05-01T09:59:00.000Z', evidence: 'pattern', yielding: true, backoffMs: 30_000 };
  const system = { temperatureC: 51, load1: 0.4, cpus: 4, rssMb: 80, uptimeS: 3600 };

  it('says on the card, in French, that two boxes use the site, and how to fix it', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/saint-camille/state`, bytes(state({ system })), 1000);
    assert.doesNotMatch(renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions()), /data-taken-over/);
    m.apply(`${T}site/saint-camille/state`, bytes(state({ system: { ...system, takenOver } })), 1100);
    const card = renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions());
    assert.match(card, /data-taken-over="4"/);
    assert.match(card, /deux boîtiers utilisent le site « saint-camille »/);
    assert.match(card, /donnez à chaque boîtier son propre site/);
  });

  it('names the failed encoder and the one that carries the feed now', () => {
    const m = new DashboardModel('demo');
    const encoder = { state: 'live', encoder: 'libx264', fps: 25, bitrateKbps: 2000, speed: 1, frames: 10, dropFrames: 0, dupFrames: 0, restarts: 0, liveSince: null, lastExit: null, choice: 'fallback', error: null,
      fallback: { from: 'h264_vaapi', to: 'libx264', reason: 'No VA display found for device /dev/dri/renderD128', at: '2025-05-01T10:00:00.000Z' } };
    m.apply(`${T}site/saint-camille/state`, bytes(state({ encoder })), 1000);
    assert.match(renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions()), /encodeur h264_vaapi en panne, remplacé par libx264.*No VA display found/);
  });
});
