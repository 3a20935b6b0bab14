/**
 * A technician's message to the operator end to end: `relais message send
 * --to operator` from a box's config, the operator's page in Chromium showing
 * it with the site's accented name, the operator's "Lu" going back to the box.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { runCli, spawnCli, stopChild } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { dashboardSuite, type DemoWithDashboard } from './harness.js';

describe('dashboard in Chromium: a site\'s technician writes to the operator', function () {
  this.timeout(60_000);
  const suite = dashboardSuite();
  let env: DemoWithDashboard;
  let page: Page;
  let dir: string;
  let config: string;
  before(async () => {
    ({ env, page } = suite);
    dir = await mkdtemp(join(tmpdir(), 'relais-inbox-'));
    config = join(dir, 'appliance.yaml');
    // The demo's loopback clients act as admin; the broker ACL of this topic is tested on Mosquitto and the embedded broker.
    await writeFile(config, `event: demo\nsite: riviere-du-loup\nname: Rivière-du-Loup\nbroker: { url: "${env.mqttUrl}" }\n`);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('the box sends, the page shows it with the site\'s name, the operator marks it read, the box hears the read', async () => {
    const cli = spawnCli(['message', 'send', '--to', 'operator', 'Le micro 2 ne marche plus', '-c', config, '--wait', '30']);
    try {
      await waitFor('the CLI says it sent the message', () => /message de Rivière-du-Loup envoyé au régisseur/.test(cli.output()), 30_000);
      const row = page.locator('li.inbox-row[data-inbox-site="riviere-du-loup"]');
      await row.getByText('Rivière-du-Loup').waitFor();
      await row.getByText('« Le micro 2 ne marche plus »').waitFor();
      await page.locator('#log').getByText('message de Rivière-du-Loup au régisseur : « Le micro 2 ne marche plus »').waitFor();
      await row.locator('[data-action="inbox-ack"]').click();
      await page.locator('li.inbox-row.read[data-inbox-site="riviere-du-loup"]').getByText(/^lu à \d{1,2}\s*h\s*\d{2}$/).waitFor();
      const code = await new Promise<number | null>((resolve) => (cli.exitCode !== null ? resolve(cli.exitCode) : cli.once('exit', resolve)));
      assert.equal(code, 0, cli.output());
      assert.match(cli.output(), /lu par le régisseur à \d{1,2}\s*h\s*\d{2}/);
    } finally {
      await stopChild(cli);
    }
  });

  it('refuses an empty message or another addressee, with a clear error and nothing sent', async () => {
    const before = await page.locator('li.inbox-row').count();
    const empty = await runCli(['message', 'send', '--to', 'operator', '   ', '-c', config]);
    assert.equal(empty.code, 2, empty.output);
    assert.match(empty.output, /message refusé : text\s: ne doit pas être vide/);
    const other = await runCli(['message', 'send', '--to', 'saint-camille', 'allô', '-c', config]);
    assert.equal(other.code, 2, other.output);
    assert.match(other.output, /--to « saint-camille » : depuis un boîtier, on écrit seulement au régisseur/);
    assert.equal(await page.locator('li.inbox-row').count(), before);
    assert.match(await page.locator('li.inbox-row[data-inbox-site="riviere-du-loup"] .message-text').innerText(), /Le micro 2 ne marche plus/);
  });
});
