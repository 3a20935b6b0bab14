/**
 * `npm run bench`: every benchmark, one after the other, on this machine.
 * Figures go to stdout as JSON lines; docs/benchmarks.md keeps a dated copy.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const benches = ['handoff.ts', 'appliance.ts', 'button-lamp.ts', 'tally.ts', 'visca.ts', 'media.ts', 'media-links.ts', 'display.ts', 'glass.ts', 'preview.ts', 'media-cpu.ts', 'demo-cpu.ts', 'dashboard.ts', 'timer.ts', 'nats-failover.ts'];

console.log(JSON.stringify({ machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`, node: process.version, at: new Date().toISOString() }));
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = 0;
for (const bench of benches) {
  console.log(`# ${bench}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', bench)], { cwd: root, stdio: 'inherit', timeout: 15 * 60_000 });
  if (run.status !== 0) {
    failed += 1;
    console.log(`# ${bench} failed (${run.status ?? run.signal})`);
  }
}
process.exit(failed ? 1 : 0);
