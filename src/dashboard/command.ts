/**
 * Where the dashboard joins the CLI (`relais dashboard`) and the demo.
 */
import { announceService } from '../system/service.js';
import { InvalidArgumentError, type Command } from 'commander';
import type { DemoContext, DemoExtension } from '../demo/demo.js';
import { createLogger } from '../util/log.js';
import { startDashboardServer } from './server.js';
import { cliLang, type Lang } from '../i18n/index.js';

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError('must be a number of seconds (0-3600)');
  return n;
}

function siteList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

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
    .option('--lang <fr|en>', 'the pages\' language (default: LANG, else French); each browser may switch')
    .option('--sites <ids>', 'the event\'s site ids, comma-separated: speaker screens of other sites are refused', siteList)
    .option('--stage-user <name>', 'watch-only broker login that speaker-screen links carry (none: the screen asks for a login)', process.env.RELAIS_STAGE_USER)
    .option('--stage-password <secret>', 'its password (or RELAIS_STAGE_PASSWORD)', process.env.RELAIS_STAGE_PASSWORD)
    .option('--stage-secret <secret>', 'key of the speaker-screen links (or RELAIS_STAGE_SECRET; default: random, links change at each start)', process.env.RELAIS_STAGE_SECRET)
    .option('--wrap-up <seconds>', 'speaker screen: seconds left when the countdown turns to the wrap-up colour', seconds, 120)
    .option('--danger <seconds>', 'speaker screen: seconds left when it turns to the danger colour', seconds, 30)
    .action(async (opts: { host: string; port: number; brokerWs: string; event: string; title?: string; relay?: string; lang?: string; sites?: string[]; stageUser?: string; stagePassword?: string; stageSecret?: string; wrapUp: number; danger: number }) => {
      const log = createLogger('dashboard');
      const running = await startDashboardServer({
        lang: cliLang(opts.lang, process.env),
        ...(opts.sites ? { sites: opts.sites } : {}),
        stage: {
          wrapUpS: opts.wrapUp,
          dangerS: opts.danger,
          ...(opts.stageSecret ? { secret: opts.stageSecret } : {}),
          login: opts.stageUser ? { username: opts.stageUser, password: opts.stagePassword ?? '' } : null,
        },
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
  /** The pages' language (default French). */
  lang?: Lang;
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
        lang: options.lang ?? 'fr',
        sites: ctx.sites.map((s) => s.id),
        // The demo's speaker screens watch with its viewer login.
        stage: { login: ctx.logins.viewer },
      });
      return {
        lines: [`Dashboard ${running.url}  (log in as ${ctx.logins.operator.username}/${ctx.logins.operator.password} or ${ctx.logins.viewer.username}/${ctx.logins.viewer.password})`],
        stop: () => running.close(),
      };
    },
  };
}
