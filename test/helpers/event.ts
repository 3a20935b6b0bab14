/** Builds a conductor and simulated appliances against a test broker. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { validateConfig } from '../../src/config/load.js';
import type { ConductorConfig, SiteConfig } from '../../src/config/schema.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { quietLogger } from './log.js';

export const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];

export function conductorConfig(url: string, stateFile: string, extra: Record<string, unknown> = {}, sites = SITES): ConductorConfig {
  return validateConfig('conductor', {
    event: 'test',
    broker: { url, reconnectMs: 200, keepaliveSeconds: 2 },
    conductor: { stateFile, heartbeatMs: 200, leaseMs: 1000, ...extra },
    sites: sites.map((id) => ({ id })),
    rundown: [
      { title: 'Opening', speaker: 'A', site: sites[0], minutes: 10 },
      { title: 'Talk', speaker: 'B', site: sites[1] ?? sites[0], minutes: 20 },
    ],
  }, 'test');
}

/** A site config for the test event; `extra` adds or replaces whole sections (e.g. `buttons`). */
export function siteConfig(url: string, site: string, link: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): SiteConfig {
  return validateConfig('site', { event: 'test', site, broker: { url, reconnectMs: 200, keepaliveSeconds: 2 }, link: { leaseMs: 1000, holdPressMs: 3000, ...link }, ...extra }, 'test');
}

export interface TestEvent {
  dir: string;
  conductor: Conductor;
  boxes: Map<string, { runtime: ApplianceRuntime; driver: SimulatedDriver }>;
  box(site: string): { runtime: ApplianceRuntime; driver: SimulatedDriver };
  stop(): Promise<void>;
}

export async function startTestEvent(url: string, options: { conductor?: Record<string, unknown>; link?: Record<string, unknown>; site?: Record<string, unknown>; sites?: string[] } = {}): Promise<TestEvent> {
  const dir = await mkdtemp(join(tmpdir(), 'relais-event-'));
  const sites = options.sites ?? SITES;
  const conductor = new Conductor({ config: conductorConfig(url, join(dir, 'state.json'), options.conductor, sites), log: quietLogger('conductor') });
  conductor.setMaxListeners(50);
  await conductor.start();
  const boxes = new Map<string, { runtime: ApplianceRuntime; driver: SimulatedDriver }>();
  await Promise.all(sites.map(async (site) => {
    const driver = new SimulatedDriver();
    const runtime = new ApplianceRuntime({ config: siteConfig(url, site, options.link, options.site), driver, log: quietLogger(site) });
    await runtime.start();
    boxes.set(site, { runtime, driver });
  }));
  return {
    dir,
    conductor,
    boxes,
    box(site) {
      const found = boxes.get(site);
      if (!found) throw new Error(`no box ${site}`);
      return found;
    },
    async stop() {
      await Promise.allSettled([...boxes.values()].map((b) => b.runtime.stop()));
      await conductor.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
