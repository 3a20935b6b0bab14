/**
 * The page's pure parts in Node: the model built from MQTT messages, the
 * fate of sent actions, clocks, and the renderers' escaping.
 */
import assert from 'node:assert/strict';
import { DashboardModel, ENCODER_HISTORY_MS, LOG_LIMIT } from '../../src/dashboard/web/model.js';
import { PendingActions, describeStatus } from '../../src/dashboard/web/pending.js';
import { duration, itemClock } from '../../src/dashboard/web/clock.js';
import { brokerUrlFor } from '../../src/dashboard/web/link.js';
import { renderFloor, tallyRole } from '../../src/dashboard/web/render-floor.js';
import { renderRundown } from '../../src/dashboard/web/render-rundown.js';
import { renderPtz, renderSiteBody, ptzTarget } from '../../src/dashboard/web/render-sites.js';
import type { UiState } from '../../src/dashboard/web/html.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { idleEncoderReport } from '../../src/media/encoder-feature.js';
import { setLang } from '../../src/i18n/index.js';


const T = 'relais/v1/demo/';
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const floor = (over: Partial<Floor> = {}): Floor => ({
  epoch: 3, onAir: 'saint-camille', next: 'rouyn-noranda', queue: ['riviere-du-loup'], since: '2025-05-01T10:00:00.000Z',
  item: { index: 0, title: 'Welcome', speaker: 'H. G.', site: 'saint-camille', plannedMinutes: 5 }, plannedEnd: '2025-05-01T10:05:00.000Z',
  nextItem: null, conductor: 'c1', updatedAt: '2025-05-01T10:00:00.000Z', ...over,
});
const siteState = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: '0.1.0', tally: { role: 'idle', link: 'ok', epoch: 3 }, lamps: {}, encoder: null, cameras: [],
  counters: { badPayloads: 0, droppedPresses: 0 }, updatedAt: '2025-05-01T10:00:00.000Z', ...extra,
});
const ui: UiState = { role: 'operator', canAct: true, connected: true, selected: null, ptzSpeed: 8, ptzTarget: null };

