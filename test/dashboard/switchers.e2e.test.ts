/**
 * The demo's switchers end to end: an ATEM emulator, an OBS emulator and GPI
 * contacts on the third box's driver, read by the boxes as in a venue, and
 * the dashboard in real Chromium showing each site's cameras on program and
 * preview, following a cut and the floor.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { tallyDemoExtension } from '../../src/demo/tally-extension.js';
import { waitFor } from '../helpers/wait.js';
import { dashboardSuite, type DemoWithDashboard } from './harness.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];

describe('dashboard in Chromium: every site\'s cameras from its switcher (ATEM, OBS, GPI)', function () {
  this.timeout(30_000);
  // An hour between automatic cuts: the test cuts with the demo's `c` key.
  const suite = dashboardSuite({ extensions: [tallyDemoExtension(3_600_000)], fakeTally: false });
  let env: DemoWithDashboard;
  let page: Page;
  before(() => ({ env, page } = suite));

  const chip = (site: string, camera: string): Locator => page.locator(`article.site[data-site="${site}"] .cams .cam[title^="${camera}:"]`);
  const showing = async (site: string, camera: string, text: string, state: 'pgm' | 'pvw' | 'off'): Promise<void> => {
    await page.locator(`article.site[data-site="${site}"] .cams .cam.cam-${state}[title="${camera}: ${text}"]`).waitFor({ timeout: 10_000 });
  };

  it('shows camera 1 on program and camera 2 on preview at every site, and the network switchers connected', async () => {
    for (const site of SITES) {
      // No site has the floor: a camera on the local program is only selected here (green, like its lamp).
      await showing(site, 'cam1', 'PGM', 'pvw');
      await showing(site, 'cam2', 'PVW', 'pvw');
    }
    await page.locator('article.site[data-site="saint-camille"] .cam-source').getByText(/^atem 127\.0\.0\.1:\d+\s:\sconnecté$/).waitFor();
    await page.locator('article.site[data-site="rouyn-noranda"] .cam-source').getByText(/^obs \S+\s:\sconnecté$/).waitFor();
    assert.equal(await page.locator('article.site[data-site="riviere-du-loup"] .cam-source').count(), 0, 'contacts have no network source to show');
  });

  it('a cut on every switcher swaps program and preview on every card', async () => {
    env.demo.keys.get('c')!();
    for (const site of SITES) {
      await showing(site, 'cam2', 'PGM', 'pvw');
      await showing(site, 'cam1', 'PVW', 'pvw');
    }
  });

  it('the site on air shows its program camera red; the GPI site too', async () => {
    await env.watcher.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'e2e-gpi-grant', action: 'grant', site: 'riviere-du-loup' }), { qos: 1 });
    await waitFor('Rivière-du-Loup on air', () => env.floor()?.onAir === 'riviere-du-loup');
    await showing('riviere-du-loup', 'cam2', 'PGM', 'pgm');
    await showing('riviere-du-loup', 'cam1', 'PVW', 'pvw');
    // Another site's program camera stays green: the event is not watching it.
    await showing('saint-camille', 'cam2', 'PGM', 'pvw');
    assert.equal(await chip('rouyn-noranda', 'cam2').getAttribute('class'), 'cam cam-pvw');
  });
});
