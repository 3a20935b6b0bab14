/**
 * `npm run soak`: the fault suite for longer, every fault kind mixed, the
 * forged floor (which may wedge today's event for good) at the very end.
 *   RELAIS_SOAK_MINUTES (default 10)   how long the nemesis keeps injecting
 *   RELAIS_FAULT_SEED   (default fresh) the seed, printed so a failure can be replayed
 * Exits 1 when a check fails, with the history under test-output/.
 */
import { seedFromEnv } from './prng.js';
import { MESSAGE_FAULTS, PROCESS_FAULTS } from './nemesis.js';
import { runFaults } from './runner.js';

const minutes = Number(process.env.RELAIS_SOAK_MINUTES ?? '10');
if (!Number.isFinite(minutes) || minutes <= 0) {
  process.stderr.write(`RELAIS_SOAK_MINUTES must be a number of minutes above 0, not "${process.env.RELAIS_SOAK_MINUTES}"\n`);
  process.exit(2);
}
const seed = seedFromEnv();
process.stdout.write(`soak: ${minutes} min, seed ${seed} (replay: RELAIS_FAULT_SEED=${seed})\n`);
const untilMs = minutes * 60_000;
const kinds = [...PROCESS_FAULTS, ...MESSAGE_FAULTS.filter((k) => k !== 'forge-floor')];
// A fault takes about 5 s with its convergence: enough faults to fill the time, bounded by it.
const { verdict, history } = await runFaults({ seed, kinds, last: ['forge-floor'], count: Math.ceil(untilMs / 1000), untilMs });
process.stdout.write(`soak: ${verdict.summary}\n`);
const failed = verdict.checks.filter((c) => c.violations.length > 0);
for (const c of failed) process.stdout.write(`  ${c.name}: ${c.violations.length}\n    ${c.violations.slice(0, 5).join('\n    ')}\n`);
if (failed.length) {
  process.stdout.write(`soak: history in ${await history.dump(`soak-${seed}`)}\n`);
  process.exit(1);
}
// The broker, proxies and processes are stopped; nothing else should hold the loop, but never hang a soak.
process.exit(0);
