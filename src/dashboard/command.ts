/**
 * Where the dashboard joins the CLI (`relais dashboard`) and the demo.
 */
import { announceService } from '../system/service.js';
import { InvalidArgumentError, type Command } from 'commander';
import type { DemoContext, DemoExtension } from '../demo/demo.js';
import { createLogger } from '../util/log.js';
import { startDashboardServer } from './server.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

/** Adds `relais dashboard` to the program. */
export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the operator web dashboard (the page speaks MQTT over WebSockets to the broker)')
    .option('--host <address>', 'address to listen on (0.0.0.0 to serve phones on the venue network)', '127.0.0.1')
    .option('--port <port>', 'HTTP port', port, 8080)
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
      await new Promise<void>((resolve) => {
        const stop = (): void => void service.stopping().then(() => running.close()).finally(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

export interface DashboardDemoOptions {
  host?: string;
  /** Broker WebSocket URL when the demo runs against an outside broker (the embedded one's is known). */
  brokerWsUrl?: string;
  /** The demo relay's HTTP-FLV base (`http://127.0.0.1:8000`), or null without media. */
  relayHttpBase?: string | null;
}

/** The dashboard as a part of `relais demo`: serves the page on `port` for the demo's broker. */
export function dashboardDemoExtension(dashboardPort: number, options: DashboardDemoOptions = {}): DemoExtension {
  return {
    name: 'dashboard',
    async start(ctx: DemoContext) {
      const brokerWsUrl = options.brokerWsUrl ?? ctx.wsUrl;
      if (!brokerWsUrl) {
        return { lines: ['dashboard: off (the broker has no WebSocket listener; give its ws:// URL)'], stop: async () => undefined };
      }
      const running = await startDashboardServer({
        host: options.host ?? ctx.host,
        port: dashboardPort,
        brokerWsUrl,
        event: ctx.event,
        title: ctx.title,
        relayHttpBase: options.relayHttpBase ?? null,
        log: ctx.log.child('dashboard'),
      });
      return {
        lines: [`Dashboard ${running.url}  (log in as ${ctx.logins.operator.username}/${ctx.logins.operator.password} or ${ctx.logins.viewer.username}/${ctx.logins.viewer.password})`],
        stop: () => running.close(),
      };
    },
  };
}
