#!/usr/bin/env node
/**
 * `relais <command>`: one CLI for every role (see `relais --help`).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConductorConfig, loadConfigFile, loadSiteConfig, parseKind } from './config/load.js';
import type { FloorMessage } from './commands/floor-client.js';
import { clientOptions, withBrokerFlags } from './commands/broker-flags.js';
import { intArg, parsePort } from './util/args.js';
import { EXIT, UserError } from './util/errors.js';
import { translateCommander } from './util/commander-words.js';
import { cliLang, setLang, t, type Lang } from './i18n/index.js';
import { createLogger, setLogLevel, type LogLevel } from './util/log.js';
import { runUntilSignal } from './util/signals.js';
import { VERSION } from './version.js';
import { announceService } from './system/service.js';
import { addGlobalOptions, commandOf, registerExtraCommands, demoExtensions, applianceFeatures, createApplianceDriver } from './wiring.js';

const log = createLogger('relais');

/** The event's `lang` from its config, unless the command line or the environment chose one. */
function eventLang(argv: readonly string[], lang: Lang): void {
  if (langOf(argv) === undefined && !process.env['RELAIS_LANG'] && !process.env['LC_ALL'] && !process.env['LC_MESSAGES'] && !/^(fr|en)/i.test(process.env['LANG'] ?? '')) setLang(lang);
}

