/**
 * `relais tally watch`: connects to one switcher the way the box would (from
 * the site config, or from flags) and prints what it reports, live.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadSiteConfig } from '../config/load.js';
import { intArg, parsePort } from '../util/args.js';
import { UserError } from '../util/errors.js';
import { t } from '../i18n/index.js';
import { nextSignal } from '../util/signals.js';
import { tallySourceConfigSchema, type TallySourceConfig } from './config.js';
import { inputMapping, openTallySource } from './open.js';
import { connectionLine, tallyLine } from './watch.js';

interface WatchFlags {
  config?: string;
  source: number;
  kind?: string;
  host?: string;
  port?: number;
  password?: string;
  tslVersion: '3.1' | '5.0';
  udp?: number;
  tcp?: number;
  count?: number;
}

function kindArg(value: string): string {
  if (!['atem', 'obs', 'vmix', 'tsl'].includes(value)) throw new InvalidArgumentError(t('errors.tallyKind'));
  return value;
}

async function sourceConfig(opts: WatchFlags): Promise<{ config: TallySourceConfig; mapped: boolean }> {
  if (opts.config) {
    const site = await loadSiteConfig(opts.config);
    const config = site.tallySources[opts.source];
    if (!config) throw new UserError(t('errors.tallyNoSource', { file: opts.config, index: opts.source, count: site.tallySources.length }));
    return { config, mapped: true };
  }
  if (!opts.kind) throw new UserError(t('errors.tallyNeedsSource'));
  // No site here: one placeholder camera satisfies the schema; the lines show inputs, not cameras.
  const raw: Record<string, unknown> = { kind: opts.kind, cameras: { _: 0 } };
  if (opts.host) raw.host = opts.host;
  if (opts.port !== undefined) raw.port = opts.port;
  if (opts.password !== undefined) raw.password = opts.password;
  if (opts.kind === 'tsl') Object.assign(raw, { version: opts.tslVersion, udpPort: opts.udp, tcpPort: opts.tcp, silenceMs: 0 });
  const parsed = tallySourceConfigSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(t('errors.tallyBadOptions', { problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(source)'} ${i.message}`).join('; ') }));
  return { config: parsed.data, mapped: false };
}

export function registerTallyCommands(program: Command): void {
  const tally = program.command('tally').description(t('help.tally.description'));
  tally
    .command('watch')
    .description(t('help.tally.watch'))
    .option('-c, --config <file>', t('help.tally.config'))
    .option('--source <n>', t('help.tally.source'), intArg('--source', 0, 63), 0)
    .option('--kind <kind>', t('help.tally.kind'), kindArg)
    .option('--host <addr>', t('help.tally.host'))
    .option('--port <port>', t('help.tally.port'), parsePort)
    .option('--password <password>', t('help.tally.password'))
    .option('--tsl-version <v>', t('help.tally.tslVersion'), '5.0')
    .option('--udp <port>', t('help.tally.udp'), parsePort)
    .option('--tcp <port>', t('help.tally.tcp'), parsePort)
    .option('--count <n>', t('help.tally.count'), intArg('--count', 1, 1_000_000))
    .action(async (opts: WatchFlags) => {
      const { config, mapped } = await sourceConfig(opts);
      const source = openTallySource(config);
      const mapping = mapped ? inputMapping(config) : null;
      const interrupted = nextSignal();
      let lines = 0;
      let done: () => void = () => {};
      const counted = new Promise<void>((r) => (done = r));
      source.on('connection', (c) => process.stdout.write(`${connectionLine(source.describe, c, Date.now())}\n`));
      source.on('tally', (snapshot) => {
        process.stdout.write(`${tallyLine(snapshot, mapping, Date.now())}\n`);
        if (opts.count !== undefined && ++lines >= opts.count) done();
      });
      process.stdout.write(`${t('tools.tallyConnecting', { source: source.describe })}\n`);
      source.start();
      await Promise.race([interrupted, counted]);
      await source.stop();
    });
}
