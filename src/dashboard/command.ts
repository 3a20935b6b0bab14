/**
 * `relais dashboard`: the dashboard joins the CLI. (Its part in `relais demo`
 * is src/demo/dashboard-extension.ts.)
 */
import type { Command } from 'commander';
import { announceService } from '../system/service.js';
import { parsePort } from '../util/args.js';
import { createLogger } from '../util/log.js';
import { runUntilSignal } from '../util/signals.js';
import { startDashboardServer } from './server.js';

/** Adds `relais dashboard` to the program. */
export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the operator web dashboard (the page speaks MQTT over WebSockets to the broker)')
    .option('--host <address>', 'address to listen on (0.0.0.0 to serve phones on the venue network)', '127.0.0.1')
    .option('--port <port>', 'HTTP port', parsePort, 8080)
    .option('--broker-ws <url>', 'the broker\'s MQTT-over-WebSockets URL the page connects to', process.env.RELAIS_BROKER_WS_URL ?? 'ws://127.0.0.1:9001')
    .option('--event <id>', 'event id', process.env.RELAIS_EVENT ?? 'demo')
    .option('--title <text>', 'title shown on the page')
    .option('--relay <url>', 'the relay\'s HTTP-FLV base for live previews, e.g. http://relay.local:8000 (none: "no feed")')
    .action(async (opts: { host: string; port: number; brokerWs: string; event: string; title?: string; relay?: string }) => {
      const log = createLogger('dashboard');
      const running = await startDashboardServer({
        host: opts.host,
        port: opts.port,
        brokerWsUrl: opts.brokerWs,
        event: opts.event,
        title: opts.title,
        relayHttpBase: opts.relay ?? null,
        log,
      });
      process.stderr.write(`relais dashboard: open ${running.url} (broker ${opts.brokerWs}, event ${opts.event}); Ctrl-C to stop\n`);
      const service = announceService('dashboard');
      await runUntilSignal(async () => {
        await service.stopping();
        await running.close();
      });
    });
}
