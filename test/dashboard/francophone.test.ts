/**
 * The page's pure parts in French (the default), and the operator-safety
 * fixes: two presses for Revoke and Next, NEXT named the same in the queue
 * and on the card, red PGM only on air, the PTZ choice kept, a stale floor
 * said so, and the speaker screen's countdown phases.
 */
import assert from 'node:assert/strict';
import { ConfirmGate, CONFIRM_WINDOW_MS } from '../../src/dashboard/web/confirm.js';
import type { UiState } from '../../src/dashboard/web/html.js';
import { DashboardModel } from '../../src/dashboard/web/model.js';
import { PendingActions } from '../../src/dashboard/web/pending.js';
import { renderFloor, tallyRole } from '../../src/dashboard/web/render-floor.js';
import { renderRundown } from '../../src/dashboard/web/render-rundown.js';
import { renderPtz, renderSiteBody } from '../../src/dashboard/web/render-sites.js';
import { countdownPhase, stageView } from '../../src/dashboard/web/stage-view.js';
import { currentLang, setLang } from '../../src/i18n/index.js';
import type { Floor } from '../../src/protocol/schemas.js';

const T = 'relais/v1/demo/';
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const camera = (name: string): Record<string, unknown> => ({ name, online: true, lastError: null, position: null, zoom: null, power: 'on', preset: null, tally: null, presets: [] });
const state = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: '0.1.0', name, tally: { role: 'idle', link: 'ok', epoch: 3 }, lamps: {}, encoder: null, cameras: [], counters: { badPayloads: 0, droppedPresses: 0 }, updatedAt: '2025-05-01T10:00:00.000Z', ...extra,
});
const floor = (over: Partial<Floor> = {}): Floor => ({
  epoch: 3, onAir: 'saint-camille', next: 'riviere-du-loup', queue: ['rouyn-noranda', 'riviere-du-loup'], since: '2025-05-01T14:00:00.000Z',
  item: { index: 0, title: 'Mot de bienvenue', speaker: 'Hélène Gagnon', site: 'saint-camille', plannedMinutes: 5 }, plannedEnd: '2025-05-01T14:05:00.000Z',
  nextItem: { index: 1, title: 'Un fleuve', speaker: 'Julie Pelletier', site: 'riviere-du-loup', plannedMinutes: 15 }, conductor: 'c1', updatedAt: '2025-05-01T14:00:00.000Z', ...over,
});
const ui: UiState = { role: 'operator', canAct: true, connected: true, selected: null, ptzSpeed: 8, ptzTarget: null, armed: null };

function model(): DashboardModel {
  const m = new DashboardModel('demo');
  m.apply(`${T}site/saint-camille/state`, bytes(state('Saint-Camille', { tally: { role: 'on-air', link: 'ok', epoch: 3, cameras: { cam1: { program: true, preview: false } } }, cameras: [camera('cam1')] })), 1);
  m.apply(`${T}site/rouyn-noranda/state`, bytes(state('Rouyn-Noranda', { tally: { role: 'queued', link: 'ok', epoch: 3, cameras: { cam1: { program: true, preview: false } } }, cameras: [camera('cam1'), camera('cam2')] })), 1);
  m.apply(`${T}site/riviere-du-loup/state`, bytes(state('Rivière-du-Loup')), 1);
  m.apply(`${T}floor`, bytes(floor()), 2);
  return m;
}