describe('dashboard model', () => {
  // These checks read the English words; French (the default) has its own in francophone.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  it('builds sites, floor and conductor from retained topics', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/saint-camille/availability`, bytes('online'), 1000);
    m.apply(`${T}site/saint-camille/state`, bytes(siteState()), 1100);
    m.apply(`${T}floor`, bytes(floor()), 1200);
    m.apply(`${T}conductor/availability`, bytes('online'), 1300);
    assert.equal(m.site('saint-camille').availability, 'online');
    assert.equal(m.site('saint-camille').lastSeen, 1100);
    assert.equal(m.floor?.onAir, 'saint-camille');
    assert.equal(m.conductor.availability, 'online');
    assert.deepEqual(tallyRole(m.floor, 'riviere-du-loup'), { kind: 'queued', position: 1 });
    assert.equal(m.log.length, 0, 'first sight of an online site is not news');
  });

  it('logs links lost and back, and the conductor going away', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/rouyn-noranda/availability`, bytes('online'), 1);
    m.apply(`${T}site/rouyn-noranda/availability`, bytes('offline'), 2);
    m.apply(`${T}site/rouyn-noranda/availability`, bytes('online'), 3);
    m.apply(`${T}conductor/availability`, bytes('online'), 4);
    m.apply(`${T}conductor/availability`, bytes('offline'), 5);
    assert.deepEqual(m.log.map((e) => e.text), ['conductor is offline: the floor cannot change', 'rouyn-noranda is back online', 'rouyn-noranda lost its link (offline)']);
  });

  it('drops bad payloads with a reason, counts them, and keeps what it had', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}floor`, bytes(floor()), 1);
    assert.equal(m.apply(`${T}floor`, bytes('{nope'), 2).kind, 'bad');
    const wrong = m.apply(`${T}floor`, bytes({ ...floor(), onAir: 'Not A Slug' }), 3);
    assert.deepEqual(wrong.kind === 'bad' && wrong.reason.startsWith('onAir:'), true);
    assert.equal(m.apply(`${T}site/x/availability`, bytes('maybe'), 4).kind, 'bad');
    assert.equal(m.apply(`${T}events`, new Uint8Array(70 * 1024), 5).kind, 'bad');
    assert.equal(m.badPayloads, 4);
    assert.equal(m.floor?.onAir, 'saint-camille');
    assert.match(m.log[0]!.text, /dropped a bad payload on relais\/v1\/demo\/events: payload of 71680 bytes/);
  });

  it('ignores an older floor epoch, except for the retained snapshot after a reconnect', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}floor`, bytes(floor({ epoch: 9 })), 1);
    assert.equal(m.apply(`${T}floor`, bytes(floor({ epoch: 8, onAir: null })), 2).kind, 'ignored');
    assert.equal(m.floor?.epoch, 9);
    m.resubscribed();
    m.apply(`${T}floor`, bytes(floor({ epoch: 1, onAir: null })), 3);
    assert.equal(m.floor?.epoch, 1, 'a fresh event starts again at a low epoch');
  });

  it('keeps the encoder history for the chart bounded to the last minutes', () => {
    const m = new DashboardModel('demo');
    for (let i = 0; i <= 400; i += 1) m.apply(`${T}site/a/state`, bytes(siteState({ encoder: { ...idleEncoderReport('disabled'), state: 'live', fps: 25, bitrateKbps: 2000 + i } })), i * 1000);
    const history = m.site('a').encoderHistory;
    assert.ok(history[0]!.at >= 400_000 - ENCODER_HISTORY_MS);
    assert.equal(history.at(-1)!.kbps, 2400);
  });

  it('refuses a state whose parts are not what the contract says, and keeps the last good one', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/a/state`, bytes(siteState()), 1);
    const out = m.apply(`${T}site/a/state`, bytes(siteState({ encoder: { status: 'live', kbps: 2000 } })), 2);
    assert.equal(out.kind, 'bad');
    assert.equal(m.badPayloads, 1);
    assert.equal(m.site('a').state?.encoder, null, 'the last good state stays');
  });

  it('labels each camera\'s preset buttons from its configured presets, by name', () => {
    const m = new DashboardModel('demo');
    const cam = { name: 'cam1', online: true, lastError: null, position: null, zoom: null, power: 'on', preset: 2, tally: null, presets: [{ number: 1, name: 'wide' }, { number: 2, name: 'podium' }, { number: 9, name: null }] };
    m.apply(`${T}site/a/state`, bytes(siteState({ cameras: [cam] })), 1);
    const html = renderPtz(m, ui, new PendingActions());
    assert.deepEqual([...html.matchAll(/data-preset="(\d+)"[^>]*>([^<]+)</g)].map((x) => `${x[1]}=${x[2]}`), ['1=wide', '2=podium', '9=9']);
    assert.match(html, /data-preset="2"[^>]*aria-pressed="true"/);
  });

  it('turns events into log lines with reasons, bounded', () => {
    const m = new DashboardModel('demo');
    const ev = { kind: 'control', id: 'x', action: 'grant', site: 'a', result: 'rejected', reason: 'a is already on air', duplicate: false, epoch: 2, at: '2025-05-01T10:00:00Z' };
    const out = m.apply(`${T}events`, bytes(ev), 1);
    assert.equal(out.kind, 'event');
    assert.equal(m.log[0]!.text, 'control grant a rejected: a is already on air');
    for (let i = 0; i < LOG_LIMIT + 10; i += 1) m.apply(`${T}events`, bytes({ ...ev, result: 'accepted', reason: null }), i);
    assert.equal(m.log.length, LOG_LIMIT);
  });
});

