/**
 * `relais dashboard`: the dashboard joins the CLI. (Its part in `relais demo`
 * is src/demo/dashboard-extension.ts.)
 */
import type { Command } from 'commander';
import { announceService } from '../system/service.js';
import { intArg, parsePort } from '../util/args.js';
import { createLogger } from '../util/log.js';
import { runUntilSignal } from '../util/signals.js';
import { startDashboardServer } from './server.js';
import { cliLang, t } from '../i18n/index.js';

function siteList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

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
    .option('--lang <fr|en>', 'the pages\' language (default: LANG, else French); each browser may switch')
    .option('--sites <ids>', 'the event\'s site ids, comma-separated: speaker screens of other sites are refused', siteList)
    .option('--stage-user <name>', 'watch-only broker login that speaker-screen links carry (none: the screen asks for a login)', process.env.RELAIS_STAGE_USER)
    .option('--stage-password <secret>', 'its password (or RELAIS_STAGE_PASSWORD)', process.env.RELAIS_STAGE_PASSWORD)
    .option('--stage-secret <secret>', 'key of the speaker-screen links (or RELAIS_STAGE_SECRET; default: random, links change at each start)', process.env.RELAIS_STAGE_SECRET)
    .option('--wrap-up <seconds>', 'speaker screen: seconds left when the countdown turns to the wrap-up colour', intArg('--wrap-up', 0, 3600), 120)
    .option('--danger <seconds>', 'speaker screen: seconds left when it turns to the danger colour', intArg('--danger', 0, 3600), 30)
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
      process.stderr.write(`${t('tools.dashboardOpen', { url: running.url, broker: opts.brokerWs, event: opts.event })}\n`);
      const service = announceService('dashboard');
      await runUntilSignal(async () => {
        await service.stopping();
        await running.close();
      });
    });
}
