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
import { registerMediaCommands } from './media/cli.js';
import { createDisplayFeature } from './media/display-feature.js';
import { createEncoderFeature } from './media/encoder-feature.js';
import { mediaDemoExtension } from './demo/media-extension.js';
import { cameraDemoExtension } from './demo/camera-extension.js';
import { registerPtzCommands } from './ptz/cli.js';
import { PtzFeature } from './ptz/feature.js';
import { registerDashboardCommand, dashboardDemoExtension } from './dashboard/command.js';
import { registerDoctorCommand } from './doctor/command.js';

/** Commands of the other parts (`ptz`, `sim`, `relay`, `media`, `dashboard`, `doctor`). */
export function registerExtraCommands(program: Command): void {
  registerMediaCommands(program);
  registerPtzCommands(program);
  registerDashboardCommand(program);
  registerDoctorCommand(program);
}

/** What `relais demo` starts beside the core, from its flags. */
export async function demoExtensions(opts: Record<string, unknown>): Promise<DemoExtension[]> {
  const extensions: DemoExtension[] = [];
  extensions.push(cameraDemoExtension());
  if (opts.media !== false) extensions.push(mediaDemoExtension({ rtmpPort: opts.rtmpPort as number, httpPort: opts.httpPort as number }));
  if (opts.dashboard !== false) {
    extensions.push(dashboardDemoExtension(opts.dashboardPort as number, {
      host: opts.host as string,
      relayHttpBase: opts.media !== false ? `http://${opts.host as string}:${opts.httpPort as number}` : null,
    }));
  }
  return extensions;
}

/** The features a box runs, from its config. */
export async function applianceFeatures(config: SiteConfig, driver: IoDriver): Promise<Feature[]> {
  const features: Feature[] = [];
  if (Object.keys(config.tallyIn).length > 0) features.push(new TallyInFeature({ driver, io: config.io, cameras: config.tallyIn }));
  if (config.cameras.length > 0) features.push(new PtzFeature({ cameras: config.cameras }));
  if (config.encoder?.enabled) features.push(createEncoderFeature(config.encoder));
  if (config.display?.enabled) features.push(createDisplayFeature(config.display));
  return features;
}

/** The I/O driver the config's `io` section asks for (simulated when absent). */
export async function createApplianceDriver(config: SiteConfig): Promise<IoDriver> {
  return createIoDriver(config.io);
}
