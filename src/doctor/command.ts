/**
 * `relais doctor`: the one command a technician runs on a new box.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { parse } from 'yaml';
import { defaultFsProbe } from './fs-probe.js';
import { spawnFfmpeg } from './ffmpeg.js';
import { CHECK_NAMES, exitCodeFor, formatResults, runDoctor, type CheckName } from './run.js';
import type { BrokerCheckOptions } from './broker.js';
import { topic } from '../protocol/topics.js';

interface DoctorCliOptions {
  config?: string;
  broker?: string;
  username?: string;
  password?: string;
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

/** The broker fields of a site or conductor config (the same keys the config loader reads). */
interface ConfigBits {
  event?: string;
  site?: string;
  broker?: { url?: string; username?: string; password?: string; ca?: string };
}

async function readConfigBits(path: string): Promise<ConfigBits> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${path}: ${(err as Error).message}; pass the file the service uses, e.g. /etc/relais/appliance.yaml`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`config ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new Error(`config ${path} is empty or not a mapping`);
  const c = doc as Record<string, unknown>;
  const broker = (c.broker && typeof c.broker === 'object' ? c.broker : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    event: str(c.event),
    site: str(c.site),
    broker: { url: str(broker.url), username: str(broker.username), password: str(broker.password), ca: str(broker.ca) },
  };
}

/** Adds `doctor` to a commander 14 program. Exit status 1 when a check fails. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check this box: GPIO, serial ports, ffmpeg encoders, broker, clock, disk, temperature')
    .option('-c, --config <file>', 'read broker, event and site from this config (e.g. /etc/relais/appliance.yaml)')
    .option('--broker <url>', 'broker URL (overrides the config)')
    .option('-u, --username <name>', 'broker user name')
    .option('-p, --password <secret>', 'broker password (or RELAIS_BROKER_PASSWORD)')
    .option('--ca <file>', 'CA certificate for mqtts:// and wss://')
    .option('--event <id>', 'event id (for the conductor heartbeat)')
    .option('--site <id>', 'site id (the probe then uses the site’s own topic)')
    .option('--probe-topic <topic>', 'topic to publish the round-trip probe on (must be allowed by the ACL)')
    .addOption(new Option('--only <checks...>', 'run only these checks').choices([...CHECK_NAMES]))
    .option('--root <dir>', 'look for /sys and /dev under this directory (tests, chroots)', '/')
    .option('--ffmpeg <path>', 'ffmpeg binary', 'ffmpeg')
    .option('--disk-path <dir>', 'where to measure free space (default /var/lib/relais)')
    .option('--json', 'print the results as JSON')
    .action(async (opts: DoctorCliOptions, cmd: Command) => {
      let bits: ConfigBits = {};
      try {
        if (opts.config) bits = await readConfigBits(opts.config);
      } catch (err) {
        cmd.error(`relais doctor: ${(err as Error).message}`, { exitCode: 2 });
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
        const password = opts.password ?? process.env.RELAIS_BROKER_PASSWORD ?? bits.broker?.password;
        const ca = opts.ca ?? bits.broker?.ca;
        if (username) broker.username = username;
        if (password) broker.password = password;
        if (ca) broker.ca = ca;
        if (event) broker.event = event;
      }
      const results = await runDoctor({
        only: opts.only as CheckName[] | undefined,
        probe: defaultFsProbe(opts.root),
        ffmpeg: spawnFfmpeg(opts.ffmpeg),
        broker,
        diskPath: opts.diskPath,
      });
      process.stdout.write((opts.json ? JSON.stringify(results, null, 2) : formatResults(results)) + '\n');
      process.exitCode = exitCodeFor(results);
    });
}
