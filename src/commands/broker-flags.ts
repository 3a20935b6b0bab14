/**
 * The broker flags every command that talks to an event's broker takes
 * (`relais floor ...`, `relais rundown report`), and the client options they
 * give. Light: no MQTT client is loaded here.
 */
import type { Command } from 'commander';
import { intArg } from '../util/args.js';
import type { FloorClientOptions } from './floor-client.js';

export function withBrokerFlags(cmd: Command): Command {
  return cmd
    .option('--broker <url>', 'broker URL', process.env.RELAIS_BROKER_URL ?? 'mqtt://127.0.0.1:1883')
    .option('--event <id>', 'event id', process.env.RELAIS_EVENT ?? 'demo')
    .option('-u, --username <name>', 'broker user name', process.env.RELAIS_BROKER_USERNAME)
    .option('-P, --password <secret>', 'broker password', process.env.RELAIS_BROKER_PASSWORD)
    .option('--ca <file>', 'CA certificate (PEM) for mqtts://')
    .option('--timeout <ms>', 'how long to wait for the broker and the conductor', intArg('--timeout', 1, 600_000), 5000);
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
