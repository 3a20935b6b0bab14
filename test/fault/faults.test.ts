/**
 * The floor's promise under real faults, Jepsen-style: real Mosquitto, two
 * conductors and three boxes (the built CLI), a seeded nemesis, a client,
 * and the checker over the recorded history (checker.ts). The seed is
 * printed; `RELAIS_FAULT_SEED=<n>` replays a run. A failing run writes its
 * history to test-output/.
 */
import assert from 'node:assert/strict';
import { seedFromEnv } from './prng.js';
import { MESSAGE_FAULTS, PROCESS_FAULTS } from './nemesis.js';
import { runFaults, type RunOptions } from './runner.js';

async function runAndCheck(name: string, options: Omit<RunOptions, 'seed'>): Promise<void> {
  const seed = seedFromEnv();
  const { verdict, history, logs } = await runFaults({ ...options, seed });
  process.stdout.write(`      fault suite (${name}): ${verdict.summary}\n`);
  const failed = verdict.checks.filter((c) => c.violations.length > 0);
  if (failed.length === 0) return;
  const path = await history.dump(`fault-${name}-${seed}`);
  const detail = failed.map((c) => `${c.name}: ${c.violations.length} violation(s)\n    ${c.violations.slice(0, 5).join('\n    ')}`).join('\n');
  assert.fail(`${verdict.summary}\n${detail}\nhistory: ${path}\nreplay: RELAIS_FAULT_SEED=${seed}\n${process.env.RELAIS_TEST_LOG ? logs : ''}`);
}

describe('the floor under real faults (fault injection)', function () {
  // Bounded by the fault count: 25-50 s each here; the bound covers a slow start-up (45 s)
  // and every convergence wait running to its 8 s limit on a loaded 2-core machine.
  this.timeout(180_000);

  it('process faults: a paused primary, kill -9 of a conductor, partitions of boxes and conductors', async () => {
    await runAndCheck('process', { kinds: PROCESS_FAULTS, count: 6 });
  });

  it('hostile messages: a forged heartbeat, a late will, oversized names, a forged floor', async () => {
    await runAndCheck('messages', { kinds: MESSAGE_FAULTS.filter((k) => k !== 'forge-floor'), last: ['forge-floor'], count: 3 });
  });
});
