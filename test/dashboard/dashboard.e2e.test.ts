/**
 * The dashboard in real headless Chromium against the in-process demo: the
 * page shows what is on MQTT, its clicks become controls the conductor
 * applies, the broker's ACL stops a viewer, and a reload rebuilds everything.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';
import { collectErrors, dashboardSuite, login, type Browser, type DemoWithDashboard } from './harness.js';

const NAMES: Record<string, string> = { 'saint-camille': 'Saint-Camille', 'rouyn-noranda': 'Rouyn-Noranda', 'riviere-du-loup': 'Rivière-du-Loup' };

describe('dashboard in Chromium (demo in-process)', function () {
  this.timeout(30_000);
  const suite = dashboardSuite();
  let env: DemoWithDashboard;
  let browser: Browser;
  let page: Page;
  before(() => ({ env, browser, page } = suite));

  it('shows the three demo sites online, with their encoder, cameras and box health', async () => {
    await page.locator('article.site[data-availability="online"]').nth(2).waitFor();
    assert.equal(await page.locator('article.site').count(), 3);
    await page.getByText('3/3 sites en ligne').waitFor();
    const card = page.locator('article.site[data-site="saint-camille"]');
    await card.getByText('encodeur live').waitFor();
    await card.getByText('cam1 PGM').waitFor();
    await card.locator('.sys').getByText('charge').waitFor();
    // Display names with their accents, from the boxes' state; the slug stays the id.
    await page.locator('article.site[data-site="riviere-du-loup"] .select').getByText('Rivière-du-Loup').waitFor();
    // No relay in this demo: the preview says so instead of a black box.
    assert.match(await card.locator('.feed-label').innerText(), /pas de flux/);
  });

  it('a grant click changes the floor on MQTT and on the page, with the result beside the button', async () => {
    const before = env.floor()!.epoch;
    await page.click('article.site[data-site="rouyn-noranda"] [data-action="grant"]');
    await waitFor('rouyn-noranda on air on MQTT', () => env.floor()?.onAir === 'rouyn-noranda');
    assert.ok(env.floor()!.epoch > before, 'the epoch grew');
    await page.locator('article.site[data-site="rouyn-noranda"] .tally-onair').getByText('EN ONDES').waitFor();
    await page.locator('#floor .onair-cell .big-name').getByText('Rouyn-Noranda').waitFor();
    await page.locator('output[data-result="grant:rouyn-noranda"]').getByText('accepté').waitFor();
    const control = env.events.find((e) => e['kind'] === 'control' && e['action'] === 'grant' && e['site'] === 'rouyn-noranda');
    assert.ok(control, 'the conductor answered the control on events');
    assert.match(String(control['id']), /^dash-grant-/);
    await page.locator('#log').getByText('commande donner la parole Rouyn-Noranda acceptée').waitFor();
  });

  it('shows a rejection with its reason next to the control', async () => {
    // Granting the site already on air is refused by the floor rules.
    const id = await page.evaluate(() => window.relaisDashboard!.sendControl({ action: 'grant', site: 'rouyn-noranda' }));
    await page.locator(`output[data-action-id="${id}"]`).getByText('refusé : Rouyn-Noranda est déjà en ondes').waitFor();
    await page.locator('#log .log-bad').getByText('refusée').first().waitFor();
  });

  it('reorders the queue with the keyboard buttons and by drag and drop', async () => {
    for (const site of ['saint-camille', 'riviere-du-loup']) env.demo.boxes.get(site)!.driver.input('podium').press();
    await waitFor('two sites queued', () => env.floor()?.queue.length === 2, 5000);
    const [first, second] = env.floor()!.queue as [string, string];
    await page.locator(`#floor [data-queue-site="${second}"]`).waitFor();
    await page.locator(`#floor [data-action="queue-down"][data-site="${first}"]`).focus();
    await page.keyboard.press('Enter');
    await waitFor('the queue reversed by the down button', () => env.floor()?.queue.join() === [second, first].join());
    await page.locator('output[data-result="reorder"]').getByText('accepté').waitFor();
    // Focus stays on the moved site's row (its down button is disabled now), so a keyboard user can keep moving it.
    await page.waitForFunction((s) => document.activeElement?.getAttribute('data-site') === s, first);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-key')), `queue-up:${first}`);
    await page.locator(`#floor li[data-queue-site="${second}"]`).nth(0).waitFor();
    await page.waitForFunction((s) => document.querySelector('#floor li[data-queue-site]')?.getAttribute('data-queue-site') === s, second);
    await page.dragAndDrop(`#floor li[data-queue-site="${first}"]`, `#floor li[data-queue-site="${second}"]`);
    await waitFor('the queue reordered by drag and drop', () => env.floor()?.queue.join() === [first, second].join());
  });

  it('keyboard shortcuts: 1-9 selects a site (the number is on its card), G grants it, N N hands over, R R revokes', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // Sites sorted by id: riviere-du-loup, rouyn-noranda, saint-camille; each card shows its key.
    assert.equal(await page.locator('article.site[data-site="saint-camille"] .site-key').innerText(), '3');
    await page.keyboard.press('3');
    await page.locator('article.site.selected[data-site="saint-camille"]').waitFor();
    await page.keyboard.press('g');
    await waitFor('saint-camille granted by G', () => env.floor()?.onAir === 'saint-camille');
    const expectedNext = env.floor()!.next;
    await page.keyboard.press('n');
    await page.keyboard.press('n');
    await waitFor('N N handed the floor to the next site', () => env.floor()?.onAir === expectedNext && expectedNext !== null);
    const revokesBefore = env.events.filter((e) => e['action'] === 'revoke').length;
    // One stray R only arms the button, which says what a second press would do; Escape disarms it.
    await page.keyboard.press('r');
    await page.locator('#floor [data-action="revoke"][data-armed="true"]').getByText('Appuyez encore pour confirmer').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#floor [data-action="revoke"]:not([data-armed])').waitFor();
    await page.keyboard.press('r');
    await page.keyboard.press('r');
    await waitFor('R R revoked the floor', () => env.floor()?.onAir === null);
    await page.locator('#floor .onair-cell .big-name').getByText('personne').waitFor();
    assert.equal(env.events.filter((e) => e['action'] === 'revoke').length, revokesBefore + 1, 'the stray R sent nothing: one revoke in all');
  });

  it('a click on Revoke asks for a second click before taking the site off air', async () => {
    await env.watcher.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'revoke-click-setup', action: 'grant', site: 'riviere-du-loup' }), { qos: 1 });
    await waitFor('riviere-du-loup on air', () => env.floor()?.onAir === 'riviere-du-loup');
    await page.locator('#floor .onair-cell .big-name').getByText('Rivière-du-Loup').waitFor();
    const revoke = page.locator('#floor [data-action="revoke"]');
    await revoke.click();
    await page.locator('#floor [data-action="revoke"][data-armed="true"]').getByText('Retirer la parole à Rivière-du-Loup?', { exact: false }).waitFor();
    assert.equal(env.floor()?.onAir, 'riviere-du-loup', 'one click took nobody off air');
    await page.locator('#floor [data-action="revoke"]').click();
    await waitFor('the second click revoked', () => env.floor()?.onAir === null);
  });

  it('PTZ: a preset click and a press-and-hold jog become commands the box answers', async () => {
    await page.selectOption('[data-ptz-target]', 'rouyn-noranda/cam2');
    // The panel is drawn on the next frame: wait for the pad to name the chosen camera.
    await page.locator('#ptz .ptz-cam[data-ptz-site="rouyn-noranda"][data-ptz-camera="cam2"]').waitFor();
    // The buttons are the camera's configured presets, by name: not a guessed 1-6.
    const labels = await page.locator('#ptz [data-action="ptz-preset"]').allTextContents();
    assert.deepEqual(labels.map((l) => l.trim()), ['wide', 'podium', '7']);
    await page.click('#ptz [data-action="ptz-preset"][data-preset="3"]');
    await waitFor('the preset command', () => env.ptzSeen.some((c) => c.site === 'rouyn-noranda' && c.payload['op'] === 'recall'));
    const recall = env.ptzSeen.find((c) => c.payload['op'] === 'recall')!;
    assert.equal(recall.payload['camera'], 'cam2');
    assert.equal(recall.payload['preset'], 3);
    assert.equal(recall.payload['origin'], 'dashboard');
    await page.locator('output[data-result="ptz:rouyn-noranda:cam2"]').getByText('accepté').waitFor();
    // The panel was drawn again (its result changed): the list still names the camera the pad drives.
    assert.equal(await page.inputValue('[data-ptz-target]'), 'rouyn-noranda/cam2');
    assert.equal(await page.locator('#ptz .ptz-cam').getAttribute('data-ptz-camera'), 'cam2');

    const jog = page.locator('#ptz [data-action="ptz-drive"][data-direction="up-left"]');
    await jog.hover();
    await page.mouse.down();
    await waitFor('a drive while held', () => env.ptzSeen.some((c) => c.payload['op'] === 'drive'));
    const drive = env.ptzSeen.find((c) => c.payload['op'] === 'drive')!;
    assert.equal(drive.payload['direction'], 'up-left');
    assert.ok(Number(drive.payload['forMs']) > 0, 'a drive carries a dead-man time');
    assert.equal(env.ptzSeen.some((c) => c.payload['op'] === 'stop'), false, 'no stop while held');
    await page.mouse.up();
    await waitFor('a stop on release', () => env.ptzSeen.some((c) => c.payload['op'] === 'stop'));
  });

  it('takes the operator and phone screenshots (RELAIS_UPDATE_SCREENSHOTS=1 writes them into docs/)', async () => {
    // A test run leaves the checkout as it found it; the README's pictures change only on request.
    const dir = process.env.RELAIS_UPDATE_SCREENSHOTS ? 'docs/screenshots' : await mkdtemp(join(tmpdir(), 'relais-shots-'));
    // A site on air with a queue makes the picture worth reading.
    await env.watcher.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'shot-1', action: 'grant', site: 'saint-camille' }), { qos: 1 });
    await waitFor('saint-camille on air', () => env.floor()?.onAir === 'saint-camille');
    await env.watcher.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'shot-2', action: 'reorder', queue: ['riviere-du-loup', 'rouyn-noranda'] }), { qos: 1 });
    await waitFor('two sites queued', () => env.floor()?.queue.length === 2);
    await page.locator('#floor .queue-row').first().waitFor();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: join(dir, 'dashboard.png') });
    const phone = await browser.context.newPage();
    const phoneErrors = collectErrors(phone);
    await phone.setViewportSize({ width: 390, height: 844 });
    await login(phone, env.dashboardUrl, 'viewer');
    await phone.locator('article.site').nth(2).waitFor();
    await phone.screenshot({ path: join(dir, 'dashboard-phone.png') });
    await phone.close();
    assert.deepEqual(phoneErrors, []);
    for (const name of ['dashboard.png', 'dashboard-phone.png']) {
      const png = await readFile(join(dir, name));
      assert.equal(png.subarray(1, 4).toString(), 'PNG', `${name} is a PNG`);
      assert.ok(png.length > 10_000, `${name} has a picture in it (${png.length} bytes)`);
    }
    if (!process.env.RELAIS_UPDATE_SCREENSHOTS) await rm(dir, { recursive: true, force: true });
  });

  it('a viewer sees no controls, and its forced publish is refused by the broker: floor unchanged, refusal shown', async () => {
    const viewer = await browser.context.newPage();
    const viewerErrors = collectErrors(viewer);
    await login(viewer, env.dashboardUrl, 'viewer');
    await viewer.locator('article.site').nth(2).waitFor();
    assert.equal(await viewer.locator('button.act:visible').count(), 0, 'no visible control for a viewer');
    const floorBefore = env.floor()!;
    const refusedBefore = env.demo.broker!.refusedPublishes();
    const target = floorBefore.onAir === 'saint-camille' ? 'rouyn-noranda' : 'saint-camille';
    await viewer.evaluate((site) => window.relaisDashboard!.sendControl({ action: 'grant', site }), target);
    assert.doesNotMatch(await viewer.locator('#legend').innerText(), /retirer|suivant/i, 'a viewer is not shown the operator\'s shortcuts');
    await viewer.locator('#log').getByText(`commande donner la parole ${NAMES[target]} : refusé ou perdu`).waitFor();
    assert.equal(env.demo.broker!.refusedPublishes(), refusedBefore + 1, 'the broker refused exactly one publish');
    // The page reconnects and is not refused again (the control is not replayed).
    await viewer.locator('body[data-link="up"]').waitFor();
    // Marker: a second refused control from the page. A replay of the first would go out on the
    // reconnection, before this one, and be counted first.
    await viewer.evaluate(() => window.relaisDashboard!.sendControl({ action: 'grant', site: 'riviere-du-loup' }));
    await viewer.locator('#log').getByText('commande donner la parole Rivière-du-Loup : refusé ou perdu').waitFor();
    await waitFor('the marker refused', () => env.demo.broker!.refusedPublishes() >= refusedBefore + 2);
    assert.equal(env.demo.broker!.refusedPublishes(), refusedBefore + 2, 'the refused control was not sent again');
    assert.equal(env.floor()!.epoch, floorBefore.epoch, 'the floor did not change');
    assert.equal(env.floor()!.onAir, floorBefore.onAir);
    await viewer.close();
    // Failed network requests are expected here: the broker cut the WebSocket.
    assert.deepEqual(viewerErrors.filter((e) => !/WebSocket/.test(e)), []);
  });

  it('a reload rebuilds the whole picture from the retained topics', async () => {
    const floor = env.floor()!;
    await page.reload();
    await page.locator('#login-form').waitFor();
    // The last login on this browser was the viewer's page: its name is remembered, never a password.
    assert.equal(await page.inputValue('#login-user'), 'viewer', 'the user name is remembered');
    assert.equal(await page.inputValue('#login-password'), '', 'the password is not');
    await page.fill('#login-user', 'operator');
    await page.selectOption('#login-role', 'operator');
    await page.fill('#login-password', 'relais-operator');
    await page.click('#login-form button[type=submit]');
    await page.locator('article.site[data-availability="online"]').nth(2).waitFor();
    await page.locator('#floor .epoch').getByText(`époque ${env.floor()!.epoch}`).waitFor();
    if (floor.onAir) await page.locator('#floor .onair-cell .big-name').getByText(NAMES[floor.onAir]!).waitFor();
    // The event log too: its entries are not retained anywhere, the browser kept them.
    await page.locator('#log').getByText('commande donner la parole Rouyn-Noranda acceptée').first().waitFor();
    const queue = await page.locator('#floor li[data-queue-site]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue-site')));
    assert.deepEqual(queue, env.floor()!.queue);
  });

  it('shows an item running over in another colour with an OVERTIME label, computed on the page', async () => {
    const since = new Date(Date.now() - 7 * 60_000).toISOString();
    const plannedEnd = new Date(Date.now() - 2 * 60_000).toISOString();
    const late = { ...env.floor()!, epoch: env.floor()!.epoch + 1000, onAir: 'saint-camille', since, plannedEnd, item: { index: 0, title: 'Mot de bienvenue et ouverture', speaker: 'Hélène Gagnon', site: 'saint-camille', plannedMinutes: 5 } };
    await page.evaluate((json) => {
      window.relaisDashboard!.model.apply('relais/v1/demo/floor', new TextEncoder().encode(json), Date.now());
      window.relaisDashboard!.render();
    }, JSON.stringify(late));
    const host = page.locator('#rundown .item-now.overtime');
    await host.locator('.overtime-label').getByText('DÉPASSEMENT').waitFor();
    assert.match(await host.locator('[data-clock="remaining"]').innerText(), /^\+(1:5\d|2:0\d)$/);
    assert.match(await host.locator('[data-clock="elapsed"]').innerText(), /^(6:5\d|7:0\d)$/);
    const colour = await host.locator('[data-clock="remaining"]').evaluate((el) => getComputedStyle(el).color);
    const normal = await page.locator('#rundown [data-clock="elapsed"]').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(colour, normal, 'overtime has its own colour');
  });

  it('speaks English on request and remembers it; French again on the switch', async () => {
    await page.click('#app [data-lang-switch]');
    await page.locator('#floor h2').getByText('Floor').waitFor();
    await page.locator('#status').getByText('3/3 sites online').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('relais.lang')), 'en');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-CA');
    await page.click('#app [data-lang-switch]');
    await page.locator('#floor h2').getByText('Parole').waitFor();
  });

  it('hands out each site\'s speaker-screen link, with its QR code, and the link opens that site\'s screen', async () => {
    const link = page.locator('article.site[data-site="saint-camille"] a[data-stage-link]');
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    assert.match(href, /\/stage\/saint-camille\?token=[\w-]{22}$/);
    await page.click('article.site[data-site="saint-camille"] [data-action="stage-qr"]');
    await page.locator('#qr-dialog[open] img[src^="data:image/png;base64,"]').waitFor();
    await page.locator('#qr-caption').getByText('Balayez pour ouvrir l’écran du conférencier de Saint-Camille').waitFor();
    await page.click('#qr-dialog button[type=submit]');
    await page.locator('#qr-dialog:not([open])').waitFor({ state: 'attached' });
    const stage = await browser.context.newPage();
    await stage.goto(href);
    await stage.locator('.stage-site').getByText('Saint-Camille').waitFor();
    await stage.locator('body[data-link="up"]').waitFor();
    await stage.close();
  });

  it('sends a message to a site\'s speaker screen and shows it as not read yet', async () => {
    await page.selectOption('#message-site', 'rouyn-noranda');
    await page.fill('#message-text', 'Concluez, s.v.p.');
    await page.click('#message-form button[type=submit]');
    await page.locator('#message-list [data-message-site="rouyn-noranda"]').getByText('affiché, pas encore lu').waitFor();
    await page.locator('output[data-result="message"]').getByText('accepté').waitFor();
    await page.click('#message-list [data-action="message-clear"][data-site="rouyn-noranda"]');
    await page.locator('#message-list [data-message-site="rouyn-noranda"]').waitFor({ state: 'detached' });
  });

  it('on a phone, the rundown\'s clock comes before the video cards', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await login(phone, env.dashboardUrl, 'viewer');
    await phone.locator('article.site').nth(2).waitFor();
    const rundown = (await phone.locator('#rundown').boundingBox())!;
    const sites = (await phone.locator('.sites-panel').boundingBox())!;
    assert.ok(rundown.y < sites.y, `rundown at ${rundown.y} px, sites at ${sites.y} px`);
    await phone.close();
  });

  it('a wrong password is refused with a clear message and nothing else happens', async () => {
    const other = await browser.context.newPage();
    await other.goto(env.dashboardUrl);
    await other.fill('#login-user', 'operator');
    await other.fill('#login-password', 'wrong');
    await other.click('#login-form button[type=submit]');
    await other.locator('#login-error').getByText('Le courtier a refusé la connexion : nom d’utilisateur ou mot de passe invalide').waitFor();
    assert.equal(await other.locator('#app').isHidden(), true);
    await other.close();
  });
});