describe('dashboard in French, and the operator made safe', () => {
  before(() => setLang('fr'));

  it('speaks French by default, with the sites\' accented names instead of their slugs', () => {
    assert.equal(currentLang(), 'fr');
    const m = model();
    const html = renderFloor(m, ui, new PendingActions()) + renderRundown(m, ui, new PendingActions());
    assert.match(html, /EN ONDES/);
    assert.match(html, /SUIVANT/);
    assert.match(html, /Rivière-du-Loup/);
    assert.match(html, /Retirer <kbd>R<\/kbd>/);
    assert.match(html, /Point suivant :/);
    assert.doesNotMatch(html, />riviere-du-loup</, 'no slug shown as a name');
  });

  it('Revoke and Next need a second press within the window; a stray one only arms', () => {
    const gate = new ConfirmGate();
    assert.equal(gate.press('revoke', 1000), false, 'the first press arms');
    assert.equal(gate.armedAction(1000), 'revoke');
    assert.equal(gate.press('revoke', 1500), true, 'the second confirms');
    assert.equal(gate.armedAction(1500), null);
    assert.equal(gate.press('revoke', 2000), false);
    assert.equal(gate.press('revoke', 2000 + CONFIRM_WINDOW_MS), false, 'too late: arms again instead');
    assert.equal(gate.press('next', 2000 + CONFIRM_WINDOW_MS + 10), false, 'another control does not confirm it');
    gate.cancel();
    assert.equal(gate.armedAction(0), null);
    const armed = renderFloor(model(), { ...ui, armed: 'revoke' }, new PendingActions());
    assert.match(armed, /data-action="revoke"[^>]*data-armed="true"[^>]*>Retirer la parole à Saint-Camille\? Appuyez encore pour confirmer/);
  });

  it('under nextPolicy rundown the queue names NEXT the site the card names NEXT, and says why it is not #1', () => {
    const m = model();
    const html = renderFloor(m, ui, new PendingActions());
    const row = /data-queue-site="riviere-du-loup">([^]*?)<\/li>/.exec(html)![1]!;
    assert.match(row, /tally-next/, 'the queue row of the next site says NEXT');
    assert.doesNotMatch(row, /EN FILE n° 2/);
    assert.match(html, /suivant selon le déroulement/);
    assert.deepEqual(tallyRole(m.floor, 'riviere-du-loup'), { kind: 'next' });
    assert.match(renderSiteBody(m, m.site('riviere-du-loup'), ui, new PendingActions()), /tally-next/);
    // When the queue's first is next, nothing to explain.
    m.apply(`${T}floor`, bytes(floor({ epoch: 4, next: 'rouyn-noranda' })), 3);
    assert.doesNotMatch(renderFloor(m, ui, new PendingActions()), /why-next/);
  });

  it('shows a red PGM chip only on the site on air; elsewhere the program camera is green, as its lamp', () => {
    const m = model();
    assert.match(renderSiteBody(m, m.site('saint-camille'), ui, new PendingActions()), /cam cam-pgm/);
    const queued = renderSiteBody(m, m.site('rouyn-noranda'), ui, new PendingActions());
    assert.doesNotMatch(queued, /cam-pgm/);
    assert.match(queued, /cam cam-pvw[^>]*>.*cam1 PGM/);
  });

  it('keeps the PTZ camera the operator chose selected in the list, the one the jog pad drives', () => {
    const m = model();
    const html = renderPtz(m, { ...ui, ptzTarget: 'rouyn-noranda/cam2' }, new PendingActions());
    const selected = [...html.matchAll(/<option value="([^"]+)"( selected)?/g)].filter((o) => o[2]).map((o) => o[1]);
    assert.deepEqual(selected, ['rouyn-noranda/cam2']);
    assert.match(html, /data-ptz-site="rouyn-noranda" data-ptz-camera="cam2"/);
  });

  it('marks the ON AIR card stale when the page has lost the broker', () => {
    const down = renderFloor(model(), { ...ui, connected: false, canAct: false }, new PendingActions());
    assert.match(down, /onair-cell live stale/);
    assert.match(down, /périmé : lien perdu/);
    assert.doesNotMatch(renderFloor(model(), ui, new PendingActions()), /stale/);
  });

  it('gives the speaker screen its phase at the thresholds, and stale when the conductor falls silent', () => {
    const th = { wrapUpS: 120, dangerS: 30 };
    assert.equal(countdownPhase(120_001, th), 'normal');
    assert.equal(countdownPhase(120_000, th), 'wrap-up');
    assert.equal(countdownPhase(30_000, th), 'danger');
    assert.equal(countdownPhase(0, th), 'danger');
    assert.equal(countdownPhase(-1, th), 'overtime');
    const m = model();
    const now = Date.parse('2025-05-01T14:04:00.000Z');
    const view = stageView(m, 'saint-camille', th, now, true);
    assert.equal(view.role, 'on-air');
    assert.equal(view.remainingMs, 60_000);
    assert.equal(view.phase, 'wrap-up');
    assert.equal(view.siteName, 'Saint-Camille');
    assert.equal(stageView(m, 'riviere-du-loup', th, now, true).role, 'next');
    assert.equal(stageView(m, 'rouyn-noranda', th, now, true).role, 'queued');
    assert.equal(stageView(m, 'saint-camille', th, now, false).stale, true, 'link down');
    m.apply(`${T}conductor/heartbeat`, bytes({ conductor: 'c1', epoch: 3, at: '2025-05-01T14:04:00.000Z', role: 'primary' }), now);
    assert.equal(stageView(m, 'saint-camille', th, now + 5000, true).stale, false);
    assert.equal(stageView(m, 'saint-camille', th, now + 11_000, true).stale, true, 'conductor silent');
  });

  it('shows a message until its read arrives, and forgets it when cleared', () => {
    const m = model();
    m.apply(`${T}site/saint-camille/message`, bytes({ id: 'm1', text: 'Concluez, s.v.p.', at: '2025-05-01T14:03:00.000Z' }), 5);
    assert.equal(m.unreadMessage('saint-camille')?.text, 'Concluez, s.v.p.');
    assert.equal(m.apply(`${T}site/saint-camille/message`, bytes({ id: 'm2', text: '   ', at: 'x' }), 6).kind, 'bad', 'an empty text is refused');
    m.apply(`${T}site/saint-camille/message/ack`, bytes({ id: 'm1', at: '2025-05-01T14:03:10.000Z' }), 7);
    assert.equal(m.unreadMessage('saint-camille'), null);
    assert.match(m.log[0]!.text, /Saint-Camille a pris connaissance du message/);
    m.apply(`${T}site/saint-camille/message`, new Uint8Array(), 8);
    assert.equal(m.messages.has('saint-camille'), false);
  });
});
