/**
 * Where the optional parts (hardware drivers, PTZ, media, dashboard, doctor)
 * join the CLI, the demo and the appliance. Each part lives in its own folder
 * and is imported only when used, so a box running `relais appliance` does not
 * load the relay, the dashboard or the doctor (docs/benchmarks.md: memory).
 */
import { currentLang, t } from './i18n/index.js';
import { Command } from 'commander';
import type { Feature } from './appliance/feature.js';
import type { ProgramFeed } from './ptz/feature.js';
import type { TallyInFeature } from './appliance/tally-in.js';
import type { SiteConfig } from './config/schema.js';
import type { DemoExtension } from './demo/demo.js';
import { createIoDriver } from './hardware/factory.js';
import type { IoDriver } from './hardware/types.js';

/** The global options before the command; those that take a value must be known to find the command. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--log-level <level>', t('help.logLevel'), 'info')
    .option('--lang <fr|en>', t('help.lang'));
}

/**
 * The command a command line runs (`appliance` in `relais --log-level debug
 * appliance -c x.yaml`), read by commander with the global options, or
 * undefined when there is none before an option commander does not know.
 */
export function commandOf(argv: readonly string[]): string | undefined {
  return addGlobalOptions(new Command()).parseOptions(argv.slice(2)).operands[0];
}

type Register = (program: Command) => void;

/** The commands of the core: they need none of the parts below. */
const CORE_COMMANDS = new Set(['demo', 'appliance', 'conductor', 'floor', 'config']);

/** The other parts, each loaded only for its own commands (and all of them for help or an unknown command). */
const PARTS: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<Register> }> = [
  { commands: ['relay', 'media'], load: async () => (await import('./media/cli.js')).registerMediaCommands },
  { commands: ['ptz'], load: async () => (await import('./ptz/cli.js')).registerPtzCommands },
  { commands: ['tally'], load: async () => (await import('./tally/cli.js')).registerTallyCommands },
  {
    commands: ['sim'],
    load: async () => {
      const [camera, link] = await Promise.all([import('./sim/cli.js'), import('./sim/link-cli.js')]);
      return (program) => {
        camera.registerSimCommands(program);
        link.registerSimLinkCommand(program);
      };
    },
  },
  { commands: ['link'], load: async () => (await import('./media/link-cli.js')).registerLinkCommands },
  { commands: ['dashboard'], load: async () => (await import('./dashboard/command.js')).registerDashboardCommand },
  { commands: ['doctor'], load: async () => (await import('./doctor/command.js')).registerDoctorCommand },
  { commands: ['rundown'], load: async () => (await import('./commands/rundown.js')).registerRundownCommand },
  { commands: ['message'], load: async () => (await import('./commands/message.js')).registerMessageCommand },
];

/** Adds the commands of the parts that `command` needs, so a box running `relais appliance` stays small. */
export async function registerExtraCommands(program: Command, command: string | undefined): Promise<void> {
  if (command !== undefined && CORE_COMMANDS.has(command)) return;
  const own = PARTS.filter((part) => command !== undefined && part.commands.includes(command));
  const needed = own.length > 0 ? own : PARTS;
  for (const register of await Promise.all(needed.map((part) => part.load()))) register(program);
}

/** What `relais demo` starts beside the core, from its flags. */
export async function demoExtensions(opts: Record<string, unknown>): Promise<DemoExtension[]> {
  const extensions: DemoExtension[] = [];
  extensions.push((await import('./demo/camera-extension.js')).cameraDemoExtension());
  extensions.push((await import('./demo/tally-extension.js')).tallyDemoExtension());
  if (opts.media !== false) {
    const { mediaDemoExtension } = await import('./demo/media-extension.js');
    extensions.push(mediaDemoExtension({ rtmpPort: opts.rtmpPort as number, httpPort: opts.httpPort as number, srtPort: opts.srtPort as number, whepPort: opts.whepPort as number, feeds: opts.feeds as 'srt' | 'rtmp' }));
  }
  if (opts.dashboard !== false) {
    const { dashboardDemoExtension } = await import('./demo/dashboard-extension.js');
    extensions.push(dashboardDemoExtension(opts.dashboardPort as number, {
      host: opts.host as string,
      relayHttpBase: opts.media !== false ? `http://${opts.host as string}:${opts.httpPort as number}` : null,
      relayWhepBase: opts.media !== false ? `http://${opts.host as string}:${opts.whepPort as number}` : null,
      lang: currentLang(),
    }));
  }
  return extensions;
}

/** The features a box runs, from its config. */
export async function applianceFeatures(config: SiteConfig, driver: IoDriver): Promise<Feature[]> {
  const features: Feature[] = [];
  const programFeeds: ProgramFeed[] = [];
  let contacts: TallyInFeature | undefined;
  if (Object.keys(config.tallyIn).length > 0) {
    const { TallyInFeature } = await import('./appliance/tally-in.js');
    contacts = new TallyInFeature({ driver, io: config.io, cameras: config.tallyIn });
    features.push(contacts);
    programFeeds.push(contacts);
  }
  if (config.tallySources.length > 0 || config.tallyOut) {
    const { SwitcherTallyFeature } = await import('./tally/feature.js');
    // Started after the contacts, so tally out has their cameras from the first packet.
    const network = new SwitcherTallyFeature({ sources: config.tallySources, tallyOut: config.tallyOut, driver, io: config.io, ...(contacts ? { contacts } : {}) });
    features.push(network);
    programFeeds.push(network);
  }
  if (config.cameras.length > 0) {
    const { PtzFeature } = await import('./ptz/feature.js');
    features.push(new PtzFeature({ cameras: config.cameras, programFeeds }));
  }
  if (config.encoder?.enabled) features.push((await import('./media/encoder-feature.js')).createEncoderFeature(config.encoder));
  if (config.display?.enabled) features.push((await import('./media/display-feature.js')).createDisplayFeature(config.display, { lang: config.lang }));
  // Every box: the newest `relais link test --report` of its link, into its state.
  features.push(new (await import('./media/link-test-feature.js')).LinkTestFeature());
  return features;
}

/** The I/O driver the config's `io` section asks for (simulated when absent). */
export async function createApplianceDriver(config: SiteConfig): Promise<IoDriver> {
  return createIoDriver(config.io);
}
