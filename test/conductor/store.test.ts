import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialFloorState, type FloorState } from '../../src/floor/machine.js';
import { StateFileError, StateStore } from '../../src/conductor/store.js';
import { ROOT } from '../helpers/cli.js';
import { Prng } from '../fault/prng.js';

const state = (epoch: number, extra: Partial<FloorState> = {}): FloorState => ({ ...initialFloorState(), epoch, onAir: 'saint-camille', queue: ['rouyn-noranda'], ...extra });

/** Flips one byte in the middle of the slot that starts at `offset`'s body. */
async function tear(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset + 200] = bytes[offset + 200]! ^ 0xff;
  await writeFile(path, bytes);
}

/** The sequence number in each slot's header (NaN for a slot without one). */
async function slotSeqs(path: string): Promise<number[]> {
  const bytes = await readFile(path);
  const half = bytes.length / 2;
  return [0, half].map((at) => Number(/seq=(\d+)/.exec(bytes.subarray(at, at + 60).toString('latin1'))?.[1]));
}

describe('conductor state file (two slots, one flush a save)', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-store-'));
    path = join(dir, 'state.json');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('saves alternate between the two slots of a file whose size does not move, and a new store reads the newest', async () => {
    const store = new StateStore(path, 'test');
    assert.equal(await store.load(), null);
    await store.save(state(1), 'c');
    const size = (await stat(path)).size;
    assert.equal(size % 8192, 0, `two page-aligned slots: ${size}`);
    for (let epoch = 2; epoch <= 6; epoch++) {
      await store.save(state(epoch), 'c');
      assert.equal((await new StateStore(path, 'test').load())?.epoch, epoch);
      assert.equal((await stat(path)).size, size);
    }
    const seqs = await slotSeqs(path);
    assert.deepEqual([...seqs].sort(), [5, 6], `the two newest saves, one in each slot: ${seqs.join(',')}`);
  });

  it('a torn newest slot gives the state before it, and the next save does not overwrite that one', async () => {
    const store = new StateStore(path, 'test');
    for (let epoch = 1; epoch <= 3; epoch++) await store.save(state(epoch), 'c');
    const size = (await stat(path)).size;
    const [a, b] = await slotSeqs(path);
    const newestAt = a! > b! ? 0 : size / 2;
    await tear(path, newestAt);
    const reader = new StateStore(path, 'test');
    assert.equal((await reader.load())?.epoch, 2);
    await reader.save(state(4), 'c');
    assert.equal((await new StateStore(path, 'test').load())?.epoch, 4);
    // The slot of epoch 2 is still whole: tearing the new one brings epoch 2 back, not nothing.
    await tear(path, newestAt);
    assert.equal((await new StateStore(path, 'test').load())?.epoch, 2);
  });

  it('a file with no whole slot is refused with a clear error, and the file is left as it was', async () => {
    const store = new StateStore(path, 'test');
    await store.save(state(1), 'c');
    await store.save(state(2), 'c');
    const size = (await stat(path)).size;
    await tear(path, 0);
    await tear(path, size / 2);
    const before = await readFile(path);
    await assert.rejects(new StateStore(path, 'test').load(), (err: Error) => err instanceof StateFileError && /n’a aucune case entière/.test(err.message));
    assert.deepEqual(await readFile(path), before);
  });

  it('reads a state file of the older format (one JSON document) and replaces it with the slotted file at the next save', async () => {
    const old = { format: 'relais-conductor-state', version: 1, event: 'test', conductor: 'c', savedAt: new Date().toISOString(), state: { ...state(41), term: undefined } };
    await writeFile(path, JSON.stringify(old));
    const store = new StateStore(path, 'test');
    const loaded = await store.load();
    assert.equal(loaded?.epoch, 41);
    assert.equal(loaded?.term, 0, 'a file before terms is term 0');
    await store.save(state(42), 'c');
    assert.match((await readFile(path)).subarray(0, 20).toString('latin1'), /^relais-state-slot\/1/);
    assert.equal((await new StateStore(path, 'test').load())?.epoch, 42);
    await writeFile(path, JSON.stringify({ ...old, event: 'other' }));
    await assert.rejects(new StateStore(path, 'test').load(), /l’événement «\sother\s», pas de «\stest\s»/);
  });

  it('a state that outgrows its slot gets a bigger file; the file stays within a few times the largest state', async () => {
    const store = new StateStore(path, 'test');
    await store.save(state(1), 'c');
    const small = (await stat(path)).size;
    const recent = Array.from({ length: 1000 }, (_, i) => ({ key: `intent:saint-camille:${'i'.repeat(100)}-${i}`, accepted: true, reason: null, epoch: i }));
    await store.save(state(2, { recent }), 'c');
    const body = JSON.stringify(recent).length;
    const big = (await stat(path)).size;
    assert.ok(big > small && big <= 4 * body + 2 * 16384, `grown to fit, bounded: ${small} -> ${big} bytes for a ${body}-byte state`);
    assert.equal((await new StateStore(path, 'test').load())?.recent.length, 1000);
    await store.save(state(3, { recent }), 'c');
    assert.equal((await stat(path)).size, big, 'the next save of that size goes in place');
    assert.equal((await new StateStore(path, 'test').load())?.epoch, 3);
  });

  it('kill -9 in the middle of saves: the file always loads, with the last save that resolved or a newer one', async function () {
    this.timeout(60_000);
    const random = new Prng(7);
    let first = 1;
    for (let round = 0; round < 3; round++) {
      const killAfter = random.int(5, 60);
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/conductor/store-writer.ts'), path, String(first)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let lastSaved = -1;
      let seen = 0;
      let errors = '';
      child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdout.on('data', (d: Buffer) => {
        for (const m of d.toString().matchAll(/saved (\d+)/g)) {
          lastSaved = Number(m[1]);
          if (++seen === killAfter) child.kill('SIGKILL');
        }
      });
      await exited;
      assert.ok(seen >= killAfter, `the writer ran until killed: ${errors}`);
      const loaded = await new StateStore(path, 'test').load();
      assert.ok(loaded && loaded.epoch >= lastSaved, `round ${round}: loaded epoch ${loaded?.epoch}, last resolved save ${lastSaved}`);
      first = loaded.epoch + 1;
    }
  });
});
