/**
 * The dashboard as a part of `relais demo`: the page served for the demo's
 * own broker, with the demo logins on the screen.
 */
import { startDashboardServer } from '../dashboard/server.js';
import type { DemoContext, DemoExtension } from './demo.js';
import type { Lang } from '../i18n/index.js';

export interface DashboardDemoOptions {
  host?: string;
  /** Broker WebSocket URL when the demo runs against an outside broker (the embedded one's is known). */
  brokerWsUrl?: string;
  /** The demo relay's HTTP-FLV base (`http://127.0.0.1:8000`), or null without media. */
  relayHttpBase?: string | null;
  /** The demo relay's WHEP base (`http://127.0.0.1:8889`), or null. */
  relayWhepBase?: string | null;
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
        relayWhepBase: options.relayWhepBase ?? null,
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
