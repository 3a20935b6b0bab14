/**
 * A three-node nats-server cluster on loopback with JetStream and MQTT, built
 * from the shipped `scripts/nats/node.conf`. For the deploy tests, and so the
 * floor suite can run against a clustered broker:
 *
 *   const cluster = await startNatsCluster();
 *   // cluster.urls: ['mqtt://127.0.0.1:p1', ...]; MQTT 3.1.1 only (protocolVersion: 4)
 *   await cluster.kill(0);   // SIGKILL one node
 *   await cluster.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NODE_CONF = join(import.meta.dirname, '..', '..', 'scripts', 'nats', 'node.conf');

export interface NatsCluster {
  /** One MQTT URL per node, in node order. */
  readonly urls: string[];
  /** Monitoring URLs (`/healthz`, `/jsz`), in node order. */
  readonly monitorUrls: string[];
  /** SIGKILLs node `i` (a crash or a power cut) and waits for it to exit. */
  kill(i: number): Promise<void>;
  /** Waits until every running node reports healthy with a JetStream meta leader (after a kill, among the survivors). */
  ready(timeoutMs?: number): Promise<void>;
  /** The log of node `i`, for failure messages. */
  log(i: number): string;
  /** Stops every node and removes the stores. */
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  /** The nats-server binary (default `nats-server` on PATH). */
  binary?: string;
  /** The node config every node runs (default the shipped scripts/nats/node.conf). */
  config?: string;
  /** How long to wait for the cluster and its JetStream meta leader (default 20 s). */
  readyTimeoutMs?: number;
}

import { freePort } from './ports.js';

function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 1000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

export { NODE_CONF };

/** True when the node answers /healthz and knows a JetStream meta leader in a cluster of three. */
async function nodeReady(monitorUrl: string): Promise<boolean> {
  try {
    const health = await getJson(`${monitorUrl}/healthz`);
    if (health.status !== 200) return false;
    const jsz = await getJson(`${monitorUrl}/jsz`);
    const meta = (jsz.body as { meta_cluster?: { leader?: string; cluster_size?: number } }).meta_cluster;
    return Boolean(meta?.leader) && (meta?.cluster_size ?? 0) >= 3;
  } catch {
    return false;
  }
}

/**
 * Starts three nats-server nodes with JetStream and MQTT on free loopback ports and waits until they form a cluster.
 * A port found free can be taken before a node binds it (an outgoing connection's ephemeral port): then it tries again with new ports.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsClusterOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startNatsClusterOnce(options: NatsClusterOptions): Promise<NatsCluster> {
  const binary = options.binary ?? 'nats-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), 'relais-nats-'));
  const nodes = await Promise.all(
    [0, 1, 2].map(async (i) => ({
      name: `relais-${'abc'[i]}`,
      client: await freePort(),
      http: await freePort(),
      cluster: await freePort(),
      mqtt: await freePort(),
      store: join(dir, `node-${i}`),
    })),
  );
  const routes = Object.fromEntries(nodes.map((n, i) => [`NATS_ROUTE_${i + 1}`, `nats-route://127.0.0.1:${n.cluster}`]));
  const logs = nodes.map(() => '');
  const procs: ChildProcess[] = nodes.map((n, i) => {
    const proc = spawn(binary, ['-c', options.config ?? NODE_CONF], {
      env: {
        ...process.env,
        ...routes,
        NATS_NODE_NAME: n.name,
        NATS_CLIENT_LISTEN: `127.0.0.1:${n.client}`,
        NATS_HTTP_LISTEN: `127.0.0.1:${n.http}`,
        NATS_CLUSTER_LISTEN: `127.0.0.1:${n.cluster}`,
        NATS_MQTT_LISTEN: `127.0.0.1:${n.mqtt}`,
        NATS_STORE_DIR: n.store,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (c: Buffer): void => {
      logs[i] = (logs[i] + c.toString()).slice(-20_000);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    return proc;
  });

  const end = async (proc: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill(signal);
    await exited;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(procs.map((p) => end(p, 'SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  };

  const monitorUrls = nodes.map((n) => `http://127.0.0.1:${n.http}`);
  const running = (i: number): boolean => procs[i]!.exitCode === null && procs[i]!.signalCode === null;
  const killed = new Set<number>();
  const ready = async (timeoutMs = readyTimeoutMs): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = procs.findIndex((_p, i) => !running(i) && !killed.has(i));
      if (dead >= 0) throw new Error(`nats-server node ${dead} exited by itself:\n${logs[dead]}`);
      const live = monitorUrls.filter((_u, i) => running(i));
      const states = await Promise.all(live.map(nodeReady));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) {
        const tail = logs.map((l, i) => `--- node ${i}\n${l.slice(-2000)}`).join('\n');
        throw new Error(`NATS cluster not ready after ${timeoutMs} ms (healthz + JetStream meta leader):\n${tail}`);
      }
      // Polling the monitor is the only readiness signal nats-server offers.
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await ready();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    urls: nodes.map((n) => `mqtt://127.0.0.1:${n.mqtt}`),
    monitorUrls,
    kill: async (i: number) => {
      const proc = procs[i];
      if (!proc) throw new Error(`no node ${i} (the cluster has ${procs.length})`);
      killed.add(i);
      await end(proc, 'SIGKILL');
    },
    ready,
    log: (i: number) => logs[i] ?? '',
    stop,
  };
}
