import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MOSQUITTO_DIR } from './mosquitto-harness.js';

/** The active (uncommented) lines of a Mosquitto config. */
async function activeLines(name: string): Promise<string[]> {
  const text = await readFile(join(MOSQUITTO_DIR, name), 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe('deploy: the shipped Mosquitto configs keep the hand-off fast', () => {
  // Mosquitto's default leaves Nagle on: a floor written right after another small packet
  // waits for the client's delayed ACK (about 40 ms). bench/handoff.ts with
  // HANDOFF_BROKER_NAGLE=1 shows it; the test broker follows central.conf.
  for (const name of ['central.conf', 'site-local.conf']) {
    it(`${name} turns Nagle off on the clients' sockets, once, globally`, async () => {
      const lines = (await activeLines(name)).filter((l) => l.startsWith('set_tcp_nodelay'));
      assert.deepEqual(lines, ['set_tcp_nodelay true']);
    });
  }
});
