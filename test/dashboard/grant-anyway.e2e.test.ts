/**
 * "Accorder quand même ?" in real Chromium: with the relay reporting
 * Rouyn-Noranda's feed unwatchable, the operator's first press on its Grant
 * sends nothing (checked against a conductor marker sent after it) and the
 * card says why; the second press grants, the conductor applies it and its
 * warning shows beside the control. A site with a good feed is granted at once.
 */
import assert from 'node:assert/strict';
import { buildWeb } from '../../scripts/build-web.mjs';
import type { LinkStats, RelayStreams } from '../../src/protocol/schemas.js';
import { topic } from '../../src/protocol/topics.js';
import { conductorMarker } from '../helpers/control.js';
import { waitFor } from '../helpers/wait.js';
import { collectErrors, launchBrowser, login, startDemoWithDashboard, type Browser, type DemoWithDashboard } from './harness.js';

const link = (over: Partial<LinkStats>): LinkStats => ({
  role: 'receiver', peer: 'x', at: new Date().toISOString(), rttMs: 82, lossPercent: 1, retransmitted: 3, dropped: 0, sentKbps: 0, receivedKbps: 420,
  bufferMs: 110, latencyMs: 120, bandwidthKbps: 11_000, verdict: 'good', why: null, ...over,
});

describe('dashboard: grant anyway? to a site whose feed is unwatchable (Chromium)', function () {
  this.timeout(60_000);
  let env: DemoWithDashboard;
  let browser: Browser;

  before(async function () {
    this.timeout(90_000);
    await buildWeb();
    [env, browser] = await Promise.all([startDemoWithDashboard(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('asks before granting the bad site, grants on the second press, and shows the conductor’s warning', async () => {
    const streams: RelayStreams = {
      at: new Date().toISOString(),
      streams: [
        { site: 'saint-camille', status: 'live', publisher: null, viewers: 2, link: link({ peer: 'saint-camille' }) },
        { site: 'rouyn-noranda', status: 'live', publisher: null, viewers: 2, link: link({ peer: 'rouyn-noranda', lossPercent: 11.4, dropped: 40, verdict: 'unwatchable', why: '3.1 % of packets came too late to be shown', whyCode: 'too-late-share', whyParams: { percent: 3.1 } }) },
        { site: 'riviere-du-loup', status: 'idle', publisher: null, viewers: 0 },
      ],
    };
    await env.watcher.publishAsync(topic('demo', 'relayStreams'), JSON.stringify(streams), { qos: 1, retain: true });
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await login(page, env.dashboardUrl, 'operator');
    const rn = page.locator('article.site[data-site="rouyn-noranda"]');
    await rn.locator('[data-verdict="unwatchable"]').waitFor();

    // A good feed: granted at the first press.
    await page.click('article.site[data-site="saint-camille"] [data-action="grant"]');
    await waitFor('Saint-Camille on air', () => env.floor()?.onAir === 'saint-camille', 10_000);

    // The bad one: the first press only asks.
    await rn.locator('[data-action="grant"]').click();
    await rn.locator('[data-feed-trouble="unwatchable"]').getByText('Le flux de Rouyn-Noranda est inregardable au relais').waitFor();
    assert.equal(await rn.locator('[data-action="grant"]').innerText(), 'Accorder quand même ?');
    // Anything the page had sent would be answered before this marker.
    await conductorMarker(env.watcher, 'demo', env.watcher, 10_000);
    assert.equal(env.floor()?.onAir, 'saint-camille');
    assert.equal(env.events.filter((e) => e['action'] === 'grant' && e['site'] === 'rouyn-noranda').length, 0, 'no grant sent on the first press');

    // The second press grants; the conductor applies it and warns, and the card shows the warning.
    await rn.locator('[data-action="grant"]').click();
    await waitFor('Rouyn-Noranda on air', () => env.floor()?.onAir === 'rouyn-noranda', 10_000);
    await waitFor('the conductor’s warning on events', () => env.events.some((e) => e['result'] === 'info' && e['site'] === 'rouyn-noranda'), 10_000);
    // In French, with the relay's cause from its code: « 3,1 % des paquets… », not the relay's English words.
    await rn.getByText('accepté, avec un avertissement : attention : Rouyn-Noranda est en ondes mais son flux est inregardable au relais (3,1 % des paquets sont arrivés trop tard pour être affichés)').waitFor();

    // Rivière-du-Loup has no feed at the relay: the G key on the selected site asks too.
    await page.locator('article.site[data-site="riviere-du-loup"] [data-action="select"]').click();
    await page.keyboard.press('g');
    await page.locator('article.site[data-site="riviere-du-loup"] [data-feed-trouble="noFeed"]').getByText('Aucun flux de Rivière-du-Loup').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
