/**
 * End-to-end harness: the demo in-process with the dashboard, a real headless
 * Chromium (playwright-core on /usr/bin/chromium) with a fresh profile, an
 * MQTT test client, and a fake "site hardware" extension that reports encoder
 * figures, cameras and box health and answers PTZ commands like a box would.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import type { Feature, FeatureContext } from '../../src/appliance/feature.js';
import { startDemo, type DemoExtension, type RunningDemo } from '../../src/demo/demo.js';
import { DEMO_LOGINS } from '../../src/demo/scenario.js';
import { dashboardDemoExtension } from '../../src/demo/dashboard-extension.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { idleEncoderReport } from '../../src/media/encoder-feature.js';
import { freePort } from '../helpers/brokers.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

export const CHROMIUM = '/usr/bin/chromium';
// Loopback ICE candidates: the WebRTC previews of the tests stay on 127.0.0.1.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-loopback-in-peer-connection'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh `--user-data-dir` (a persistent context on a temp dir). */
export async function launchBrowser(options: { timezoneId?: string } = {}): Promise<Browser> {
  const dir = await mkdtemp(join(tmpdir(), 'relais-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    // The venues are in Quebec: times of day read as they would there, whatever this machine's zone.
    timezoneId: options.timezoneId ?? 'America/Toronto',
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface PtzCommandSeen {
  site: string;
  payload: Record<string, unknown>;
}

/**
 * Per-site parts a real box would add: encoder figures that move, two PTZ
 * cameras, box health, switcher tally per camera; PTZ commands are recorded
 * and answered on `ptz/result`.
 */
export function fakeSiteHardware(seen: PtzCommandSeen[], options: { tally?: boolean } = {}): DemoExtension {
  return {
    name: 'fake-site-hardware',
    siteFeatures(site) {
      let timer: NodeJS.Timeout | null = null;
      let frames = 0;
      const feature: Feature = {
        name: 'fake-hardware',
        async start(ctx: FeatureContext) {
          const report = (): void => {
            frames += 1;
            ctx.reportState('encoder', { ...idleEncoderReport('disabled'), state: 'live', encoder: 'libx264', fps: 25 + (frames % 3), bitrateKbps: 2400 + 150 * Math.sin(frames / 2), frames: frames * 25, liveSince: new Date().toISOString(), choice: 'configured' });
          };
          report();
          ctx.reportState('cameras', [
            { name: 'cam1', online: true, lastError: null, position: null, zoom: null, power: 'on', preset: 1, tally: null, presets: [{ number: 1, name: 'wide' }] },
            { name: 'cam2', online: true, lastError: null, position: null, zoom: null, power: 'on', preset: null, tally: null, presets: [{ number: 1, name: 'wide' }, { number: 3, name: 'podium' }, { number: 7, name: null }] },
          ]);
          if (options.tally !== false) ctx.reportState('tallyIn', { cameras: { cam1: { program: true, preview: false }, cam2: { program: false, preview: true } } });
          timer = setInterval(report, 1000);
          await ctx.subscribe('ptzCommand', { site }, (command) => {
            seen.push({ site, payload: { ...command } });
            const known = command.camera === 'cam1' || command.camera === 'cam2';
            void ctx.publish('ptzResult', { site }, { id: command.id, camera: command.camera, op: command.op, ok: known, error: known ? null : `no camera "${command.camera}"`, at: new Date().toISOString() });
          });
        },
        async stop() {
          if (timer) clearInterval(timer);
        },
      };
      return [feature];
    },
    async start() {
      return null;
    },
  };
}

export interface DemoWithDashboard {
  demo: RunningDemo;
  dashboardUrl: string;
  mqttUrl: string;
  ptzSeen: PtzCommandSeen[];
  /** The test's own MQTT client (anonymous loopback = admin in the demo). */
  watcher: MqttClient;
  floor(): Floor | null;
  events: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `fakeTally: false` leaves the cameras' tally to a real tally feature among `extensions` (the demo's switchers). */
export async function startDemoWithDashboard(extra: { relayHttpBase?: string | null; relayWhepBase?: string | null; extensions?: DemoExtension[]; fakeTally?: boolean } = {}): Promise<DemoWithDashboard> {
  const [mqttPort, wsPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
  const ptzSeen: PtzCommandSeen[] = [];
  const demo = await startDemo({
    host: '127.0.0.1',
    mqttPort,
    wsPort,
    interactive: false,
    log: quietLogger('demo'),
    extensions: [fakeSiteHardware(ptzSeen, { tally: extra.fakeTally }), dashboardDemoExtension(dashboardPort, { relayHttpBase: extra.relayHttpBase ?? null, relayWhepBase: extra.relayWhepBase ?? null }), ...(extra.extensions ?? [])],
  });
  const line = demo.lines.find((l) => l.startsWith('Dashboard '));
  if (!line) {
    await demo.stop();
    throw new Error(`the dashboard did not start: ${demo.lines.join(' | ')}`);
  }
  const watcher = await mqtt.connectAsync(demo.brokerUrl, { connectTimeout: 3000, reconnectPeriod: 200 });
  let floor: Floor | null = null;
  const events: Array<Record<string, unknown>> = [];
  watcher.on('message', (t, payload) => {
    if (t === 'relais/v1/demo/floor' && payload.length > 0) floor = JSON.parse(payload.toString()) as Floor;
    if (t === 'relais/v1/demo/events') events.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await watcher.subscribeAsync(['relais/v1/demo/floor', 'relais/v1/demo/events'], { qos: 1 });
  await waitFor('the retained floor', () => floor !== null);
  return {
    demo,
    dashboardUrl: `http://127.0.0.1:${dashboardPort}/`,
    mqttUrl: demo.brokerUrl,
    ptzSeen,
    watcher,
    floor: () => floor,
    events,
    async stop() {
      await watcher.endAsync(true).catch(() => undefined);
      await demo.stop();
    },
  };
}

/** Opens the page and logs in with the demo's operator or viewer account. */
export async function login(page: Page, url: string, who: 'operator' | 'viewer'): Promise<void> {
  await page.goto(url);
  await page.locator('#login-form').waitFor();
  await page.fill('#login-user', DEMO_LOGINS[who].username);
  await page.fill('#login-password', DEMO_LOGINS[who].password);
  await page.selectOption('#login-role', who);
  await page.click('#login-form button[type=submit]');
  await page.locator('body[data-link="up"]').waitFor();
}

/** Page errors and console errors, collected so a test can assert there were none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}${msg.location().url ? ` (${msg.location().url})` : ''}`);
  });
  return errors;
}

export interface DashboardSuite {
  env: DemoWithDashboard;
  browser: Browser;
  page: Page;
}

/**
 * Mocha hooks for a suite on one logged-in operator page: the web bundle
 * built, the demo and Chromium started (and `ready` awaited), no page errors
 * after each test, all stopped at the end. Read the parts in a later `before` or in the tests.
 */
export function dashboardSuite(options: Parameters<typeof startDemoWithDashboard>[0] = {}, ready?: (env: DemoWithDashboard) => Promise<void>): DashboardSuite {
  const parts = {} as DashboardSuite;
  let errors: string[] = [];
  before(async function () {
    this.timeout(60_000);
    await buildWeb();
    [parts.env, parts.browser] = await Promise.all([startDemoWithDashboard(options), launchBrowser()]);
    // What the page needs there before it opens (a relay's feeds: a preview asked too early is a 404 in its console).
    await ready?.(parts.env);
    parts.page = await parts.browser.context.newPage();
    errors = collectErrors(parts.page);
    await login(parts.page, parts.env.dashboardUrl, 'operator');
  });
  after(async () => {
    await parts.browser?.close();
    await parts.env?.stop();
  });
  afterEach(() => {
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });
  return parts;
}