describe('dashboard actions', () => {
  // These checks read the English words; French (the default) has its own in francophone.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  it('goes sending -> sent -> accepted/rejected by id', () => {
    const p = new PendingActions(5000);
    p.start('a', 'grant:x', 'control grant x', 0, 7);
    assert.equal(p.statusFor('grant:x')?.phase, 'sending');
    p.acknowledged('a');
    assert.equal(p.statusFor('grant:x')?.phase, 'sent');
    assert.equal(p.answered('zzz', true, null), false, 'an id that is not ours');
    p.answered('a', false, 'x is already on air');
    assert.equal(describeStatus(p.statusFor('grant:x')!), 'rejected: x is already on air');
  });

  it('gives up unacknowledged actions when the link closes (never replayed) and times out silent ones', () => {
    const p = new PendingActions(5000);
    p.start('a', 'next', 'control next', 0, 3);
    p.start('b', 'revoke', 'control revoke', 0, 4);
    p.acknowledged('b');
    const dropped = p.linkClosed();
    assert.deepEqual(dropped.map((d) => [d.id, d.messageId]), [['a', 3]]);
    assert.equal(p.get('a')?.phase, 'unconfirmed');
    assert.equal(p.expire(4999).length, 0);
    assert.deepEqual(p.expire(5000).map((s) => s.id), ['b']);
    assert.match(describeStatus(p.get('b')!), /no answer in 5 s/);
  });
});

