/**
 * The timer tools in real headless Chromium against the in-process demo (its
 * conductor applies them): the delay on the page, a minute added that moves
 * the speaker screen's countdown, an item skipped and moved, and a refusal
 * read in French from its code.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';
import { dashboardSuite, type DemoWithDashboard } from './harness.js';

/** `4:59` or `12:03` on the speaker screen, in seconds. */
function seconds(text: string): number {
  const match = /^(\d+):(\d\d)$/.exec(text.trim());
  if (!match) throw new Error(`not a countdown: "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

describe('timer tools in Chromium (demo in-process)', function () {
  this.timeout(30_000);
  const suite = dashboardSuite();
  let env: DemoWithDashboard;
  let page: Page;
  let stage: Page;

  before(async function () {
    this.timeout(60_000);
    ({ env, page } = suite);
    await env.watcher.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'timer-next', action: 'next' }), { qos: 1 });
    await waitFor('the first item on air', () => env.floor()?.item?.index === 0, 10_000);
    const href = await page.locator('article.site[data-site="saint-camille"] a[data-stage-link]').getAttribute('href');
    stage = await suite.browser.context.newPage();
    await stage.goto(new URL(href!, env.dashboardUrl).href);
    await stage.locator('body[data-link="up"]').waitFor();
  });

  const countdown = async (): Promise<number> => seconds(await stage.locator('.countdown').innerText());

  it('shows the day on time, then a minute added: « +1 min », a later planned end, and the speaker screen\'s countdown past the planned 5 minutes', async () => {
    await page.locator('#rundown h2 .delay').getByText('à l’heure').waitFor();
    assert.ok((await countdown()) <= 300, 'five planned minutes at most');
    const endBefore = await page.locator('#rundown [data-planned-end]').innerText();
    await page.click('#rundown [data-action="adjust"][data-minutes="1"]');
    await waitFor('one minute added on MQTT', () => env.floor()?.addedMinutes === 1);
    await page.locator('output[data-result="adjust"]').getByText('accepté').waitFor();
    await page.locator('#rundown h2 .delay[data-delay="1"]').getByText('+1 min').waitFor();
    await page.locator('#rundown [data-planned]').getByText('5 min +1').waitFor();
    assert.notEqual(await page.locator('#rundown [data-planned-end]').innerText(), endBefore);
    await waitFor('the countdown past five minutes', async () => (await countdown()) > 300, 5000);
    await page.click('#rundown [data-action="adjust"][data-minutes="-1"]');
    await page.locator('#rundown h2 .delay').getByText('à l’heure').waitFor();
    await waitFor('the countdown back under five minutes', async () => (await countdown()) <= 300, 5000);
  });

  it('skips the next item (marked, passed over, the day early), moves another, and takes the skip back', async () => {
    await page.click('#rundown li[data-item="1"] [data-action="skip"]');
    await page.locator('#rundown li[data-item="1"][data-skipped="true"]').getByText('sauté').waitFor();
    await waitFor('the skip on MQTT', () => env.floor()?.upcoming?.some((u) => u.index === 1 && u.skipped) === true);
    assert.equal(env.floor()?.nextItem?.index, 2, 'next passes over the skipped item');
    // Its fifteen minutes are freed: the rest of the day runs early, and the later items show their planned time.
    await page.locator('#rundown h2 .delay[data-delay="-15"]').getByText('−15 min').waitFor();
    await page.locator('#rundown li[data-item="3"] .was').getByText('prévu à').waitFor();
    await page.click('#rundown li[data-item="2"] [data-action="move"][data-direction="down"]');
    await waitFor('the move on MQTT', () => env.floor()?.schedule?.order.join(',') === '0,1,3,2,4');
    const order = (): Promise<string> => page.locator('#rundown li[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')).join(','));
    await waitFor('the list in the new order', async () => (await order()) === '0,1,3,2,4');
    await page.click('#rundown li[data-item="1"] [data-action="unskip"]');
    await page.locator('#rundown li[data-item="1"]:not([data-skipped])').waitFor();
    await page.locator('#rundown h2 .delay').getByText('à l’heure').waitFor();
    assert.equal(env.floor()?.nextItem?.index, 1);
  });

  it('reads a refusal in French from its code, beside the control and in the log', async () => {
    const id = await page.evaluate(() => window.relaisDashboard!.sendControl({ action: 'adjust', minutes: -60 }));
    await page.locator(`output[data-action-id="${id}"]`).getByText('refusé : -60 min sortirait le point de ses bornes (5 min prévues; de -4 à +180 min en tout)').waitFor();
    await page.locator('#log .log-bad').getByText('commande ajuster la durée refusée').waitFor();
  });

  it('offers the day\'s report: a CSV with a header and the actual times, and a printable page', async () => {
    await env.watcher.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'timer-next-2', action: 'next' }), { qos: 1 });
    await waitFor('the second item on air', () => env.floor()?.item?.index === 1, 10_000);
    const csvOf = async (): Promise<string[]> => {
      const href = (await page.locator('#rundown a[data-report-csv]').getAttribute('href')) ?? '';
      return decodeURIComponent(href.replace(/^data:text\/csv;charset=utf-8,/, '')).replace(/^\ufeff/, '').trimEnd().split('\r\n');
    };
    await waitFor('the CSV with item 2 started', async () => (await csvOf())[2]?.split(',')[7] !== '', 10_000);
    const lines = await csvOf();
    assert.equal(await page.locator('#rundown a[data-report-csv]').getAttribute('download'), 'rapport-demo.csv');
    assert.equal(lines[0], 'n°,titre,conférencier,site,début prévu,durée prévue (min),ajouté (min),début réel,fin réelle,durée réelle (min),écart de début (min),écart de durée (min),sauté');
    assert.equal(lines.length, 6, 'a header and the five items');
    const first = lines[1]!.split(',');
    assert.deepEqual(first.slice(0, 4), ['1', 'Mot de bienvenue et ouverture', 'Hélène Gagnon', 'Saint-Camille']);
    assert.match(first[7]!, /^\d{1,2} h( \d\d)?$/, 'the actual start, 24-hour Quebec style');
    assert.notEqual(first[8], '', 'the first item ended when the second started');
    assert.equal(lines[2]!.split(',')[8], '', 'the second item is still on');
    await page.click('#rundown [data-action="report-print"]');
    const view = page.locator('#report');
    await view.getByText('Rapport de la journée : prévu et réel').waitFor();
    await view.locator('tr[data-number="1"]').getByText('Mot de bienvenue et ouverture').waitFor();
    assert.equal(await view.locator('tbody tr').count(), 5);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#rundown').isVisible(), false, 'on paper, the report alone');
    assert.equal(await view.isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
    await view.locator('[data-action="report-close"]').click();
    assert.equal(await view.isVisible(), false);
  });
});
