/**
 * `relais link test <relay>` (a technician, on the box, the day before) and
 * `relais link echo` (at the relay): RTT, loss and uplink capacity over a
 * bounded time, and the SRT latency and bitrate to put in the config.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { intArg, parsePort } from '../util/args.js';
import { t } from '../i18n/index.js';
import { decimal } from '../i18n/numbers.js';
import { nextSignal } from '../util/signals.js';
import { recommend, runLinkTest, startLinkEcho } from './link-test.js';

export const DEFAULT_ECHO_PORT = 9999;

/** `relay.example` or `relay.example:9999`. */
export function parseTarget(value: string): { host: string; port: number } {
  const match = /^([^\s:]+)(?::(\d{1,5}))?$/.exec(value);
  const port = match?.[2] ? Number(match[2]) : DEFAULT_ECHO_PORT;
  if (!match || port < 1 || port > 65_535) throw new InvalidArgumentError(t('errors.linkTarget', { value, port: DEFAULT_ECHO_PORT }));
  return { host: match[1] ?? '', port };
}

export function registerLinkCommands(program: Command): void {
  const link = program.command('link').description('pre-flight test of a venue link to the relay: RTT, loss, capacity, and the SRT settings to use');
  link
    .command('test <relay>')
    .description(`measure the link to a \`relais link echo\` (HOST[:PORT], default port ${DEFAULT_ECHO_PORT}) and print the SRT latency and bitrate to configure`)
    .option('--seconds <n>', 'how long (half pings, half packet trains)', intArg('--seconds', 1, 600), 60)
    .option('--json', 'print the figures as JSON')
    .action(async (relay: string, flags: { seconds: number; json?: boolean }) => {
      const target = parseTarget(relay);
      const say = (line: string): boolean => process.stdout.write(`${line}\n`);
      if (!flags.json) say(t('tools.linkTesting', { host: target.host, port: target.port, s: flags.seconds }));
      const result = await runLinkTest({ ...target, seconds: flags.seconds, onProgress: flags.json ? undefined : say });
      const advice = recommend(result);
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
    .description(`answer \`relais link test\` from the boxes (UDP, default port ${DEFAULT_ECHO_PORT}); runs until Ctrl-C`)
    .option('--port <port>', 'UDP port', parsePort, DEFAULT_ECHO_PORT)
    .option('--bind <address>', 'address to listen on', '0.0.0.0')
    .action(async (flags: { port: number; bind: string }) => {
      const stopped = nextSignal();
      const echo = await startLinkEcho(flags.port, flags.bind);
      process.stdout.write(`${t('tools.linkEcho', { bind: flags.bind, port: echo.port })}\n`);
      await stopped;
      await echo.stop();
    });
}