describe('dashboard clocks and rendering', () => {
  // These checks read the English words; French (the default) has its own in francophone.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  it('formats durations and overtime', () => {
    assert.equal(duration(0), '0:00');
    assert.equal(duration(75_000), '1:15');
    assert.equal(duration(3_723_000), '1:02:03');
    assert.equal(duration(-42_000), '-0:42');
    const c = itemClock('2025-05-01T10:00:00Z', '2025-05-01T10:05:00Z', Date.parse('2025-05-01T10:06:30Z'))!;
    assert.deepEqual(c, { elapsedMs: 390_000, remainingMs: -90_000, overtime: true });
  });

  it('escapes everything that came over MQTT', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}floor`, bytes(floor({ item: { index: 0, title: '<img src=x onerror=alert(1)>', speaker: '"quoted"', site: 'saint-camille', plannedMinutes: 5 } })), 1);
    m.apply(`${T}site/a/state`, bytes(siteState({ name: '<b>x</b>', cameras: [{ name: 'cam', online: true, lastError: '<script>', position: null, zoom: null, power: null, preset: null, tally: null, presets: [] }] })), 1);
    const html = renderRundown(m, ui, new PendingActions()) + renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.ok(!html.includes('<img'), 'no raw tag from a payload');
    assert.ok(!html.includes('<b>x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal(ptzTarget(m, ui)?.camera.name, 'cam');
  });

  it('says when a box\'s lamps and buttons are out because its I/O board dropped, escaped, and nothing when it is fine', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}site/a/state`, bytes(siteState({ io: { driver: 'firmata', ok: true, detail: null } })), 1);
    assert.doesNotMatch(renderSiteBody(m, m.site('a'), ui, new PendingActions()), /lamps and buttons out/);
    m.apply(`${T}site/a/state`, bytes(siteState({ io: { driver: 'firmata', ok: false, detail: 'board on /dev/ttyACM0 <lost>' } })), 2);
    const html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.match(html, /lamps and buttons out<\/strong>: board on \/dev\/ttyACM0 &lt;lost&gt;/);
    // An older box without `io` shows nothing.
    m.apply(`${T}site/a/state`, bytes(siteState()), 3);
    assert.doesNotMatch(renderSiteBody(m, m.site('a'), ui, new PendingActions()), /lamps and buttons out/);
  });

  it('shows what the room display shows, the feeds it can cut to at once and the ones it lost, by site name, French first', () => {
    const m = new DashboardModel('demo');
    const display = (over: Record<string, unknown>) => ({ playing: null, url: null, slate: null, since: '2026-12-02T13:00:00.000Z', ...over });
    m.apply(`${T}site/rouyn-noranda/state`, bytes(siteState({ name: 'Rouyn-Noranda' })), 1);
    m.apply(`${T}site/a/state`, bytes(siteState({ display: display({ playing: 'rouyn-noranda', mode: 'switcher', feeds: ['saint-camille', 'rouyn-noranda'], ready: ['saint-camille', 'rouyn-noranda'], lost: [] }) })), 1);
    let html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.match(html, /room screen: <\/span><span data-display-shows="rouyn-noranda">shows Rouyn-Noranda<\/span>/);
    assert.match(html, /data-display-ready="saint-camille rouyn-noranda">ready to cut to saint-camille, Rouyn-Noranda/);
    assert.doesNotMatch(html, /feed lost/);
    m.apply(`${T}site/a/state`, bytes(siteState({ display: display({ slate: 'nobody-on-air', mode: 'switcher', feeds: ['saint-camille'], ready: [], lost: ['rouyn-noranda'] }) })), 2);
    html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.match(html, /slate \(nobody on air\)/);
    assert.match(html, /warn-text" data-display-ready="">no feed ready/);
    assert.match(html, /data-display-lost="rouyn-noranda">feed lost: Rouyn-Noranda/);
    setLang('fr');
    try {
      html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
      assert.match(html, /écran de la salle\u00a0: <\/span>/);
      assert.match(html, /ardoise \(personne en ondes\)/);
      assert.match(html, /aucun flux prêt/);
      assert.match(html, /flux perdu\u00a0: Rouyn-Noranda/);
    } finally {
      setLang('en');
    }
    // A player-mode display says what it shows and nothing about feeds; a box without a display, nothing.
    m.apply(`${T}site/a/state`, bytes(siteState({ display: display({ playing: 'rouyn-noranda', mode: 'player' }) })), 3);
    html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.match(html, /shows Rouyn-Noranda/);
    assert.doesNotMatch(html, /data-display-ready/);
    m.apply(`${T}site/a/state`, bytes(siteState()), 4);
    assert.doesNotMatch(renderSiteBody(m, m.site('a'), ui, new PendingActions()), /room screen/);
  });

  it('shows the network switcher a site reads tally from, its error escaped, and unknown cameras as such', () => {
    const m = new DashboardModel('demo');
    const tally = (source: Record<string, unknown>, unknown: string[]) => ({ role: 'idle', link: 'ok', epoch: 3, cameras: { cam1: { program: false, preview: false }, cam2: { program: true, preview: false } }, source, sources: [source], unknown });
    m.apply(`${T}site/a/state`, bytes(siteState({ tally: tally({ kind: 'atem', describe: 'atem 10.0.0.9:9910', connected: true, since: '2026-11-25T14:00:00.000Z', error: null }, []) })), 1);
    let html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.match(html, /atem 10\.0\.0\.9:9910: connected/);
    assert.match(html, /cam2 PGM/);
    m.apply(`${T}site/a/state`, bytes(siteState({ tally: tally({ kind: 'atem', describe: 'atem 10.0.0.9:9910', connected: false, since: '2026-11-25T14:01:00.000Z', error: 'tous ses clients sont pris <5>' }, ['cam1', 'cam2']) })), 2);
    html = renderSiteBody(m, m.site('a'), ui, new PendingActions());
    assert.match(html, /warn-text">atem 10\.0\.0\.9:9910: tous ses clients sont pris &lt;5&gt;/);
    assert.match(html, /cam1 tally unknown/);
    assert.doesNotMatch(html, /cam2 PGM/, 'an unknown camera is not shown on program');
  });

  it('shows tally by text and shape, and hides controls from a viewer', () => {
    const m = new DashboardModel('demo');
    m.apply(`${T}floor`, bytes(floor()), 1);
    const operator = renderFloor(m, ui, new PendingActions());
    assert.match(operator, /shape-filled[^]*ON AIR/);
    assert.match(operator, /shape-ring[^]*NEXT/);
    assert.match(operator, /QUEUED #1/);
    assert.match(operator, /data-action="revoke"/);
    const viewer = renderFloor(m, { ...ui, role: 'viewer', canAct: false }, new PendingActions());
    assert.doesNotMatch(viewer, /data-action=/);
  });

  it('points a phone at the broker on the page\'s host instead of loopback', () => {
    assert.equal(brokerUrlFor('ws://127.0.0.1:9001', '192.168.1.20'), 'ws://192.168.1.20:9001');
    assert.equal(brokerUrlFor('ws://127.0.0.1:9001', '127.0.0.1'), 'ws://127.0.0.1:9001');
    assert.equal(brokerUrlFor('wss://broker.example.org/mqtt', 'dash.local'), 'wss://broker.example.org/mqtt');
  });
});
