/** `relais dashboard`'s HTTP server: the page, /config.json, and clear refusals. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { DashboardConfigError, startDashboardServer, type RunningDashboard } from '../../src/dashboard/server.js';
import { PortInUseError } from '../../src/broker/embedded.js';
import { setLang } from '../../src/i18n/index.js';
import { quietLogger } from '../helpers/log.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server', () => {
  let dir: string;
  let server: RunningDashboard | null = null;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-dash-'));
    await mkdir(join(dir, 'chunks'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'main.js'), 'console.log("page")');
    await writeFile(join(dir, 'main.js.gz'), gzipSync('console.log("page")'));
    await writeFile(join(dir, 'chunks', 'a-1.js'), 'export {}');
    await writeFile(join(tmpdir(), 'relais-dash-secret.txt'), 'outside');
  });

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(join(tmpdir(), 'relais-dash-secret.txt'), { force: true });
  });

  const start = (extra: Partial<Parameters<typeof startDashboardServer>[0]> = {}): Promise<RunningDashboard> =>
    startDashboardServer({ port: 0, brokerWsUrl: 'ws://127.0.0.1:9001', event: 'demo', title: 'Journée', relayHttpBase: 'http://127.0.0.1:8000', webRoot: dir, log: quietLogger('dash'), ...extra });

  it('serves the page and tells it where the broker and the relay are, and nothing secret', async () => {
    server = await start();
    const page = await get(server.url, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self' ws:\/\/\*:9001/);
    const config = await get(server.url, '/config.json');
    const body = JSON.parse(config.body.toString()) as Record<string, unknown>;
    assert.deepEqual({ ...body, version: 'v' }, { brokerWsUrl: 'ws://127.0.0.1:9001', event: 'demo', title: 'Journée', relayHttpBase: 'http://127.0.0.1:8000', relayWhepBase: null, version: 'v', lang: 'fr' });
    assert.equal(config.headers['cache-control'], 'no-store');
  });

  it('sends the gzipped twin to browsers that accept it, and caches only hashed chunks', async () => {
    server = await start();
    const zipped = await get(server.url, '/main.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(zipped.body).toString(), 'console.log("page")');
    const plain = await get(server.url, '/main.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), 'console.log("page")');
    assert.equal(plain.headers['cache-control'], 'no-cache');
    assert.match(String((await get(server.url, '/chunks/a-1.js')).headers['cache-control']), /immutable/);
    const head = await get(server.url, '/main.js', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('refuses paths outside the page, unknown files and other methods', async () => {
    server = await start();
    for (const path of ['/../relais-dash-secret.txt', '/%2e%2e/relais-dash-secret.txt', '/chunks/../../relais-dash-secret.txt']) {
      const reply = await get(server.url, path);
      assert.equal(reply.status, 404, path);
      assert.doesNotMatch(reply.body.toString(), /outside/);
    }
    assert.equal((await get(server.url, '/nope.js')).status, 404);
    assert.equal((await get(server.url, '/%E0%A4%A')).status, 400);
    const post = await get(server.url, '/config.json', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  });

  it('says what is wrong with its options and how to fix them', async () => {
    await assert.rejects(start({ event: 'Saint Camille' }), (e: Error) => e instanceof DashboardConfigError && /l’événement «\sSaint Camille\s» doit être un identifiant en minuscules.*--event/.test(e.message));
    await assert.rejects(start({ brokerWsUrl: 'mqtt://127.0.0.1:1883' }), (e: Error) => e instanceof DashboardConfigError && /doit commencer par ws:\/\/ ou wss:\/\/; corrigez --broker-ws/.test(e.message));
    setLang('en');
    try {
      await assert.rejects(start({ relayHttpBase: 'rtmp://x' }), /relay URL "rtmp:\/\/x" must start with http:\/\/ or https:\/\//);
    } finally {
      setLang('fr');
    }
    await assert.rejects(start({ webRoot: join(dir, 'missing') }), /n’est pas construite|impossible de construire/);
  });

  it('names the taken port and the flag to change it', async () => {
    server = await start();
    await assert.rejects(start({ port: server.port }), (e: Error) => e instanceof PortInUseError && /le port \d+ \(HTTP du tableau de bord\) est déjà pris; .*--port/.test(e.message));
  });
});
