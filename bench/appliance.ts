/**
 * One appliance process, as a box runs it (`relais appliance`, compiled
 * JavaScript): time from spawn to `online` on its availability topic, and its
 * resident memory once it follows the floor.
 *
 * Run: npm run build && npx tsx bench/appliance.ts   (5 starts)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startTestBroker } from '../test/helpers/brokers.js';
import { summary } from './stats.js';

/** `RELAIS_BENCH_NODE_FLAGS='--max-semi-space-size=1'` measures the flags the systemd unit sets. */
const NODE_FLAGS = (process.env.RELAIS_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
if (!existsSync(cli)) throw new Error('bench: build first (npm run build)');

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

const broker = await startTestBroker('mosquitto');
const dir = await mkdtemp(join(tmpdir(), 'relais-bench-app-'));
const config = join(dir, 'site.yaml');
await writeFile(config, `event: bench\nsite: saint-camille\nbroker: { url: "${broker.url}" }\n`);
const watcher = await mqtt.connectAsync(broker.url);
const startMs: number[] = [];
const memory: number[] = [];
try {
  for (let run = 0; run < 5; run++) {
    await watcher.publishAsync('relais/v1/bench/site/saint-camille/availability', '', { retain: true, qos: 1 });
    const online = new Promise<number>((resolve) => {
      const onMessage = (t: string, p: Buffer): void => {
        if (t.endsWith('/availability') && p.toString() === 'online') {
          watcher.off('message', onMessage);
          resolve(performance.now());
        }
      };
      watcher.on('message', onMessage);
    });
    await watcher.subscribeAsync('relais/v1/bench/site/saint-camille/availability', { qos: 1 });
    const spawned = performance.now();
    const child = spawn(process.execPath, [...NODE_FLAGS, cli, 'appliance', '--config', config], { stdio: 'ignore', env: { ...process.env, RELAIS_LOG_LEVEL: 'warn' } });
    startMs.push((await online) - spawned);
    await new Promise((r) => setTimeout(r, 3000));
    memory.push(await rssMb(child.pid!));
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    await watcher.unsubscribeAsync('relais/v1/bench/site/saint-camille/availability');
  }
  console.log(JSON.stringify({ bench: 'appliance start -> online (ms)', nodeFlags: NODE_FLAGS.join(' '), ...summary(startMs) }));
  console.log(JSON.stringify({ bench: 'appliance resident memory after 3 s (MB)', nodeFlags: NODE_FLAGS.join(' '), ...summary(memory) }));
} finally {
  await watcher.endAsync();
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
}
