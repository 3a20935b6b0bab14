/**
 * Failover on a three-node NATS cluster: a conductor and three boxes, each on
 * its own node with the other two as fallbacks; one node is SIGKILLed, then
 * the operator grants the floor (sending the same control again every 3 s
 * until the conductor answers). Measured per run, from the kill:
 *  - moved: the killed node's box is connected to another node;
 *  - answered: the conductor's answer to the grant reached the operator;
 *  - converged: every box has the new floor and its link up (lamps honest).
 * Also counted: subscriptions the surviving nodes refused on the way.
 * A fresh cluster per run, RUNS runs (default 5); every wait is bounded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ApplianceRuntime } from '../src/appliance/runtime.js';
import { Conductor } from '../src/conductor/conductor.js';
import { validateConfig } from '../src/config/load.js';
import { SimulatedDriver } from '../src/hardware/simulated.js';
import { SubscriptionKeeper } from '../src/mqtt/subscriptions.js';
import { setLogSink } from '../src/util/log.js';
import { controlUntilAnswered } from '../test/helpers/control.js';
import { startNatsCluster } from '../test/helpers/nats.js';
import { waitFor } from '../test/helpers/wait.js';
import { summary } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 5);
const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const EVENT = 'bench';

let refusals = 0;
setLogSink((line) => {
  if (line.includes('broker refused a subscription')) refusals += 1;
});

async function oneRun(run: number): Promise<{ moved: number; answered: number; converged: number; refused: number }> {
  const cluster = await startNatsCluster();
  const dir = await mkdtemp(join(tmpdir(), 'relais-bench-nats-'));
  const broker = (node: number): Record<string, unknown> => ({ url: cluster.urls[node], fallbackUrls: cluster.urls.filter((_, i) => i !== node), reconnectMs: 300, keepaliveSeconds: 5 });
  const conductor = new Conductor({ config: validateConfig('conductor', { event: EVENT, broker: broker(0), conductor: { id: 'c', stateFile: join(dir, 's.json'), heartbeatMs: 300, leaseMs: 3000 }, sites: SITES.map((id) => ({ id })) }, 'bench') });
  const boxes: ApplianceRuntime[] = [];
  const op = await mqtt.connectAsync(cluster.urls[1]!, { protocolVersion: 4, resubscribe: false, reconnectPeriod: 300 });
  const opSubs = new SubscriptionKeeper(op, { maxRetryMs: 1000 });
  try {
    await conductor.start();
    for (const [i, site] of SITES.entries()) {
      const box = new ApplianceRuntime({ config: validateConfig('site', { event: EVENT, site, broker: broker(i), link: { leaseMs: 3000 } }, 'bench'), driver: new SimulatedDriver() });
      await box.start();
      boxes.push(box);
    }
    await waitFor('every box linked', () => boxes.every((b) => b.linkUp), 30_000);
    await opSubs.add(`relais/v1/${EVENT}/events`);
    refusals = 0;

    const moved = boxes[2]!;
    let movedAt = 0;
    const client = (moved as unknown as { client: mqtt.MqttClient }).client;
    const killedPort = client.options.port;
    client.on('connect', () => {
      if (!movedAt && client.options.port !== killedPort) movedAt = Date.now();
    });
    const t0 = Date.now();
    await cluster.kill(2);
    await controlUntilAnswered(op, EVENT, { id: `grant-${run}`, action: 'grant', site: SITES[1] }, { timeoutMs: 90_000 });
    const answeredAt = Date.now();
    await waitFor('every box on the new floor, link up', () => boxes.every((b) => b.floor?.onAir === SITES[1] && b.linkUp), 90_000);
    const convergedAt = Date.now();
    await waitFor('the moved box on another node', () => movedAt > 0, 30_000);
    return { moved: movedAt - t0, answered: answeredAt - t0, converged: convergedAt - t0, refused: refusals };
  } finally {
    opSubs.stop();
    await op.endAsync(true).catch(() => undefined);
    await Promise.allSettled(boxes.map((b) => b.stop()));
    await conductor.stop().catch(() => undefined);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const moved: number[] = [];
const answered: number[] = [];
const converged: number[] = [];
const refused: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const r = await oneRun(run);
  console.log(JSON.stringify({ bench: 'nats-failover', run, ...r }));
  moved.push(r.moved);
  answered.push(r.answered);
  converged.push(r.converged);
  refused.push(r.refused);
}
console.log(JSON.stringify({ bench: 'nats-failover', runs: RUNS, movedMs: summary(moved), answeredMs: summary(answered), convergedMs: summary(converged), refusedSubscriptions: refused }));
process.exit(0);
