/**
 * The speaker screen in real headless Chromium, against the embedded broker
 * and the dashboard server: the test plays the conductor (retained floor and
 * site state it publishes itself), so the page's clock is the only clock and
 * Playwright controls it. French by default, English on request; countdown,
 * wrap-up, danger and flashing overtime; the operator's message until read;
 * a link refused for another site; the screen after the broker stops.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import type { BrokerUser } from '../../src/broker/acl.js';
import { startDashboardServer, type RunningDashboard } from '../../src/dashboard/server.js';
import type { StageLink } from '../../src/dashboard/web/config.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { encode, publishOptions, topic } from '../../src/protocol/topics.js';
import { freePort } from '../helpers/brokers.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';
import { collectErrors, launchBrowser, type Browser } from './harness.js';

const EVENT = 'demo';
const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const NAMES: Record<string, string> = { 'saint-camille': 'Saint-Camille', 'rouyn-noranda': 'Rouyn-Noranda', 'riviere-du-loup': 'Rivière-du-Loup' };
const USERS: BrokerUser[] = [
  { username: 'regie', password: 'pw-regie', role: 'operator' },
  { username: 'ecran', password: 'pw-ecran', role: 'viewer' },
];
/** The page's clock: the tests pause it here and set the floor's times around it. */
const T0 = Date.parse('2026-06-12T14:05:00-04:00');

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('speaker screen in Chromium (/stage/<site>)', function () {
  this.timeout(30_000);
  let webRoot: string;
  let broker: EmbeddedBroker;
  let dashboard: RunningDashboard;
  let admin: MqttClient;
  let browser: Browser;
  let links: StageLink[];

  const publishFloor = async (over: Partial<Floor>): Promise<void> => {
    const floor: Floor = {
      epoch: 1, onAir: 'riviere-du-loup', next: 'saint-camille', queue: ['saint-camille'], since: new Date(T0 - 10 * 60_000).toISOString(),
      item: { index: 2, title: 'Un fleuve, un traversier, un marché', speaker: 'Julie Pelletier', site: 'riviere-du-loup', plannedMinutes: 15 },
      plannedEnd: new Date(T0 + 5 * 60_000).toISOString(),
      nextItem: { index: 3, title: 'Questions de la salle', speaker: 'Tous les sites', site: 'saint-camille', plannedMinutes: 10 },
      conductor: 'test', updatedAt: new Date(T0).toISOString(), ...over,
    };
    await admin.publishAsync(topic(EVENT, 'floor'), encode('floor', floor), publishOptions('floor'));
  };

  before(async function () {
    this.timeout(60_000);
    webRoot = await mkdtemp(join(tmpdir(), 'relais-stage-web-'));
    const [built, wsPort, tcpPort, httpPort] = await Promise.all([buildWeb({ outdir: webRoot }), freePort(), freePort(), freePort()]);
    assert.ok(built.files.some((f: string) => f.endsWith('stage-main.js')), 'the build has the speaker screen');
    broker = await startEmbeddedBroker({ host: '127.0.0.1', tcpPort, wsPort, users: USERS, anonymousRole: 'admin', log: quietLogger('broker') });
    dashboard = await startDashboardServer({
      port: httpPort, brokerWsUrl: broker.wsUrl!, event: EVENT, webRoot, log: quietLogger('dashboard'), sites: SITES,
      stage: { secret: 'stage-test-secret', login: { username: 'ecran', password: 'pw-ecran' }, wrapUpS: 120, dangerS: 30 },
    });
    admin = await mqtt.connectAsync(broker.url, { connectTimeout: 3000 });
    for (const site of SITES) {
      const state = { version: 'test', name: NAMES[site], tally: { role: 'idle', link: 'ok', epoch: 1 }, lamps: {}, encoder: null, cameras: [], counters: { badPayloads: 0, droppedPresses: 0 }, updatedAt: new Date(T0).toISOString() };
      await admin.publishAsync(topic(EVENT, 'siteState', site), JSON.stringify(state), publishOptions('siteState'));
    }
    await publishFloor({});
    browser = await launchBrowser();
    const reply = await get(new URL('stage-links.json?sites=' + SITES.join(','), dashboard.url).toString(), basic('regie', 'pw-regie'));
    assert.equal(reply.status, 200, reply.body);
    links = JSON.parse(reply.body) as StageLink[];
  });

  after(async () => {
    await browser?.close();
    await admin?.endAsync(true).catch(() => undefined);
    await dashboard?.close();
    await broker?.close().catch(() => undefined);
    await rm(webRoot, { recursive: true, force: true });
  });

  const linkOf = (site: string): string => links.find((l) => l.site === site)!.url;

  const opened: Browser[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  /**
   * A speaker screen in its own browser (Playwright's clock is per context),
   * its clock faked once it is connected (mqtt.js does not connect under a
   * clock installed before the page loads) and paused at T0.
   */
  async function openStage(url: string, lang: 'fr' | 'en' | null = null): Promise<{ page: Page; errors: string[] }> {
    // A venue's tablet is on Quebec time: times of day are checked in it.
    const own = await launchBrowser({ timezoneId: 'America/Toronto' });
    opened.push(own);
    const page = await own.context.newPage();
    const errors = collectErrors(page);
    if (lang) await page.addInitScript((l) => localStorage.setItem('relais.lang', l), lang);
    await page.goto(url);
    await page.locator('body[data-link="up"]').waitFor();
    await page.clock.install({ time: T0 - 1000 });
    await page.clock.pauseAt(T0);
    return { page, errors };
  }

  it('hands out a link with a QR code per site to a login the broker accepts, and nothing to a wrong password', async () => {
    assert.deepEqual(links.map((l) => l.site), SITES);
    for (const link of links) {
      assert.match(link.url, new RegExp(`/stage/${link.site}\\?token=[A-Za-z0-9_-]{22}$`));
      assert.match(link.qr, /^data:image\/png;base64,/);
    }
    assert.equal((await get(new URL('stage-links.json', dashboard.url).toString(), basic('regie', 'wrong'))).status, 401);
    assert.equal((await get(new URL('stage-links.json', dashboard.url).toString())).status, 401);
  });

  it('refuses a link for another site, and a site the event does not have', async () => {
    const token = new URL(linkOf('saint-camille')).searchParams.get('token')!;
    const wrong = new URL(`stage/rouyn-noranda?token=${token}`, dashboard.url).toString();
    assert.equal((await get(new URL(`stage/rouyn-noranda/config.json?token=${token}`, dashboard.url).toString())).status, 403);
    assert.equal((await get(new URL('stage/sherbrooke', dashboard.url).toString())).status, 404);
    const page = await browser.context.newPage();
    await page.goto(wrong);
    await page.locator('#stage-notice').getByText('Accès refusé : ce lien n’ouvre pas l’écran de ce site').waitFor();
    assert.equal(await page.locator('.countdown').count(), 0);
    await page.close();
  });

  it('shows ON AIR, the item, the speaker and the countdown in French, with the accented site name', async () => {
    const { page, errors } = await openStage(linkOf('riviere-du-loup'));
    await publishFloor({ epoch: 2 });
    await page.locator('.stage-role.role-on-air').getByText('EN ONDES').waitFor();
    await page.locator('.stage-site').getByText('Rivière-du-Loup').waitFor();
    await page.locator('.stage-title').getByText('Un fleuve, un traversier, un marché').waitFor();
    await page.locator('.stage-speaker').getByText('Julie Pelletier').waitFor();
    await page.locator('.countdown.phase-normal').getByText('5:00').waitFor();
    await page.locator('.countdown-label').getByText('temps restant').waitFor();
    // The OQLF's 24-hour style: 14 h 10 (with non-breaking spaces).
    assert.equal(await page.locator('.planned-end').innerText(), 'fin prévue 14\u00a0h\u00a010');
    await page.locator('.stage-next').getByText('Ensuite : Questions de la salle · Tous les sites · Saint-Camille').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr-CA');
    // The clock moves with the page's time.
    await page.clock.runFor(2000);
    await page.locator('.countdown').getByText('4:58').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('turns to the wrap-up colour, then danger, then a flashing overtime count', async () => {
    const { page, errors } = await openStage(linkOf('riviere-du-loup'));
    await publishFloor({ epoch: 3, plannedEnd: new Date(T0 + 100_000).toISOString() });
    await page.locator('.countdown.phase-wrap-up').getByText('1:40').waitFor();
    await page.locator('.countdown-label').getByText('Concluez').waitFor();
    await publishFloor({ epoch: 4, plannedEnd: new Date(T0 + 20_000).toISOString() });
    await page.locator('.countdown.phase-danger').getByText('0:20').waitFor();
    assert.equal(await page.evaluate(() => document.body.dataset['phase']), 'danger');
    await publishFloor({ epoch: 5, plannedEnd: new Date(T0 - 65_000).toISOString() });
    await page.locator('.countdown.phase-overtime').getByText('+1:05').waitFor();
    await page.locator('.countdown-label').getByText('DÉPASSEMENT').waitFor();
    const animation = await page.locator('.countdown').evaluate((el) => getComputedStyle(el).animationName);
    assert.equal(animation, 'flash', 'the overtime count flashes');
    await page.clock.runFor(1000);
    await page.locator('.countdown').getByText('+1:06').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('tells the next site it is next and another to wait, and speaks English on request', async () => {
    const { page: next } = await openStage(linkOf('saint-camille'));
    await publishFloor({ epoch: 6 });
    await next.locator('.stage-role.role-next').getByText('VOUS ÊTES LES SUIVANTS').waitFor();
    await next.close();
    const { page: waiting } = await openStage(linkOf('rouyn-noranda'), 'en');
    await waiting.locator('.stage-role.role-wait').getByText('WAIT').waitFor();
    await waiting.locator('.stage-role-sub').getByText('On air: Rivière-du-Loup').waitFor();
    await waiting.locator('.countdown-label').getByText('time left').waitFor();
    assert.equal(await waiting.locator('.planned-end').innerText(), 'planned end 14:10');
    // The switch goes back to French and remembers it.
    await waiting.click('[data-lang-switch]');
    await waiting.locator('.stage-role').getByText('ATTENDEZ').waitFor();
    assert.equal(await waiting.evaluate(() => localStorage.getItem('relais.lang')), 'fr');
    await waiting.close();
  });

  it('shows the operator\'s message until the speaker reads it, and the read reaches the broker', async () => {
    const { page, errors } = await openStage(linkOf('riviere-du-loup'));
    const operator = await mqtt.connectAsync(broker.url, { username: 'regie', password: 'pw-regie', connectTimeout: 3000 });
    const acks: string[] = [];
    admin.on('message', (t, payload) => {
      if (t === topic(EVENT, 'siteMessageAck', 'riviere-du-loup') && payload.length > 0) acks.push(JSON.parse(payload.toString()).id as string);
    });
    await admin.subscribeAsync(topic(EVENT, 'siteMessageAck', 'riviere-du-loup'), { qos: 1 });
    await operator.publishAsync(topic(EVENT, 'siteMessage', 'riviere-du-loup'), encode('siteMessage', { id: 'msg-1', text: 'Concluez, s.v.p.', from: 'regie', at: new Date().toISOString() }), publishOptions('siteMessage'));
    await page.locator('.stage-message').getByText('Concluez, s.v.p.').waitFor();
    await page.click('.stage-ack');
    // mqtt.js sends from a timer: let the paused clock run a little.
    await page.clock.runFor(500);
    await waitFor('the read on site/riviere-du-loup/message/ack', () => acks.includes('msg-1'));
    assert.equal(await page.locator('.stage-message').count(), 0, 'the message left the screen');
    // Another screen opened later does not show it either: the read is retained.
    const { page: later } = await openStage(linkOf('riviere-du-loup'));
    await later.locator('.stage-title').waitFor();
    assert.equal(await later.locator('.stage-message').count(), 0);
    await operator.endAsync(true);
    await admin.publishAsync(topic(EVENT, 'siteMessage', 'riviere-du-loup'), '', { retain: true, qos: 1 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('takes the speaker screen\'s screenshot (RELAIS_UPDATE_SCREENSHOTS=1 writes it into docs/)', async () => {
    const dir = process.env.RELAIS_UPDATE_SCREENSHOTS ? 'docs/screenshots' : await mkdtemp(join(tmpdir(), 'relais-shots-'));
    const { page } = await openStage(linkOf('riviere-du-loup'));
    await page.setViewportSize({ width: 1280, height: 720 });
    await publishFloor({ epoch: 8, plannedEnd: new Date(T0 + 95_000).toISOString() });
    await admin.publishAsync(topic(EVENT, 'siteMessage', 'riviere-du-loup'), encode('siteMessage', { id: 'shot', text: 'Concluez, s.v.p.', at: new Date(T0).toISOString() }), publishOptions('siteMessage'));
    await page.locator('.countdown.phase-wrap-up').getByText('1:35').waitFor();
    await page.locator('.stage-message').getByText('Concluez, s.v.p.').waitFor();
    await page.screenshot({ path: join(dir, 'stage.png') });
    const png = await readFile(join(dir, 'stage.png'));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    await admin.publishAsync(topic(EVENT, 'siteMessage', 'riviere-du-loup'), '', { retain: true, qos: 1 });
    if (!process.env.RELAIS_UPDATE_SCREENSHOTS) await rm(dir, { recursive: true, force: true });
  });

  it('says the link is lost and shows no digits when the broker stops', async () => {
    const { page } = await openStage(linkOf('riviere-du-loup'));
    await publishFloor({ epoch: 9 });
    await page.locator('.countdown.phase-normal').getByText('5:00').waitFor();
    // Time flows again so the page's MQTT client can notice the closed socket.
    await page.clock.resume();
    await broker.close();
    await page.locator('.stage-lost').getByText('LIEN PERDU : l’heure peut être périmée').waitFor();
    assert.equal(await page.locator('.countdown').innerText(), '--:--');
    assert.equal(await page.locator('.countdown.phase-normal').count(), 0, 'no live-looking clock');
    await page.close();
  });
});
