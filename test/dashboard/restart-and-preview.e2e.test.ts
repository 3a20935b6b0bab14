/**
 * The dashboard through a broker restart (banner shows, clears, state back),
 * and a live preview that plays from the relay's HTTP-FLV stream.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { dashboardDemoExtension } from '../../src/demo/dashboard-extension.js';
import { startDemo, type DemoExtension, type RunningDemo } from '../../src/demo/demo.js';
import { DEMO_LOGINS } from '../../src/demo/scenario.js';
import { startDemoMedia } from '../media/demo-feeds.js';
import { freePort } from '../helpers/brokers.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';
import { collectErrors, launchBrowser, login, type Browser } from './harness.js';

const dashboardUsers = [
  { ...DEMO_LOGINS.operator, role: 'operator' as const },
  { ...DEMO_LOGINS.viewer, role: 'viewer' as const },
];

describe('dashboard through a broker restart', function () {
  this.timeout(40_000);
  let broker: EmbeddedBroker | null = null;
  let demo: RunningDemo | null = null;
  let browser: Browser | null = null;
  let tcpPort = 0;
  let wsPort = 0;

  const startBroker = async (): Promise<EmbeddedBroker> =>
    // The demo's boxes connect without a login (loopback admin); the page logs in as the operator.
    startEmbeddedBroker({ host: '127.0.0.1', tcpPort, wsPort, users: dashboardUsers, anonymousRole: 'admin', log: quietLogger('broker') });

  before(async function () {
    this.timeout(60_000);
    await buildWeb();
    [tcpPort, wsPort] = [await freePort(), await freePort()];
    broker = await startBroker();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
    await broker?.close();
  });

  it('shows the banner while the broker is down, then clears it and rebuilds the state', async () => {
    const dashboardPort = await freePort();
    demo = await startDemo({
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: 0,
      brokerUrl: `mqtt://127.0.0.1:${tcpPort}`,
      interactive: false,
      log: quietLogger('demo'),
      extensions: [dashboardDemoExtension(dashboardPort, { brokerWsUrl: `ws://127.0.0.1:${wsPort}` })],
    });
    browser = await launchBrowser();
    const page: Page = await browser.context.newPage();
    const errors = collectErrors(page);
    await login(page, `http://127.0.0.1:${dashboardPort}/`, 'operator');
    await page.locator('article.site[data-availability="online"]').nth(2).waitFor();
    await page.click('article.site[data-site="riviere-du-loup"] [data-action="grant"]');
    await page.locator('#floor .onair-cell .big-name').getByText('Rivière-du-Loup').waitFor();
    assert.equal(await page.locator('#banner').isVisible(), false);

    await broker!.close();
    broker = null;
    await page.locator('#banner').getByText('Lien avec le courtier coupé depuis').waitFor();
    await page.locator('body[data-link="down"]').waitFor();
    // The ON AIR card says it can no longer be trusted, and its clock stops instead of counting on.
    await page.locator('#floor .onair-cell.live.stale').getByText('périmé : lien perdu').waitFor();
    const tally = await page.locator('#floor .onair-cell .tally-onair').evaluate((el) => getComputedStyle(el).animationName);
    assert.equal(tally, 'stale-blink', 'no steady red while the link is down');
    const frozen = await page.locator('#floor [data-clock="elapsed"]').innerText();
    // Marker: the cards' "seen … ago" spans are filled by the same per-second tick; two changes of
    // one of them mean two ticks went by, long enough for a running clock to have moved.
    for (let i = 0; i < 2; i += 1) {
      const seen = await page.locator('article.site [data-ago]').first().innerText();
      await page.waitForFunction((before) => document.querySelector('article.site [data-ago]')?.textContent !== before, seen);
    }
    assert.equal(await page.locator('#floor [data-clock="elapsed"]').innerText(), frozen, 'the clock stopped');
    assert.equal(await page.locator('#floor [data-action="next"]').isDisabled(), true, 'actions are disabled while the link is down');

    // Forget the page's floor so what shows after the restart must come from the new broker.
    await page.evaluate(() => {
      window.relaisDashboard!.model.floor = null;
      window.relaisDashboard!.render();
    });
    await page.locator('#floor').getByText('En attente de l’état de la parole').waitFor();
    broker = await startBroker();
    await page.locator('body[data-link="up"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#banner').isVisible(), false, 'the banner cleared');
    await page.locator('#floor .onair-cell .big-name').getByText('Rivière-du-Loup').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#floor .onair-cell.stale').count(), 0, 'live again, not stale');
    await page.locator('article.site[data-availability="online"]').nth(2).waitFor({ timeout: 10_000 });
    // And it can act again on the restarted broker.
    await page.click('#floor [data-action="revoke"]');
    await page.click('#floor [data-action="revoke"][data-armed="true"]');
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`);
    try {
      await waitFor('revoked after the restart', async () => {
        const floor = await new Promise<string>((resolve) => {
          watcher.once('message', (_t, p) => resolve(p.toString()));
          void watcher.subscribeAsync('relais/v1/demo/floor');
        });
        await watcher.unsubscribeAsync('relais/v1/demo/floor');
        return JSON.parse(floor).onAir === null;
      }, 5000, 100);
    } finally {
      await watcher.endAsync(true);
    }
    assert.deepEqual(errors.filter((e) => !/WebSocket/.test(e)), []);
  });
});

describe('dashboard live preview from the relay', function () {
  this.timeout(60_000);
  let demo: RunningDemo | null = null;
  let browser: Browser | null = null;

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('plays a site\'s HTTP-FLV feed: currentTime advances and the label says live; other sites say "no feed"', async () => {
    await buildWeb();
    const [rtmpPort, httpPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
    // One feed only: three encoders are too much for a 2-core test machine next to Chromium.
    const media: DemoExtension = {
      name: 'media',
      async start(ctx) {
        const started = await startDemoMedia({ sites: ['saint-camille'], event: ctx.event, host: '127.0.0.1', rtmpPort, httpPort, secret: randomBytes(16).toString('hex'), log: ctx.log.child('media') });
        if (typeof started === 'string') throw new Error(started);
        return { lines: ['media up'], stop: () => started.stop() };
      },
    };
    demo = await startDemo({
      host: '127.0.0.1',
      mqttPort: await freePort(),
      wsPort: await freePort(),
      interactive: false,
      log: quietLogger('demo'),
      extensions: [media, dashboardDemoExtension(dashboardPort, { relayHttpBase: `http://127.0.0.1:${httpPort}` })],
    });
    assert.ok(demo.lines.includes('media up'), `media did not start: ${demo.lines.join(' | ')}`);
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await login(page, `http://127.0.0.1:${dashboardPort}/`, 'viewer');
    const video = page.locator('video[data-site="saint-camille"]');
    await video.waitFor();
    await page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('video[data-site="saint-camille"]');
      return v !== null && v.currentTime > 0.5;
    }, undefined, { timeout: 30_000 });
    const first = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.waitForFunction((t) => document.querySelector<HTMLVideoElement>('video[data-site="saint-camille"]')!.currentTime > t + 1, first, { timeout: 10_000 });
    await page.locator('article.site[data-site="saint-camille"] .preview.live .feed-label').getByText('en direct').waitFor();
    assert.match(await page.locator('article.site[data-site="rouyn-noranda"] .feed-label').innerText(), /pas de flux/);
  });
});
