/**
 * Runs the shipped Mosquitto configs for real: renders them with free
 * loopback ports and temp paths, spawns `mosquitto -c`, makes a throwaway CA
 * with the openssl CLI, and builds users with the shipped make-users.sh.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = join(import.meta.dirname, '..', '..');
export const MOSQUITTO_DIR = join(REPO, 'scripts', 'mosquitto');

export { freePort } from '../helpers/ports.js';

export interface CentralPorts {
  plain: number;
  tls: number;
  ws: number;
}

/** Lines every test broker gets: its own store, logs on stdout, stays root when run as root. */
function testPreamble(dir: string): string {
  return [`persistence true`, `persistence_location ${dir}/`, `log_dest stderr`, `log_type all`, `user root`, ''].join('\n');
}

/** The shipped central.conf with ports moved, listeners on loopback and paths in `dir`. */
export async function renderCentral(dir: string, ports: CentralPorts): Promise<string> {
  const text = await readFile(join(MOSQUITTO_DIR, 'central.conf'), 'utf8');
  const out = text
    .split('\n')
    .map((line) => {
      if (line.startsWith('listener 1883')) return `listener ${ports.plain} 127.0.0.1`;
      if (line.startsWith('listener 8883')) return `listener ${ports.tls} 127.0.0.1`;
      // websockets listeners take an interface name (see central.conf)
      if (line.startsWith('listener 9001')) return `listener ${ports.ws} lo`;
      return line.replaceAll('/etc/mosquitto/relais/', `${dir}/`);
    })
    .join('\n');
  if (out.split('\n').some((line) => !line.startsWith('#') && line.includes('/etc/'))) throw new Error('central.conf still names a path under /etc after rendering');
  return testPreamble(dir) + out;
}

export interface SiteBridgeOptions {
  site: string;
  password: string;
  localPort: number;
  centralTlsPort: number;
  /** The name the bridge checks the central certificate against. */
  centralHost: string;
}

/** The shipped site-local.conf with its placeholders filled and paths in `dir`. */
export async function renderSiteLocal(dir: string, o: SiteBridgeOptions): Promise<string> {
  const text = await readFile(join(MOSQUITTO_DIR, 'site-local.conf'), 'utf8');
  const out = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => {
      if (line.startsWith('listener 1883')) return `listener ${o.localPort} 127.0.0.1`;
      if (line.startsWith('address CENTRAL_HOST:8883')) return `address ${o.centralHost}:${o.centralTlsPort}`;
      // Tests cannot wait 2-30 s between reconnects.
      if (line.startsWith('restart_timeout')) return 'restart_timeout 1 2';
      return line
        .replaceAll('SITE_SLUG', o.site)
        .replaceAll('SITE_PASSWORD', o.password)
        .replaceAll('/etc/mosquitto/relais/', `${dir}/`);
    })
    .join('\n');
  if (/SITE_SLUG|CENTRAL_HOST|SITE_PASSWORD|\/etc\//.test(out)) throw new Error('site-local.conf has unfilled placeholders');
  return testPreamble(dir) + out;
}

export interface RunningBroker {
  readonly proc: ChildProcess;
  output(): string;
  /** Resolves when the log shows `pattern` (bounded by mocha's timeout). */
  waitForLog(pattern: RegExp): Promise<void>;
  /** SIGKILL: a crash or a power cut. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Writes `config` to `dir/<name>.conf`, starts mosquitto on it and waits for "running". */
export async function startMosquitto(dir: string, name: string, config: string): Promise<RunningBroker> {
  const path = join(dir, `${name}.conf`);
  await writeFile(path, config);
  const proc = spawn('mosquitto', ['-c', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let wake: (() => void) | null = null;
  const onData = (chunk: Buffer): void => {
    log += chunk.toString();
    wake?.();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  proc.on('exit', () => wake?.());
  const waitForLog = async (pattern: RegExp): Promise<void> => {
    while (!pattern.test(log)) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`mosquitto ${name} exited (${proc.exitCode ?? proc.signalCode}):\n${log}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await once(proc, 'exit');
  };
  // Bounded start: a broker that never says "running" is killed, not left behind by a timed-out hook.
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      waitForLog(/mosquitto version [\d.]+ running/),
      new Promise<never>((_resolve, reject) => {
        startTimer = setTimeout(() => reject(new Error(`mosquitto ${name} did not start within 10 s:\n${log}`)), 10_000);
      }),
    ]);
  } catch (err) {
    await end('SIGKILL');
    throw err;
  } finally {
    clearTimeout(startTimer);
  }
  return { proc, output: () => log, waitForLog, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** A CA and a server certificate for `localhost` / 127.0.0.1, made with the openssl CLI. */
export async function makeTestCa(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'tls', 'server.crt');
  const key = join(dir, 'tls', 'server.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  await run('mkdir', ['-p', join(dir, 'tls')]);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=relais test CA']);
  await run('openssl', ['req', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=localhost']);
  await writeFile(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  await run('cp', [ca, join(dir, 'tls', 'ca.crt')]);
  return { ca, cert, key };
}

/** Test users: "<role> <name> <password>" lines, turned into passwd + acl by the shipped script. */
export const TEST_USERS = {
  conductor: { username: 'conductor', password: 'cond-pw' },
  operator: { username: 'regie', password: 'op-pw' },
  viewer: { username: 'screen', password: 'view-pw' },
  saintCamille: { username: 'site-saint-camille', password: 'sc-pw' },
  lacMegantic: { username: 'site-lac-megantic', password: 'lm-pw' },
} as const;

/**
 * Writes TEST_USERS as a users file and runs the shipped make-users.sh on it: the Mosquitto
 * password file and ACL in `dir`, or with `natsFile` only the NATS authorization file.
 */
export async function makeUsers(dir: string, natsFile?: string): Promise<void> {
  const users = join(dir, 'users');
  await writeFile(
    users,
    [
      'conductor conductor cond-pw',
      'operator regie op-pw',
      'viewer screen view-pw',
      'site saint-camille sc-pw',
      'site lac-megantic lm-pw',
      '',
    ].join('\n'),
  );
  const outputs = natsFile ? ['--nats-only', '--nats', natsFile] : ['--passwd', join(dir, 'passwd'), '--acl', join(dir, 'acl')];
  await run('sh', [join(MOSQUITTO_DIR, 'make-users.sh'), '--users', users, ...outputs, '--credentials', join(dir, 'cred')]);
}
