/**
 * Where the optional parts (hardware drivers, PTZ, media, dashboard, doctor)
 * join the CLI, the demo and the appliance. Each part lives in its own folder.
 */
import type { Command } from 'commander';
import type { Feature } from './appliance/feature.js';
import type { SiteConfig } from './config/schema.js';
import type { DemoExtension } from './demo/demo.js';
import { SimulatedDriver } from './hardware/simulated.js';
import type { IoDriver } from './hardware/types.js';

/** Commands of the other parts (`ptz`, `sim`, `relay`, `media`, `dashboard`, `doctor`). */
export function registerExtraCommands(_program: Command): void {}

export async function demoExtensions(_opts: Record<string, unknown>): Promise<DemoExtension[]> {
  return [];
}

export async function applianceFeatures(_config: SiteConfig): Promise<Feature[]> {
  return [];
}

export async function createApplianceDriver(_config: SiteConfig): Promise<IoDriver> {
  return new SimulatedDriver();
}
