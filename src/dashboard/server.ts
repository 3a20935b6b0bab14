/**
 * `relais dashboard`: a small static HTTP server for the built page
 * (dist/dashboard) plus `/config.json`, which tells the page where the broker
 * and the relay are. The page talks MQTT to the broker itself; this server
 * holds no secret and no MQTT connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PortInUseError, UserError } from '../util/errors.js';
import { SLUG_PATTERN } from '../protocol/schemas.js';
import { createLogger, type Logger } from '../util/log.js';
import { VERSION } from '../version.js';
import type { DashboardPageConfig, StagePageConfig } from './web/config.js';
import { DEFAULT_LANG, t, type Lang } from '../i18n/index.js';
import { basicCredentials, brokerAcceptsLogin, linkBase, StageAccess, type StageAccessOptions } from './stage-access.js';

export interface DashboardServerOptions {
  /** Address to listen on (default 127.0.0.1; `0.0.0.0` to serve phones on the venue network). */
  host?: string;
  /** HTTP port (default 8080; 0 picks a free one). */
  port?: number;
  /** The broker's MQTT-over-WebSockets URL the page connects to (`ws://host:9001`). */
  brokerWsUrl: string;
  event: string;
  title?: string;
  /** The relay's HTTP-FLV base (`http://host:8000`); null or absent: previews show "no feed". */
  relayHttpBase?: string | null;
  /** The relay's WHEP base (`http://host:8889`): previews over WebRTC first, HTTP-FLV if that fails. */
  relayWhepBase?: string | null;
  /** The event's language for both pages (default French); each browser may switch. */
  lang?: Lang;
  /** The event's site ids, when known: a speaker screen for any other is refused. */
  sites?: readonly string[];
  /** Speaker screens: the link secret, the watch-only login a link carries, the countdown's colour thresholds. */
  stage?: StageAccessOptions & { wrapUpS?: number; dangerS?: number };
  /** Folder of the built page (default: dist/dashboard of this install, built on first use when missing; a given folder must hold a build). */
  webRoot?: string;
  log?: Logger;
}

export interface RunningDashboard {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A dashboard option that cannot work: says which and what to do. */
export class DashboardConfigError extends UserError {
  override name = 'DashboardConfigError';
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts'))) return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
}

/** Where the built page is by default. */
export function defaultWebRoot(): string {
  return join(packageRoot(), 'dist', 'dashboard');
}

/**
 * Makes sure the page is built: when `index.html` is missing from the default
 * place, runs scripts/build-web.mjs (esbuild, about a second).
 */
export async function ensureWebBuilt(webRoot: string, log: Logger): Promise<void> {
  if (existsSync(join(webRoot, 'index.html'))) return;
  const script = join(packageRoot(), 'scripts', 'build-web.mjs');
  if (!existsSync(script)) throw new DashboardConfigError(t('errors.dashboardNotBuilt', { file: join(webRoot, 'index.html') }));
  log.info('building the dashboard page', { into: webRoot });
  try {
    const { buildWeb } = (await import(pathToFileURL(script).href)) as { buildWeb(o: { outdir: string }): Promise<{ ms: number }> };
    const built = await buildWeb({ outdir: webRoot });
    log.info('dashboard page built', { ms: built.ms });
  } catch (err) {
    throw new DashboardConfigError(t('errors.dashboardBuildFailed', { dir: webRoot, reason: (err as Error).message }));
  }
}

function checkUrl(value: string, what: string, protocols: string[], flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DashboardConfigError(t('errors.notAUrl', { what, value, example: protocols[0]!, flag }));
  }
  if (!protocols.includes(url.protocol)) throw new DashboardConfigError(t('errors.urlScheme', { what, value, schemes: protocols.map((p) => `${p}//`).join(t('errors.or')), flag }));
  return url;
}

/** Validates the options into the page's `/config.json`. Throws {@link DashboardConfigError}. */
export function pageConfig(options: DashboardServerOptions): DashboardPageConfig {
  if (!SLUG_PATTERN.test(options.event)) throw new DashboardConfigError(t('errors.eventSlug', { event: options.event }));
  checkUrl(options.brokerWsUrl, t('errors.urlBrokerWs'), ['ws:', 'wss:'], '--broker-ws');
  const relay = options.relayHttpBase ? checkUrl(options.relayHttpBase, t('errors.urlRelay'), ['http:', 'https:'], '--relay') : null;
  const whep = options.relayWhepBase ? checkUrl(options.relayWhepBase, t('errors.urlRelay'), ['http:', 'https:'], '--relay-whep') : null;
  return {
    brokerWsUrl: options.brokerWsUrl.replace(/\/$/, ''),
    event: options.event,
    title: options.title ?? `relais: ${options.event}`,
    relayHttpBase: relay ? relay.toString().replace(/\/$/, '') : null,
    relayWhepBase: whep ? whep.toString().replace(/\/$/, '') : null,
    version: VERSION,
    lang: options.lang ?? DEFAULT_LANG,
  };
}

/** Countdown colours of the speaker screen: wrap-up at 2 min left, danger at 30 s, unless told. */
export function stageThresholds(options: DashboardServerOptions): { wrapUpS: number; dangerS: number } {
  const wrapUpS = options.stage?.wrapUpS ?? 120;
  const dangerS = options.stage?.dangerS ?? 30;
  if (!(Number.isFinite(wrapUpS) && Number.isFinite(dangerS) && dangerS >= 0 && wrapUpS > dangerS)) {
    throw new DashboardConfigError(t('errors.stageThresholds', { wrapUp: wrapUpS, danger: dangerS }));
  }
  return { wrapUpS, dangerS };
}

