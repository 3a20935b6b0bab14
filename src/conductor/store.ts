/**
 * Durable floor state, on disk before anything is published (rule 2).
 *
 * The file holds two fixed slots of the same size, page-aligned. A save
 * writes the new state into the slot that does not hold the newest one, with
 * a sequence number, its length and a SHA-256 over both, then one
 * `fdatasync`: the file's size and blocks never change, so that one flush
 * makes the slot durable, with no journal commit and no folder sync. A power
 * cut or a kill during the write leaves that slot torn (its checksum fails)
 * and the other slot whole: the reader takes the newest slot that checks
 * out, so a load always returns the state of the last save that completed,
 * or the one before it when the cut came during the save (which then had not
 * returned, so nothing of it was published).
 *
 * The file is created, and replaced when a state outgrows its slot, the
 * atomic way (temp file, fsync, rename, fsync of the folder). A file of the
 * older format (one JSON document) is read as before and replaced by the
 * slotted file at the first save.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { FloorState } from '../floor/machine.js';
import { MAX_FENCE } from '../protocol/schemas.js';
import { t } from '../i18n/index.js';

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

/** Slots are whole pages, so writing one never rewrites a byte of the other. */
const PAGE = 4096;
/** The smallest slot; a slot is at least twice the state that made it, so growth is rare. */
const MIN_SLOT = 16 * 1024;
const MAGIC = 'relais-state-slot/1';
/** `relais-state-slot/1 seq=<16 digits> len=<10 digits> sha256=<64 hex>\n`: a fixed length. */
const HEADER_BYTES = `${MAGIC} seq=${'0'.repeat(16)} len=${'0'.repeat(10)} sha256=${'0'.repeat(64)}\n`.length;
const HEADER = /^relais-state-slot\/1 seq=(\d{16}) len=(\d{10}) sha256=([0-9a-f]{64})\n$/;

/** Where the newest state is, once known. */
interface Layout {
  slotSize: number;
  newest: 0 | 1;
  seq: number;
}

const headerPrefix = (seq: number, len: number): string => `${MAGIC} seq=${String(seq).padStart(16, '0')} len=${String(len).padStart(10, '0')} sha256=`;
const digest = (prefix: string, body: Buffer): string => createHash('sha256').update(prefix).update(body).digest('hex');

/** One slot's header and body, ready to write at the slot's start. */
function slotBytes(seq: number, body: Buffer): Buffer {
  const prefix = headerPrefix(seq, body.length);
  return Buffer.concat([Buffer.from(`${prefix}${digest(prefix, body)}\n`), body]);
}

/** The slot size for a slot of `bytes`: at least twice that, whole pages. */
function slotSizeFor(bytes: number): number {
  return Math.max(MIN_SLOT, Math.ceil((2 * bytes) / PAGE) * PAGE);
}

/** The body of a slot if its header and checksum hold, with its sequence number. */
function readSlot(slot: Buffer): { seq: number; body: Buffer } | null {
  const match = HEADER.exec(slot.subarray(0, HEADER_BYTES).toString('latin1'));
  if (!match) return null;
  const seq = Number(match[1]);
  const len = Number(match[2]);
  if (len > slot.length - HEADER_BYTES) return null;
  const body = slot.subarray(HEADER_BYTES, HEADER_BYTES + len);
  return digest(headerPrefix(seq, len), body) === match[3] ? { seq, body } : null;
}

/** The newest whole slot of a slotted file; null when the file is not one. */
function newestSlot(file: Buffer): { layout: Layout; body: Buffer } | null {
  const slotSize = file.length / 2;
  if (!Number.isInteger(slotSize) || slotSize < MIN_SLOT || slotSize % PAGE !== 0) return null;
  const slots = [readSlot(file.subarray(0, slotSize)), readSlot(file.subarray(slotSize))];
  const newest: 0 | 1 | null = slots[0] && (!slots[1] || slots[0].seq > slots[1].seq) ? 0 : slots[1] ? 1 : null;
  if (newest === null) return null;
  const { seq, body } = slots[newest]!;
  return { layout: { slotSize, newest, seq }, body };
}

export class StateStore {
  private writes = 0;
  private layout: Layout | null = null;

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
    let file: Buffer;
    try {
      file = await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StateFileError(t('setup.stateUnreadable', { path: this.path, reason: (err as Error).message }));
    }
    if (file.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) {
      // The older format: one JSON document, replaced by a slotted file at the first save.
      this.layout = null;
      return this.parse(file.toString('utf8'));
    }
    const slotted = newestSlot(file);
    if (!slotted) throw new StateFileError(t('setup.stateNoSlot', { path: this.path }));
    const state = this.parse(slotted.body.toString('utf8'));
    this.layout = slotted.layout;
    return state;
  }

  private parse(text: string): FloorState {
    let parsed: StoredFile;
    try {
      parsed = JSON.parse(text) as StoredFile;
    } catch {
      throw new StateFileError(t('setup.stateNotJson', { path: this.path }));
    }
    if (parsed?.format !== 'relais-conductor-state' || !parsed.state || typeof parsed.state.epoch !== 'number') {
      throw new StateFileError(t('setup.stateNotOurs', { path: this.path }));
    }
    if (parsed.event !== this.event) {
      throw new StateFileError(t('setup.stateOtherEvent', { path: this.path, found: String(parsed.event), event: this.event }));
    }
    const { term, epoch } = parsed.state as Partial<FloorState>;
    if (!isFence(epoch) || (term !== undefined && !isFence(term))) {
      throw new StateFileError(t('setup.stateFence', { path: this.path, max: MAX_FENCE }));
    }
    // Files written before terms: term 0.
    return { ...parsed.state, term: term ?? 0 };
  }

  /** Resolves once the state is durable: one slot written and flushed, or a new file in place. */
  async save(state: FloorState, conductor: string): Promise<void> {
    const document: StoredFile = { format: 'relais-conductor-state', version: 1, event: this.event, conductor, savedAt: new Date().toISOString(), state };
    const body = Buffer.from(JSON.stringify(document));
    const layout = this.layout ?? (await this.currentLayout());
    if (!layout || HEADER_BYTES + body.length > layout.slotSize) return this.replace(body, (layout?.seq ?? 0) + 1);
    const target: 0 | 1 = layout.newest === 0 ? 1 : 0;
    const seq = layout.seq + 1;
    const bytes = slotBytes(seq, body);
    const file = await open(this.path, 'r+');
    try {
      await file.write(bytes, 0, bytes.length, target * layout.slotSize);
      await file.datasync();
    } finally {
      await file.close();
    }
    // Only now is the new slot the newest: a failed write leaves the other one in charge.
    this.layout = { slotSize: layout.slotSize, newest: target, seq };
  }

  /** The layout of the slotted file on disk, when there is one this store has not read yet. */
  private async currentLayout(): Promise<Layout | null> {
    try {
      return newestSlot(await readFile(this.path))?.layout ?? null;
    } catch {
      return null;
    }
  }

  /** A new slotted file with the state in slot 0, put in place atomically. */
  private async replace(body: Buffer, seq: number): Promise<void> {
    const head = slotBytes(seq, body);
    const slotSize = slotSizeFor(head.length);
    const whole = Buffer.alloc(2 * slotSize);
    head.copy(whole, 0);
    const folder = dirname(this.path);
    await mkdir(folder, { recursive: true });
    this.writes += 1;
    const temp = join(folder, `.${basename(this.path)}.${process.pid}.${this.writes}.tmp`);
    const file = await open(temp, 'w', 0o640);
    try {
      await file.writeFile(whole);
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
    this.layout = { slotSize, newest: 0, seq };
  }
}
