/**
 * Durable floor state: written atomically (temp file, fsync, rename, fsync of
 * the folder) before anything is published, so a power cut leaves either the
 * old or the new state on disk, never half of one.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { FloorState } from '../floor/machine.js';
import { MAX_FENCE } from '../protocol/schemas.js';

const isFence = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_FENCE;

interface StoredFile {
  format: 'relais-conductor-state';
  version: 1;
  event: string;
  conductor: string;
  savedAt: string;
  state: FloorState;
}

export class StateFileError extends Error {}

export class StateStore {
  private writes = 0;
  constructor(
    readonly path: string,
    private readonly event: string,
  ) {}

  /**
   * Removes temp files a killed save left behind (`.<name>.<pid>.<n>.tmp`):
   * nothing else would, and each is a whole state. Returns how many went.
   */
  async removeOrphans(): Promise<number> {
    const folder = dirname(this.path);
    const prefix = `.${basename(this.path)}.`;
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return 0;
    }
    const orphans = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
    await Promise.all(orphans.map((n) => unlink(join(folder, n)).catch(() => undefined)));
    return orphans.length;
  }

  /** The saved state, or null when there is no file yet. A file of another event or a broken file throws. */
  async load(): Promise<FloorState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StateFileError(`cannot read the state file ${this.path}: ${(err as Error).message}`);
    }
    let parsed: StoredFile;
    try {
      parsed = JSON.parse(text) as StoredFile;
    } catch {
      throw new StateFileError(`the state file ${this.path} is not valid JSON; move it aside to start from the broker's retained floor`);
    }
    if (parsed.format !== 'relais-conductor-state' || !parsed.state || typeof parsed.state.epoch !== 'number') {
      throw new StateFileError(`${this.path} is not a relais conductor state file; move it aside or set conductor.stateFile`);
    }
    if (parsed.event !== this.event) {
      throw new StateFileError(`${this.path} holds the state of event "${parsed.event}", not "${this.event}"; use another conductor.stateFile per event`);
    }
    const { term, epoch } = parsed.state as Partial<FloorState>;
    if (!isFence(epoch) || (term !== undefined && !isFence(term))) {
      throw new StateFileError(`${this.path} holds an epoch or a term outside 0..${MAX_FENCE}; move it aside to start from the broker's retained floor`);
    }
    // Files written before terms: term 0.
    return { ...parsed.state, term: term ?? 0 };
  }

  async save(state: FloorState, conductor: string): Promise<void> {
    const body: StoredFile = { format: 'relais-conductor-state', version: 1, event: this.event, conductor, savedAt: new Date().toISOString(), state };
    const folder = dirname(this.path);
    await mkdir(folder, { recursive: true });
    this.writes += 1;
    const temp = join(folder, `.${basename(this.path)}.${process.pid}.${this.writes}.tmp`);
    const file = await open(temp, 'w', 0o640);
    try {
      await file.writeFile(JSON.stringify(body));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    // The rename itself lives in the folder: sync it too, or a power cut can forget it.
    const dir = await open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
