/**
 * Where the optional parts (hardware drivers, PTZ, media, dashboard, doctor)
 * join the CLI, the demo and the appliance. Each part lives in its own folder.
 */
import type { Command } from 'commander';
import type { Feature } from './appliance/feature.js';
import type { SiteConfig } from './config/schema.js';
import type { DemoExtension } from './demo/demo.js';
import { createIoDriver } from './hardware/factory.js';
import type { IoDriver } from './hardware/types.js';
import { TallyInFeature } from './appliance/tally-in.js';

/** Commands of the other parts (`ptz`, `sim`, `relay`, `media`, `dashboard`, `doctor`). */
export function registerExtraCommands(_program: Command): void {}

export async function demoExtensions(_opts: Record<string, unknown>): Promise<DemoExtension[]> {
  return [];
}

/** The features a box runs, from its config. */
export async function applianceFeatures(config: SiteConfig, driver: IoDriver): Promise<Feature[]> {
  const features: Feature[] = [];
  if (Object.keys(config.tallyIn).length > 0) features.push(new TallyInFeature({ driver, io: config.io, cameras: config.tallyIn }));
  return features;
}

/** The I/O driver the config's `io` section asks for (simulated when absent). */
export async function createApplianceDriver(config: SiteConfig): Promise<IoDriver> {
  return createIoDriver(config.io);
}