/** `--lang en` / `--lang=en` anywhere on the command line. */
function langOf(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (at < 0) return undefined;
  return argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1];
}

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = translateCommander(new Command());
  addGlobalOptions(program
    .name('relais')
    .description(t('help.relais'))
    .version(VERSION, '-V, --version', t('help.words.version')))
    .hook('preAction', (cmd) => setLogLevel(cmd.opts().logLevel as LogLevel))
    .showHelpAfterError();

  program
    .command('demo')
    .description(t('help.demo.description'))
    .option('--host <address>', t('help.embedded.host'), '127.0.0.1')
    .option('--mqtt-port <port>', t('help.embedded.mqttPort'), parsePort, 1883)
    .option('--ws-port <port>', t('help.embedded.wsPort'), parsePort, 9001)
    .option('--broker <url>', t('help.demo.broker'))
    .option('--no-media', t('help.demo.noMedia'))
    .option('--no-dashboard', t('help.demo.noDashboard'))
    .option('--dashboard-port <port>', t('help.demo.dashboardPort'), parsePort, 8080)
    .option('--rtmp-port <port>', t('help.demo.rtmpPort'), parsePort, 1935)
    .option('--http-port <port>', t('help.demo.httpPort'), parsePort, 8000)
    .option('--whep-port <port>', t('help.demo.whepPort'), parsePort, 8889)
    .addOption(new Option('--feeds <kind>', t('help.demo.feeds')).choices(['srt', 'rtmp']).default('srt'))
    .option('--srt-port <port>', t('help.demo.srtPort'), parsePort, 9100)
    .option('--no-screen', t('help.demo.noScreen'))
    .action(async (opts) => {
      const { runDemo } = await import('./demo/demo.js');
      await runDemo({
        host: opts.host,
        mqttPort: opts.mqttPort,
        wsPort: opts.wsPort,
        brokerUrl: opts.broker,
        interactive: Boolean(opts.screen && process.stdout.isTTY && process.stdin.isTTY),
        extensions: await demoExtensions(opts),
      });
    });

  program
    .command('appliance')
    .description(t('help.appliance.description'))
    .requiredOption('-c, --config <file>', t('help.appliance.config'))
    .option('--broker <url>', t('help.broker.override'))
    .action(async (opts) => {
      const config = await loadSiteConfig(opts.config);
      eventLang(argv, config.lang);
      if (opts.broker) config.broker.url = opts.broker;
      const { ApplianceRuntime } = await import('./appliance/runtime.js');
      const driver = await createApplianceDriver(config);
      const runtime = new ApplianceRuntime({ config, driver, features: await applianceFeatures(config, driver) });
      await runtime.start();
      log.info('appliance running; Ctrl-C to stop', { event: config.event, site: config.site, io: driver.kind });
      // Healthy while the event loop runs; a lost broker link is shown on the lamps, not fixed by a restart.
      const service = announceService('appliance');
      await runUntilSignal(async () => {
        await service.stopping();
        await runtime.stop();
        await driver.close();
      });
    });

  program
    .command('conductor')
    .description(t('help.conductor.description'))
    .requiredOption('-c, --config <file>', t('help.conductor.config'))
    .option('--standby', t('help.conductor.standby'))
    .option('--id <name>', t('help.conductor.id'))
    .option('--state-file <path>', t('help.conductor.stateFile'))
    .option('--broker <url>', t('help.broker.override'))
    .option('--embedded-broker', t('help.conductor.embeddedBroker'))
    .option('--host <address>', t('help.embedded.host'), '127.0.0.1')
    .option('--mqtt-port <port>', t('help.embedded.mqttPort'), parsePort, 1883)
    .option('--ws-port <port>', t('help.embedded.wsPort'), parsePort, 9001)
    .action(async (opts) => {
      const config = await loadConductorConfig(opts.config);
      eventLang(argv, config.lang);
      if (opts.id) config.conductor.id = opts.id;
      if (opts.stateFile) config.conductor.stateFile = opts.stateFile;
      if (opts.broker) config.broker.url = opts.broker;
      const { Conductor } = await import('./conductor/conductor.js');
      const { startEmbeddedBroker } = await import('./broker/embedded.js');
      const broker = opts.embeddedBroker ? await startEmbeddedBroker({ host: opts.host, tcpPort: opts.mqttPort, wsPort: opts.wsPort }) : null;
      if (broker) config.broker.url = broker.url;
      const conductor = new Conductor({ config, standby: Boolean(opts.standby) });
      await conductor.start();
      const service = announceService('conductor');
      await runUntilSignal(async () => {
        await service.stopping();
        await conductor.stop();
        await broker?.close();
      });
    });

  const configCmd = program.command('config').description(t('help.config.description'));
  configCmd
    .command('check')
    .description(t('help.config.check'))
    .argument('<file>', t('help.config.file'))
    .option('--kind <kind>', t('help.config.kind'), parseKind)
    .action(async (file: string, opts) => {
      const { kind, config } = await loadConfigFile(file, opts.kind);
      const what = kind === 'site' ? t('tools.configSite', { site: (config as { site: string }).site }) : t('tools.configConductor', { n: (config as { sites: unknown[] }).sites.length });
      process.stdout.write(`${t('tools.configOk', { file, kind, event: config.event, what })}\n`);
    });

  const floor = program.command('floor').description(t('help.floor.description'));
  const common = (cmd: Command): Command => withBrokerFlags(cmd).option('--json', t('help.json'));
  const clientOpts = clientOptions;
  // Loaded on use, so the box's own commands do not carry the floor client.
  const floorClient = (): Promise<typeof import('./commands/floor-client.js')> => import('./commands/floor-client.js');
  /** Sends one intent or control, prints the conductor's answer; exit status 1 when rejected. */
  const act = async (opts: Record<string, unknown>, message: FloorMessage): Promise<void> => {
    const { sendAndWait } = await floorClient();
    const { formatResult } = await floorClient();
    const result = await sendAndWait(clientOpts(opts), message);
    if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(formatResult(result) + '\n');
    if (result.result === 'rejected') process.exitCode = EXIT.failure;
  };

  common(floor.command('status').description(t('help.floor.status'))).action(async (opts) => {
    const { readStatus, formatStatus } = await floorClient();
    const status = await readStatus(clientOpts(opts));
    process.stdout.write((opts.json ? JSON.stringify(status) : formatStatus(status, opts.event)) + '\n');
  });
  for (const action of ['request', 'cancel', 'release'] as const) {
    common(floor.command(action).description(t(`help.floor.${action}`)).requiredOption('--site <site>', t('help.floor.site'))).action(async (opts) => {
      await act(opts, { kind: 'intent', site: opts.site, intent: { action } });
    });
  }
  common(floor.command('pass').description(t('help.floor.pass')).argument('[to]', t('help.floor.passTo')).requiredOption('--site <site>', t('help.floor.passSite'))).action(async (to: string | undefined, opts) => {
    await act(opts, { kind: 'intent', site: opts.site, intent: to ? { action: 'pass', to } : { action: 'pass' } });
  });
  common(floor.command('grant').description(t('help.floor.grant')).argument('<site>')).action(async (site: string, opts) => {
    await act(opts, { kind: 'control', control: { action: 'grant', site } });
  });
  common(floor.command('revoke').description(t('help.floor.revoke'))).action(async (opts) => {
    await act(opts, { kind: 'control', control: { action: 'revoke' } });
  });
  common(floor.command('next').description(t('help.floor.next'))).action(async (opts) => {
    await act(opts, { kind: 'control', control: { action: 'next' } });
  });
  common(floor.command('reorder').description(t('help.floor.reorder')).argument('<sites...>')).action(async (sites: string[], opts) => {
    await act(opts, { kind: 'control', control: { action: 'reorder', queue: sites } });
  });
  // The rundown's timer tools. Items and positions are counted from 1, as the rundown lists them.
  const minutes = intArg('<minutes>', -60, 60);
  const counted = (name: string) => (value: string): number => intArg(name, 1, 10_000)(value) - 1;
  common(floor.command('adjust').description(t('help.floor.adjust')).argument('<minutes>', t('help.floor.minutes'), (v: string) => {
    const n = minutes(v.replace(/^\+/, ''));
    if (n === 0) throw new InvalidArgumentError(t('errors.minutesZero'));
    return n;
  })).action(async (n: number, opts) => {
    await act(opts, { kind: 'control', control: { action: 'adjust', minutes: n } });
  });
  for (const action of ['skip', 'unskip'] as const) {
    common(floor.command(action).description(t(`help.floor.${action}`)).argument('<item>', t('help.floor.item'), counted('<item>'))).action(async (item: number, opts) => {
      await act(opts, { kind: 'control', control: { action, item } });
    });
  }
  common(floor.command('move').description(t('help.floor.move')).argument('<item>', t('help.floor.item'), counted('<item>')).argument('<position>', t('help.floor.position'), counted('<position>'))).action(async (item: number, to: number, opts) => {
    await act(opts, { kind: 'control', control: { action: 'move', item, to } });
  });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  // The language first, so that every message, even about the command line, speaks it.
  setLang(cliLang(langOf(argv), process.env));
  try {
    const program = await buildProgram(argv);
    await registerExtraCommands(program, commandOf(argv));
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`relais: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof UserError ? err.exitCode : EXIT.failure;
  }
}

void main(process.argv);
