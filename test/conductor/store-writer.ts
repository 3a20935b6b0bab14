/**
 * Saves states of growing epoch into one state file as fast as it can and
 * prints `saved <epoch>` once each save resolved; the store test kills it
 * with SIGKILL at some moment. Args: <state file> <first epoch>.
 */
import { initialFloorState } from '../../src/floor/machine.js';
import { StateStore } from '../../src/conductor/store.js';

const [path, first] = process.argv.slice(2) as [string, string];
const store = new StateStore(path, 'test');
// Ids of varying length: the slots hold bodies of different sizes, and the file grows once or twice.
for (let epoch = Number(first); ; epoch++) {
  const recent = Array.from({ length: epoch % 40 }, (_, i) => ({ key: `intent:saint-camille:${epoch}-${i}-${'x'.repeat(epoch % 97)}`, accepted: true, reason: null, epoch }));
  await store.save({ ...initialFloorState(), epoch, onAir: 'saint-camille', recent }, 'writer');
  process.stdout.write(`saved ${epoch}\n`);
}
