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
import { translateCommanderErrors } from './util/commander-words.js';
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
  const program = translateCommanderErrors(new Command());
  addGlobalOptions(program
    .name('relais')
    .description('relais: floor hand-off, tally, PTZ and room feeds for multi-site live events, over MQTT')
    .version(VERSION))
    .hook('preAction', (cmd) => setLogLevel(cmd.opts().logLevel as LogLevel))
    .showHelpAfterError();

  program
    .command('demo')
    .description('run the whole system on this machine: embedded broker, conductor and three simulated sites (npm start)')
    .option('--host <address>', 'address the embedded broker listens on', '127.0.0.1')
    .option('--mqtt-port <port>', 'MQTT over TCP port of the embedded broker', parsePort, 1883)
    .option('--ws-port <port>', 'MQTT over WebSockets port (the dashboard uses it)', parsePort, 9001)
    .option('--broker <url>', 'use this broker instead of the embedded one')
    .option('--no-media', 'do not start the relay and the test-pattern feeds')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--dashboard-port <port>', 'dashboard HTTP port', parsePort, 8080)
    .option('--rtmp-port <port>', 'relay RTMP ingest port', parsePort, 1935)
    .option('--http-port <port>', 'relay HTTP-FLV / WS-FLV port', parsePort, 8000)
    .addOption(new Option('--feeds <kind>', 'room feeds over SRT through the relay\'s hub (RTMP when srt-live-transmit is missing) or over RTMP').choices(['srt', 'rtmp']).default('srt'))
    .option('--srt-port <port>', 'first SRT port of the relay: ingest port..port+2, the displays\' feeds port+3..port+11', parsePort, 9100)
    .option('--no-screen', 'plain logs instead of the live screen, even on a terminal')
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
    .description('run a venue box: buttons, lamps, tally, PTZ and feed, following the floor')
    .requiredOption('-c, --config <file>', 'site config (YAML), e.g. hardware/examples/site-simulated.yaml')
    .option('--broker <url>', 'override broker.url')
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
    .description('run the floor arbiter (one per event; a second one with --standby takes over if it fails)')
    .requiredOption('-c, --config <file>', 'conductor config (YAML), e.g. hardware/examples/conductor.yaml')
    .option('--standby', 'wait as a standby and take over when the primary fails')
    .option('--id <name>', 'override conductor.id')
    .option('--state-file <path>', 'override conductor.stateFile')
    .option('--broker <url>', 'override broker.url')
    .option('--embedded-broker', 'run the embedded MQTT broker in this process')
    .option('--host <address>', 'address the embedded broker listens on', '127.0.0.1')
    .option('--mqtt-port <port>', 'embedded broker TCP port', parsePort, 1883)
    .option('--ws-port <port>', 'embedded broker WebSocket port', parsePort, 9001)
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

  const configCmd = program.command('config').description('configuration tools');
  configCmd
    .command('check')
    .description('validate a site or conductor config and print what is wrong, with the path and the fix')
    .argument('<file>', 'YAML config file')
    .option('--kind <kind>', 'site | conductor (default: a file with `site` or another box-only key is a site config)', parseKind)
    .action(async (file: string, opts) => {
      const { kind, config } = await loadConfigFile(file, opts.kind);
      const what = kind === 'site' ? t('tools.configSite', { site: (config as { site: string }).site }) : t('tools.configConductor', { n: (config as { sites: unknown[] }).sites.length });
      process.stdout.write(`${t('tools.configOk', { file, kind, event: config.event, what })}\n`);
    });

  const floor = program.command('floor').description('read the floor or act on it, against any broker');
  const common = (cmd: Command): Command => withBrokerFlags(cmd).option('--json', 'print JSON');
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

  common(floor.command('status').description('show who is on air, next, the queue and every site')).action(async (opts) => {
    const { readStatus, formatStatus } = await floorClient();
    const status = await readStatus(clientOpts(opts));
    process.stdout.write((opts.json ? JSON.stringify(status) : formatStatus(status, opts.event)) + '\n');
  });
  for (const action of ['request', 'cancel', 'release'] as const) {
    common(floor.command(action).description(`send a "${action}" intent as a site`).requiredOption('--site <site>', 'the site acting')).action(async (opts) => {
      await act(opts, { kind: 'intent', site: opts.site, intent: { action } });
    });
  }
  common(floor.command('pass').description('pass the floor from the on-air site to another (default: whoever is next)').argument('[to]', 'site to pass to').requiredOption('--site <site>', 'the site on air')).action(async (to: string | undefined, opts) => {
    await act(opts, { kind: 'intent', site: opts.site, intent: to ? { action: 'pass', to } : { action: 'pass' } });
  });
  common(floor.command('grant').description('operator: put a site on air').argument('<site>')).action(async (site: string, opts) => {
    await act(opts, { kind: 'control', control: { action: 'grant', site } });
  });
  common(floor.command('revoke').description('operator: take the floor back')).action(async (opts) => {
    await act(opts, { kind: 'control', control: { action: 'revoke' } });
  });
  common(floor.command('next').description('operator: hand the floor to whoever is next')).action(async (opts) => {
    await act(opts, { kind: 'control', control: { action: 'next' } });
  });
  common(floor.command('reorder').description('operator: set the queue').argument('<sites...>')).action(async (sites: string[], opts) => {
    await act(opts, { kind: 'control', control: { action: 'reorder', queue: sites } });
  });
  // The rundown's timer tools. Items and positions are counted from 1, as the rundown lists them.
  const minutes = intArg('<minutes>', -60, 60);
  const counted = (name: string) => (value: string): number => intArg(name, 1, 10_000)(value) - 1;
  common(floor.command('adjust').description('operator: add minutes to the current item (+2), or take some (-3)').argument('<minutes>', 'whole minutes, -60 to +60, not 0', (v: string) => {
    const n = minutes(v.replace(/^\+/, ''));
    if (n === 0) throw new InvalidArgumentError('<minutes> must not be 0.');
    return n;
  })).action(async (n: number, opts) => {
    await act(opts, { kind: 'control', control: { action: 'adjust', minutes: n } });
  });
  for (const action of ['skip', 'unskip'] as const) {
    common(floor.command(action).description(action === 'skip' ? 'operator: skip a rundown item not yet played' : 'operator: take the skip off an item').argument('<item>', 'the item\'s number in the rundown (1 is the first)', counted('<item>'))).action(async (item: number, opts) => {
      await act(opts, { kind: 'control', control: { action, item } });
    });
  }
  common(floor.command('move').description('operator: move an item not yet played to another place of the day').argument('<item>', 'the item\'s number in the rundown (1 is the first)', counted('<item>')).argument('<position>', 'its new place in the play order (1 is the first item of the day)', counted('<position>'))).action(async (item: number, to: number, opts) => {
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
