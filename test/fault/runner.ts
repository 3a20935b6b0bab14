/**
 * One run of the suite: start the cluster, record, let the client work while
 * the nemesis injects `count` faults (every kind of `kinds` once in a seeded
 * order, then seeded picks; `last` kinds only at the very end, since they may
 * wedge the event for good), wait for convergence after each heal, then check
 * the history. Used by faults.test.ts (CI) and soak.ts (`npm run soak`).
 */
import mqtt from 'mqtt';
import { SITES } from '../helpers/event.js';
import { waitFor } from '../helpers/wait.js';
import { checkHistory, convergedAt, type CheckOptions, type Verdict } from './checker.js';
import { CONDUCTORS, EVENT, TIMING, startCluster } from './cluster.js';
import { FloorClient } from './client.js';
import { History, startRecorder } from './history.js';
import { Nemesis, type FaultKind } from './nemesis.js';
import { Prng } from './prng.js';

/** Two connected boxes may both show ON AIR this long during a hand-off (docs/benchmarks.md). */
export const HANDOFF_OVERLAP_MS = 500;

export const CHECK_OPTIONS: CheckOptions = {
  sites: SITES,
  conductors: CONDUCTORS,
  handoffOverlapMs: HANDOFF_OVERLAP_MS,
  leaseMs: TIMING.leaseMs,
  followDelayMs: TIMING.leaseMs + 1000,
};

export interface RunOptions {
  seed: number;
  kinds: readonly FaultKind[];
  /** Kinds injected once, after every other fault. */
  last?: readonly FaultKind[];
  /** Faults before the `last` ones (at least one of each kind). */
  count: number;
  /** Stop injecting after this long (the soak's duration); the CI case is bounded by `count`. */
  untilMs?: number;
  /** Longest wait for the boxes to converge after a heal before the next fault. */
  convergeTimeoutMs?: number;
}

export interface RunResult {
  verdict: Verdict;
  history: History;
  logs: string;
}

export function schedule(o: RunOptions, prng: Prng): FaultKind[] {
  const first = prng.shuffle(o.kinds);
  const more = Array.from({ length: Math.max(0, o.count - first.length) }, () => prng.pick(o.kinds));
  return [...first, ...more, ...(o.last ?? [])];
}

export async function runFaults(o: RunOptions): Promise<RunResult> {
  const prng = new Prng(o.seed);
  const history = new History();
  const cluster = await startCluster(history);
  const convergeTimeoutMs = o.convergeTimeoutMs ?? 8000;
  let client: FloorClient | null = null;
  const connections: mqtt.MqttClient[] = [];
  try {
    connections.push(await startRecorder(cluster.broker.url, EVENT, history));
    const ops = await mqtt.connectAsync(cluster.broker.url, { clientId: `fault-client-${process.pid}`, reconnectPeriod: 200 });
    ops.on('error', () => undefined);
    connections.push(ops);
    const converged = (since: number): boolean => convergedAt(history.entries, CHECK_OPTIONS, since) !== null;
    // Start-up on a busy machine: five Node processes load at once.
    await waitFor('every box following the first floor with its link ok', () => converged(0), 45_000, 100);
    client = new FloorClient(ops, EVENT, SITES, history, prng);
    client.start();
    const nemesis = new Nemesis(cluster, history, prng, ops);
    const started = Date.now();
    for (const kind of schedule(o, prng)) {
      const isLast = o.last?.includes(kind) ?? false;
      if (!isLast && o.untilMs !== undefined && Date.now() - started > o.untilMs) continue;
      await nemesis.run(kind);
      const healedAt = history.now();
      await waitFor(`convergence after ${kind}`, () => converged(healedAt), convergeTimeoutMs, 100).catch(() => undefined);
      // A little calm between faults so the client's operations land on a settled floor too.
      await new Promise((r) => setTimeout(r, prng.int(200, 800)));
    }
    await client.stop();
    client = null;
    const end = history.now();
    await waitFor('final convergence', () => converged(end), convergeTimeoutMs, 100).catch(() => undefined);
    return { verdict: checkHistory(history.entries, CHECK_OPTIONS, o.seed), history, logs: cluster.logs() };
  } finally {
    await client?.stop();
    await Promise.allSettled(connections.map((c) => c.endAsync(true)));
    await cluster.stop();
  }
}
