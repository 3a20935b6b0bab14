/**
 * `relais doctor`: the one command a technician runs on a new box.
 */
import { Command, Option } from 'commander';
import { applyEnvOverrides, ConfigError, loadConfigFile } from '../config/load.js';
import { defaultFsProbe } from './fs-probe.js';
import { spawnFfmpeg } from './ffmpeg.js';
import type { TallySourceConfig } from '../tally/config.js';
import { CHECK_NAMES, exitCodeFor, formatResults, runDoctor, type CheckName } from './run.js';
import type { BrokerCheckOptions } from './broker.js';
import type { NamedDevices } from './devices.js';
import { topic } from '../protocol/topics.js';
import { EXIT, UserError } from '../util/errors.js';
import { t } from '../i18n/index.js';

interface DoctorCliOptions {
  config?: string;
  broker?: string;
  username?: string;
  password?: string;
  /** The old spelling of `-P`, still read. */
  p?: string;
  ca?: string;
  event?: string;
  site?: string;
  probeTopic?: string;
  only?: string[];
  root: string;
  ffmpeg: string;
  diskPath?: string;
  json?: boolean;
}

/** What the doctor takes from a config: the broker, the event and the site. */
interface ConfigBits {
  event?: string;
  site?: string;
  broker?: { url?: string; username?: string; password?: string; ca?: string };
  tallySources?: TallySourceConfig[];
  /** A site config's devices, checked one by one. */
  devices?: NamedDevices;
}

/**
 * Reads the config the way the service does (config/load: validated, with the
 * `RELAIS_*` environment overrides), so the doctor checks what the service
 * will use. Without a file, the environment alone.
 */
async function readConfigBits(path: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigBits> {
  if (path === undefined) {
    const raw = applyEnvOverrides({}, 'site', env) as ConfigBits;
    return { event: raw.event, site: raw.site, broker: raw.broker };
  }
  try {
    const { config } = await loadConfigFile(path, undefined, env);
    if ('site' in config) return { event: config.event, site: config.site, broker: config.broker, devices: { io: config.io, cameras: config.cameras }, tallySources: config.tallySources };
    return { event: config.event, broker: config.broker };
  } catch (err) {
    if (err instanceof ConfigError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new UserError(t('doctor.configNotFound', { path }));
    }
    throw err;
  }
}

/** Adds `doctor` to a commander 14 program. Exit status 1 when a check fails. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(t('help.doctor.description'))
    .option('-c, --config <file>', t('help.doctor.config'))
    .option('--broker <url>', t('help.doctor.broker'))
    .option('-u, --username <name>', t('help.doctor.username'))
    .option('-P, --password <secret>', t('help.doctor.password'))
    .addOption(new Option('-p <secret>', t('help.doctor.oldPassword')).hideHelp())
    .option('--ca <file>', t('help.doctor.ca'))
    .option('--event <id>', t('help.doctor.event'))
    .option('--site <id>', t('help.doctor.site'))
    .option('--probe-topic <topic>', t('help.doctor.probeTopic'))
    .addOption(new Option('--only <checks...>', t('help.doctor.only')).choices([...CHECK_NAMES]))
    .option('--root <dir>', t('help.doctor.root'), '/')
    .option('--ffmpeg <path>', t('help.doctor.ffmpeg'), 'ffmpeg')
    .option('--disk-path <dir>', t('help.doctor.diskPath'))
    .option('--json', t('help.json'))
    .action(async (opts: DoctorCliOptions, cmd: Command) => {
      let bits: ConfigBits = {};
      try {
        bits = await readConfigBits(opts.config, process.env);
      } catch (err) {
        cmd.error(`relais doctor: ${(err as Error).message}`, { exitCode: err instanceof UserError ? err.exitCode : EXIT.usage });
      }
      const url = opts.broker ?? bits.broker?.url;
      const event = opts.event ?? bits.event;
      const site = opts.site ?? bits.site;
      let broker: BrokerCheckOptions | undefined;
      if (url) {
        const probeTopic =
          opts.probeTopic ?? (event && site ? topic(event, 'siteDoctor', site) : topic(event ?? 'doctor', 'doctorProbe', String(process.pid)));
        broker = { url, probeTopic };
        const username = opts.username ?? bits.broker?.username;
        const password = opts.password ?? opts.p ?? bits.broker?.password;
        const ca = opts.ca ?? bits.broker?.ca;
        if (username) broker.username = username;
        if (password) broker.password = password;
        if (ca) broker.ca = ca;
        if (event) broker.event = event;
        if (site) broker.site = site;
      }
      const results = await runDoctor({
        only: opts.only as CheckName[] | undefined,
        probe: defaultFsProbe(opts.root),
        ffmpeg: spawnFfmpeg(opts.ffmpeg),
        broker,
        diskPath: opts.diskPath,
        tallySources: bits.tallySources,
        ...(bits.devices ? { devices: bits.devices } : {}),
      });
      process.stdout.write((opts.json ? JSON.stringify(results, null, 2) : formatResults(results)) + '\n');
      process.exitCode = exitCodeFor(results);
    });
}
