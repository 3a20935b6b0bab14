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
    .description(t('help.dashboard.description'))
    .option('--host <address>', t('help.dashboard.host'), '127.0.0.1')
    .option('--port <port>', t('help.dashboard.port'), parsePort, 8080)
    .option('--broker-ws <url>', t('help.dashboard.brokerWs'), process.env.RELAIS_BROKER_WS_URL ?? 'ws://127.0.0.1:9001')
    .option('--event <id>', t('help.broker.event'), process.env.RELAIS_EVENT ?? 'demo')
    .option('--title <text>', t('help.dashboard.title'))
    .option('--relay <url>', t('help.dashboard.relay'), process.env.RELAIS_RELAY_HTTP_URL || undefined)
    .option('--relay-whep <url>', t('help.dashboard.relayWhep'), process.env.RELAIS_RELAY_WHEP_URL || undefined)
    .option('--lang <fr|en>', t('help.dashboard.lang'))
    .option('--sites <ids>', t('help.dashboard.sites'), siteList)
    .option('--stage-user <name>', t('help.dashboard.stageUser'), process.env.RELAIS_STAGE_USER)
    .option('--stage-password <secret>', t('help.dashboard.stagePassword'), process.env.RELAIS_STAGE_PASSWORD)
    .option('--stage-secret <secret>', t('help.dashboard.stageSecret'), process.env.RELAIS_STAGE_SECRET)
    .option('--wrap-up <seconds>', t('help.dashboard.wrapUp'), intArg('--wrap-up', 0, 3600), 120)
    .option('--danger <seconds>', t('help.dashboard.danger'), intArg('--danger', 0, 3600), 30)
    .action(async (opts: { host: string; port: number; brokerWs: string; event: string; title?: string; relay?: string; relayWhep?: string; lang?: string; sites?: string[]; stageUser?: string; stagePassword?: string; stageSecret?: string; wrapUp: number; danger: number }) => {
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
        relayWhepBase: opts.relayWhep ?? null,
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
