/**
 * Where the optional parts (hardware drivers, PTZ, media, dashboard, doctor)
 * join the CLI, the demo and the appliance. Each part lives in its own folder
 * and is imported only when used, so a box running `relais appliance` does not
 * load the relay, the dashboard or the doctor (docs/benchmarks.md: memory).
 */
import type { Command } from 'commander';
import type { Feature } from './appliance/feature.js';
import type { SiteConfig } from './config/schema.js';
import type { DemoExtension } from './demo/demo.js';
import { createIoDriver } from './hardware/factory.js';
import type { IoDriver } from './hardware/types.js';

/** The commands of the core; anything else on the command line is one of the parts below. */
const CORE_COMMANDS = new Set(['appliance', 'conductor', 'floor', 'config']);

/**
 * Commands of the other parts (`ptz`, `sim`, `relay`, `media`, `dashboard`, `doctor`).
 * Skipped when the command line runs a core command, to keep those processes small.
 */
export async function registerExtraCommands(program: Command, argv: readonly string[]): Promise<void> {
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  if (command && CORE_COMMANDS.has(command)) return;
  const [media, mediaLink, ptz, simLink, dashboard, doctor] = await Promise.all([
    import('./media/cli.js'),
    import('./media/link-cli.js'),
    import('./ptz/cli.js'),
    import('./sim/link-cli.js'),
    import('./dashboard/command.js'),
    import('./doctor/command.js'),
  ]);
  media.registerMediaCommands(program);
  mediaLink.registerLinkCommands(program);
  ptz.registerPtzCommands(program);
  simLink.registerSimLinkCommand(program);
  dashboard.registerDashboardCommand(program);
  doctor.registerDoctorCommand(program);
}

/** What `relais demo` starts beside the core, from its flags. */
export async function demoExtensions(opts: Record<string, unknown>): Promise<DemoExtension[]> {
  const extensions: DemoExtension[] = [];
  extensions.push((await import('./demo/camera-extension.js')).cameraDemoExtension());
  if (opts.media !== false) {
    const { mediaDemoExtension } = await import('./demo/media-extension.js');
    extensions.push(mediaDemoExtension({ rtmpPort: opts.rtmpPort as number, httpPort: opts.httpPort as number }));
  }
  if (opts.dashboard !== false) {
    const { dashboardDemoExtension } = await import('./dashboard/command.js');
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
  if (Object.keys(config.tallyIn).length > 0) {
    const { TallyInFeature } = await import('./appliance/tally-in.js');
    features.push(new TallyInFeature({ driver, io: config.io, cameras: config.tallyIn }));
  }
  if (config.cameras.length > 0) {
    const { PtzFeature } = await import('./ptz/feature.js');
    features.push(new PtzFeature({ cameras: config.cameras }));
  }
  if (config.encoder?.enabled) features.push((await import('./media/encoder-feature.js')).createEncoderFeature(config.encoder));
  if (config.display?.enabled) features.push((await import('./media/display-feature.js')).createDisplayFeature(config.display));
  return features;
}

/** The I/O driver the config's `io` section asks for (simulated when absent). */
export async function createApplianceDriver(config: SiteConfig): Promise<IoDriver> {
  return createIoDriver(config.io);
}
