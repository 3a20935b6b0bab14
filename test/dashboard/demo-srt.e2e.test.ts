/**
 * The demo's room feeds over SRT, seen in real Chromium: three boxes send
 * their test patterns to the relay's SRT hub; the dashboard's previews play
 * the hub's FLV remux over WebRTC (the relay's WHEP), every site's card shows the hub's link statistics, and
 * after a hand-off the site state's display says the switcher shows the site
 * on air.
 */
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { mediaDemoExtension } from '../../src/demo/media-extension.js';
import { freePort } from '../helpers/brokers.js';
import { waitFor } from '../helpers/wait.js';
import { freeUdpBlock } from '../media/helpers.js';
import { dashboardSuite, type DemoWithDashboard } from './harness.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const ports = { rtmpPort: await freePort(), httpPort: await freePort(), whepPort: await freePort(), srtPort: await freeUdpBlock(12) };

describe('dashboard in Chromium: the demo\'s feeds through the SRT hub', function () {
  this.timeout(60_000);
  // Every site's feed live at the relay (its retained stream list) before the page opens its previews.
  const feedsUp = async (env: DemoWithDashboard): Promise<void> => {
    const client = await mqtt.connectAsync(env.mqttUrl, { connectTimeout: 3000 });
    try {
      let live: string[] = [];
      client.on('message', (_t, payload) => {
        const list = JSON.parse(payload.toString()) as { streams: Array<{ site: string; status: string }> };
        live = list.streams.filter((s) => s.status === 'live').map((s) => s.site);
      });
      await client.subscribeAsync('relais/v1/demo/relay/streams');
      await waitFor('every site live at the relay', () => SITES.every((site) => live.includes(site)), 30_000);
    } finally {
      await client.endAsync(true);
    }
  };
  const suite = dashboardSuite({ relayHttpBase: `http://127.0.0.1:${ports.httpPort}`, relayWhepBase: `http://127.0.0.1:${ports.whepPort}`, extensions: [mediaDemoExtension({ ...ports, feeds: 'srt' })] }, feedsUp);
  let env: DemoWithDashboard;
  let page: Page;
  before(() => ({ env, page } = suite));

  it('shows every site\'s SRT link statistics from the hub: RTT, loss, bitrate and verdict', async () => {
    for (const site of SITES) {
      const link = page.locator(`article.site[data-site="${site}"] .link[data-verdict]`);
      await link.waitFor({ timeout: 40_000 });
      // A feed counts once bits have arrived (the first interval may read 0 kb/s while the caller connects).
      await page.waitForFunction((s) => {
        const text = document.querySelector(`article.site[data-site="${s}"] .link`)?.textContent ?? '';
        return /RTT \d+ ms · perte \d+,\d % · \d+ renvoyés · [1-9]\d* kb\/s · tampon/.test(text);
      }, site, { timeout: 20_000 });
      assert.notEqual(await link.getAttribute('data-verdict'), 'down', `${site}'s feed is measured, not down`);
    }
  });

  it('plays the previews over WebRTC (WHEP) from the hub\'s FLV remux', async () => {
    for (const site of SITES) {
      await page.waitForFunction((s) => {
        const v = document.querySelector<HTMLVideoElement>(`video[data-site="${s}"]`);
        return v !== null && v.currentTime > 0.5;
      }, site, { timeout: 30_000 });
      await page.locator(`article.site[data-site="${site}"] .preview.live`).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator(`video[data-site="${site}"]`).getAttribute('data-transport'), 'whep', `${site}'s preview over WebRTC`);
    }
    const first = await page.locator('video[data-site="rouyn-noranda"]').evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.waitForFunction((t) => document.querySelector<HTMLVideoElement>('video[data-site="rouyn-noranda"]')!.currentTime > t + 1, first, { timeout: 10_000 });
  });

  it('after a hand-off, each other site\'s display state says the switcher shows the site on air', async () => {
    await page.click('article.site[data-site="riviere-du-loup"] [data-action="grant"]');
    await page.locator('#floor .onair-cell .big-name').getByText('Rivière-du-Loup').waitFor();
    type Display = { mode?: string; playing: string | null; feeds?: string[]; ready?: string[] };
    const display = (site: string): Display | undefined => (env.demo.boxes.get(site)!.runtime.siteState() as { display?: Display }).display;
    const shows = (site: string): boolean => display(site)?.mode === 'switcher' && display(site)?.playing === 'riviere-du-loup' && (display(site)?.ready ?? []).includes('riviere-du-loup');
    await waitFor('saint-camille and rouyn-noranda show Rivière-du-Loup', () => shows('saint-camille') && shows('rouyn-noranda'), 20_000);
    assert.deepEqual([...(display('saint-camille')?.feeds ?? [])].sort(), ['riviere-du-loup', 'rouyn-noranda'], 'the switcher decodes the two other sites');
    assert.equal(display('riviere-du-loup')?.playing, null, 'the site on air does not play itself');
  });
});
