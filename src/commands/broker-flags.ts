/**
 * The broker flags every command that talks to an event's broker takes
 * (`relais floor ...`, `relais rundown report`), and the client options they
 * give. Light: no MQTT client is loaded here.
 */
import type { Command } from 'commander';
import { intArg } from '../util/args.js';
import type { FloorClientOptions } from './floor-client.js';
import { t } from '../i18n/index.js';

export function withBrokerFlags(cmd: Command): Command {
  return cmd
    .option('--broker <url>', t('help.broker.url'), process.env.RELAIS_BROKER_URL ?? 'mqtt://127.0.0.1:1883')
    .option('--event <id>', t('help.broker.event'), process.env.RELAIS_EVENT ?? 'demo')
    .option('-u, --username <name>', t('help.broker.username'), process.env.RELAIS_BROKER_USERNAME)
    .option('-P, --password <secret>', t('help.broker.password'), process.env.RELAIS_BROKER_PASSWORD)
    .option('--ca <file>', t('help.broker.ca'))
    .option('--timeout <ms>', t('help.broker.timeout'), intArg('--timeout', 1, 600_000), 5000);
}

export function clientOptions(opts: Record<string, unknown>): FloorClientOptions {
  return {
    broker: opts.broker as string,
    event: opts.event as string,
    username: opts.username as string | undefined,
    password: opts.password as string | undefined,
    ca: opts.ca as string | undefined,
    timeoutMs: opts.timeout as number,
  };
}
