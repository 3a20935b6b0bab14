/**
 * `relais link test <relay>` (a technician, on the box, the day before) and
 * `relais link echo` (at the relay): RTT, loss and uplink capacity over a
 * bounded time, and the SRT latency and bitrate to put in the config.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfigFile } from '../config/load.js';
import { connectBroker, waitConnected } from '../mqtt/connect.js';
import type { LinkTestPart } from '../protocol/site-state.js';
import { encode, topic } from '../protocol/topics.js';
import { intArg, parsePort } from '../util/args.js';
import { UserError } from '../util/errors.js';
import { t } from '../i18n/index.js';
import { decimal } from '../i18n/numbers.js';
import { nextSignal } from '../util/signals.js';
import { linkTestReport, recommend, runLinkTest, startLinkEcho } from './link-test.js';

export const DEFAULT_ECHO_PORT = 9999;

/** `relay.example` or `relay.example:9999`. */
export function parseTarget(value: string): { host: string; port: number } {
  const match = /^([^\s:]+)(?::(\d{1,5}))?$/.exec(value);
  const port = match?.[2] ? Number(match[2]) : DEFAULT_ECHO_PORT;
  if (!match || port < 1 || port > 65_535) throw new InvalidArgumentError(t('errors.linkTarget', { value, port: DEFAULT_ECHO_PORT }));
  return { host: match[1] ?? '', port };
}

/**
 * Publishes a test's result retained on the site's `link-test` topic with the
 * broker, event, site and login of the box's config; the box carries it into
 * its state (`linkTest`) for the operator.
 */
export async function reportLinkTest(configPath: string, report: LinkTestPart): Promise<string> {
  const { config } = await loadConfigFile(configPath);
  if (!('site' in config)) throw new UserError(t('setup.linkReportConductor', { path: configPath }));
  const client = connectBroker(config.broker, { clientId: `relais-link-test-${config.site}-${process.pid}` });
  try {
    await waitConnected(client, config.broker.url);
    const where = topic(config.event, 'siteLinkTest', config.site);
    await client.publishAsync(where, encode('siteLinkTest', report), { qos: 1, retain: true });
    return where;
  } finally {
    await client.endAsync().catch(() => undefined);
  }
}

export function registerLinkCommands(program: Command): void {
  const link = program.command('link').description(t('help.link.description'));
  link
    .command('test <relay>')
    .description(t('help.link.test', { port: DEFAULT_ECHO_PORT }))
    .option('--seconds <n>', t('help.link.seconds'), intArg('--seconds', 1, 600), 60)
    .option('--ping-rate <n>', t('help.link.pingRate'), intArg('--ping-rate', 1, 200), 20)
    .option('--json', t('help.json'))
    .option('-r, --report <config>', t('help.link.report'))
    .action(async (relay: string, flags: { seconds: number; pingRate: number; json?: boolean; report?: string }) => {
      const target = parseTarget(relay);
      const say = (line: string): boolean => process.stdout.write(`${line}\n`);
      if (!flags.json) say(t('tools.linkTesting', { host: target.host, port: target.port, s: flags.seconds }));
      const result = await runLinkTest({ ...target, seconds: flags.seconds, pingRate: flags.pingRate, onProgress: flags.json ? undefined : say });
      const advice = recommend(result);
      if (flags.report) {
        const where = await reportLinkTest(flags.report, linkTestReport(`${target.host}:${target.port}`, flags.seconds, result, advice, new Date()));
        if (!flags.json) say(`written into the site's state (retained on ${where})`);
      }
      if (flags.json) {
        say(JSON.stringify({ ...result, recommended: advice }, null, 2));
        return;
      }
      const r = result.rttMs;
      say(r ? t('tools.linkRtt', { min: decimal(r.min, 1), p50: decimal(r.p50, 1), p95: decimal(r.p95, 1), max: decimal(r.max, 1) }) : t('tools.linkNoRtt'));
      say(t('tools.linkLoss', { roundTrip: decimal(result.roundTripLossPercent, 1), pings: result.pings, each: decimal(result.lossPercent, 1) }));
      say(result.throughputKbps === null ? t('tools.linkCapacityUnknown') : t('tools.linkCapacity', { kbps: Math.round(result.throughputKbps), trains: result.trains }));
      say(t('tools.linkLatency', { ms: advice.latencyMs }));
      if (advice.bitrateKbps > 0) say(t('tools.linkBitrate', { kbps: advice.bitrateKbps }));
      for (const note of advice.notes) say(t('tools.linkNote', { note }));
      if (!r) process.exitCode = 1;
    });
  link
    .command('echo')
    .description(t('help.link.echo', { port: DEFAULT_ECHO_PORT }))
    .option('--port <port>', t('help.link.port'), parsePort, DEFAULT_ECHO_PORT)
    .option('--bind <address>', t('help.link.bind'), '0.0.0.0')
    .action(async (flags: { port: number; bind: string }) => {
      const stopped = nextSignal();
      const echo = await startLinkEcho(flags.port, flags.bind);
      process.stdout.write(`${t('tools.linkEcho', { bind: flags.bind, port: echo.port })}\n`);
      await stopped;
      await echo.stop();
    });
}