function securityHeaders(config: DashboardPageConfig): Record<string, string> {
  const broker = new URL(config.brokerWsUrl);
  // A phone reaches the broker on the page's own host (see brokerUrlFor), so any ws origin on that port is allowed.
  const connect = ["'self'", `${broker.protocol}//*:${broker.port || (broker.protocol === 'wss:' ? 443 : 80)}`, config.brokerWsUrl];
  for (const base of [config.relayHttpBase, config.relayWhepBase]) if (base) connect.push(new URL(base).origin, `${new URL(base).protocol}//*:${new URL(base).port || 80}`);
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; worker-src 'self' blob:; connect-src ${connect.join(' ')}; frame-ancestors 'none'`,
  };
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<RunningDashboard> {
  const log = options.log ?? createLogger('dashboard');
  const config = pageConfig(options);
  const host = options.host ?? '127.0.0.1';
  const webRoot = resolve(options.webRoot ?? defaultWebRoot());
  if (options.webRoot === undefined) await ensureWebBuilt(webRoot, log);
  else if (!existsSync(join(webRoot, 'index.html'))) throw new DashboardConfigError(t('errors.dashboardNotBuiltIn', { dir: webRoot }));
  const configBody = JSON.stringify(config);
  const headers = securityHeaders(config);
  const thresholds = stageThresholds(options);
  const access = new StageAccess(config.event, options.stage);
  const knownSite = (site: string): boolean => SLUG_PATTERN.test(site) && (!options.sites || options.sites.includes(site));
  const sendJson = (res: ServerResponse, status: number, value: unknown): void => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

  /** `/stage/<site>/config.json`: the screen's settings, with the watch-only login when its link is valid. */
  const stageConfig = (res: ServerResponse, site: string, token: string | null): void => {
    if (!knownSite(site)) return sendJson(res, 404, { error: 'unknown-site', site });
    if (token !== null && !access.verify(site, token)) return sendJson(res, 403, { error: 'bad-token', site });
    const body: StagePageConfig = { brokerWsUrl: config.brokerWsUrl, event: config.event, site, title: config.title, version: config.version, lang: config.lang, ...thresholds, login: token !== null ? access.login : null };
    sendJson(res, 200, body);
  };

  /** `/stage-links.json?sites=a,b`: every site's link and QR code, for a login the broker accepts. */
  const stageLinks = async (req: IncomingMessage, res: ServerResponse, sitesParam: string | null, port: number): Promise<void> => {
    const login = basicCredentials(req.headers.authorization);
    if (!login || !(await brokerAcceptsLogin(config.brokerWsUrl, login.username, login.password))) {
      res.setHeader('www-authenticate', 'Basic realm="relais"');
      return sendJson(res, 401, { error: 'login-refused' });
    }
    const sites = (sitesParam ? sitesParam.split(',') : [...(options.sites ?? [])]).filter(knownSite).slice(0, 64);
    sendJson(res, 200, await access.links(linkBase(req.headers.host, host, port), sites));
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const file = resolve(webRoot, '.' + path);
    if (file !== webRoot && !file.startsWith(webRoot + sep)) return send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return send(res, 404, `not found: ${path}\n`, 'text/plain; charset=utf-8');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && existsSync(`${file}.gz`);
    const body = await readFile(gzip ? `${file}.gz` : file);
    // Hashed chunks never change; everything else is checked on every load.
    const cache = path.startsWith('/chunks/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { ...headers, 'content-type': type, 'content-length': body.length, 'cache-control': cache, vary: 'accept-encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const send = (res: ServerResponse, status: number, body: string, type: string): void => {
    res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };

  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'only GET and HEAD\n', 'text/plain; charset=utf-8');
    }
    let path: string;
    let query: URLSearchParams;
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      path = decodeURIComponent(url.pathname);
      query = url.searchParams;
    } catch {
      return send(res, 400, 'bad path\n', 'text/plain; charset=utf-8');
    }
    if (path === '/config.json') return send(res, 200, configBody, 'application/json; charset=utf-8');
    const stage = /^\/stage\/([^/]+)(\/config\.json)?$/.exec(path);
    if (stage) {
      if (stage[2]) return stageConfig(res, stage[1]!, query.get('token'));
      if (!knownSite(stage[1]!)) return send(res, 404, `site inconnu / unknown site: ${stage[1]}\n`, 'text/plain; charset=utf-8');
      path = '/stage.html';
    }
    if (path === '/stage-links.json') {
      stageLinks(req, res, query.get('sites'), listeningPort).catch((err: Error) => {
        log.warn(t('logs.stageLinks'), { error: err.message });
        if (!res.headersSent) send(res, 500, 'internal error\n', 'text/plain; charset=utf-8');
      });
      return;
    }
    if (path === '/healthz') return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
    serveFile(req, res, path === '/' ? '/index.html' : path).catch((err: Error) => {
      log.warn(t('logs.serveFile'), { path, error: err.message });
      if (!res.headersSent) send(res, 500, 'internal error\n', 'text/plain; charset=utf-8');
      else res.destroy();
    });
  });

  let listeningPort = options.port ?? 8080;
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new PortInUseError(t('errors.portDashboard'), options.port ?? 8080, t('errors.hintDashboardPort')));
      else if (err.code === 'EACCES') reject(new DashboardConfigError(t('errors.portPrivileged', { what: t('errors.portDashboard'), port: options.port ?? 8080, hint: t('errors.hintDashboardPrivileged') })));
      else reject(err);
    });
    server.listen(options.port ?? 8080, host, () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : options.port ?? 8080);
    });
  });
  listeningPort = port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  log.info('dashboard serving', { url, broker: config.brokerWsUrl, event: config.event, relay: config.relayHttpBase ?? 'none' });
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
