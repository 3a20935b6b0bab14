/**
 * A wall-clock stamp burnt into the picture, for glass-to-glass latency: the
 * top of each frame carries a band of 2 rows of 32 black or white cells, 64
 * bits: the time in ms since 1970 modulo 2^36 (795 days; the reader puts it
 * back beside its own clock), the frame's number (12 bits, wraps at 4096) and
 * a CRC-16 of both. A picture broken up by a lost packet reads as unreadable,
 * never as a wrong time: a cell that is neither clearly black nor clearly
 * white refuses the stamp, and so does the CRC. Cells are a 32nd of the
 * width, large enough to survive a lossy encode and a downscale: the reader
 * samples the middle of each cell, whatever the decoded size.
 */

export const STAMP_COLUMNS = 32;
export const STAMP_ROWS = 2;
const TIME_BITS = 36n;
const TIME_MODULO = 2 ** Number(TIME_BITS);
const SEQ_BITS = 12n;
export const SEQ_MODULO = 1 << Number(SEQ_BITS);
const BLACK = 16;
const WHITE = 235;

/** A cell whose mean is this close to the middle grey is neither black nor white. */
const MARGIN = 55;

export interface Stamp {
  /** ms since 1970, an integer. */
  timeMs: number;
  /** Frame number modulo 4096. */
  seq: number;
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, start 0xffff). */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function payloadBytes(payload: bigint): Uint8Array {
  const bytes = new Uint8Array(6);
  for (let i = 0; i < 6; i += 1) bytes[i] = Number((payload >> BigInt(8 * (5 - i))) & 0xffn);
  return bytes;
}

/** The 64 bits of a stamp, most significant first. */
export function stampBits(s: Stamp): number[] {
  if (!Number.isSafeInteger(s.timeMs) || s.timeMs < 0) throw new Error(`stamp time ${s.timeMs} is not a whole, positive ms count`);
  const payload = (BigInt(s.timeMs % TIME_MODULO) << SEQ_BITS) | BigInt(s.seq % SEQ_MODULO);
  const word = (payload << 16n) | BigInt(crc16(payloadBytes(payload)));
  const bits: number[] = [];
  for (let i = 63; i >= 0; i -= 1) bits.push(Number((word >> BigInt(i)) & 1n));
  return bits;
}

/**
 * The stamp of 64 bits, its time the one nearest `nearMs` (the reader's
 * clock) with those low 36 bits; null when the CRC does not match.
 */
export function stampFromBits(bits: readonly number[], nearMs: number): Stamp | null {
  if (bits.length !== 64) return null;
  let word = 0n;
  for (const bit of bits) word = (word << 1n) | BigInt(bit ? 1 : 0);
  const payload = word >> 16n;
  if (crc16(payloadBytes(payload)) !== Number(word & 0xffffn)) return null;
  const low = Number(payload >> SEQ_BITS);
  const timeMs = low + Math.round((nearMs - low) / TIME_MODULO) * TIME_MODULO;
  return { timeMs, seq: Number(payload & BigInt(SEQ_MODULO - 1)) };
}

/** Height in rows of the band on a `width` x `height` picture. */
export function stampBandHeight(width: number): number {
  return Math.ceil((width / STAMP_COLUMNS) * STAMP_ROWS);
}

/** Draws the stamp on the luma plane (`width` bytes a row) of a picture, in place. */
export function drawStamp(luma: Buffer, width: number, s: Stamp): void {
  const bits = stampBits(s);
  const cell = width / STAMP_COLUMNS;
  for (let row = 0; row < STAMP_ROWS; row += 1) {
    const y0 = Math.round(row * cell);
    const y1 = Math.round((row + 1) * cell);
    for (let col = 0; col < STAMP_COLUMNS; col += 1) {
      const value = bits[row * STAMP_COLUMNS + col] ? WHITE : BLACK;
      const x0 = Math.round(col * cell);
      const x1 = Math.round((col + 1) * cell);
      for (let y = y0; y < y1; y += 1) luma.fill(value, y * width + x0, y * width + x1);
    }
  }
}

/**
 * Reads the stamp of a decoded 8-bit gray picture (`width` x `height`) made
 * from a source of `sourceWidth` x `sourceHeight` (the band scales with the
 * picture), its time put back beside `nearMs`. Null for a broken or
 * half-decoded picture: a cell neither black nor white, or a CRC that fails.
 */
export function readStamp(gray: Buffer, width: number, height: number, sourceWidth: number, sourceHeight: number, nearMs = Date.now()): Stamp | null {
  if (gray.length < width * height) throw new Error(`a ${width}x${height} gray picture needs ${width * height} bytes, got ${gray.length}`);
  const cellX = width / STAMP_COLUMNS;
  const cellY = (sourceWidth / STAMP_COLUMNS) * (height / sourceHeight);
  const bits: number[] = [];
  for (let row = 0; row < STAMP_ROWS; row += 1) {
    // The middle half of the cell: its edges blur in the encode and the scale.
    const y0 = Math.floor((row + 0.25) * cellY);
    const y1 = Math.max(y0 + 1, Math.ceil((row + 0.75) * cellY));
    for (let col = 0; col < STAMP_COLUMNS; col += 1) {
      const x0 = Math.floor((col + 0.25) * cellX);
      const x1 = Math.max(x0 + 1, Math.ceil((col + 0.75) * cellX));
      let sum = 0;
      for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) sum += gray[y * width + x] ?? 0;
      const mean = sum / ((y1 - y0) * (x1 - x0));
      const middle = (BLACK + WHITE) / 2;
      if (Math.abs(mean - middle) < MARGIN) return null;
      bits.push(mean > middle ? 1 : 0);
    }
  }
  return stampFromBits(bits, nearMs);
}

/** Frames between two frame numbers read in order (1 for the next frame), across the wrap at 4096. */
export function seqStep(previous: number, next: number): number {
  return (next - previous + SEQ_MODULO) % SEQ_MODULO;
}

/** A picture as the display showed it: when, and its stamp (null: unreadable). */
export interface Shown {
  at: number;
  stamp: Stamp | null;
}

/** What the display showed in one window. */
export interface Judged {
  latency: number[];
  pictures: number;
  lost: number;
  repeated: number;
  unreadable: number;
  longestGapMs: number;
  gapsOver100ms: number;
}

/** Latency of each picture, pictures lost (frame numbers never shown, broken or not), repeated, broken, and the freezes. */
export function judge(shown: readonly Shown[]): Judged {
  const j: Judged = { latency: [], pictures: shown.length, lost: 0, repeated: 0, unreadable: 0, longestGapMs: 0, gapsOver100ms: 0 };
  let previous: Stamp | null = null;
  let brokenSince = 0;
  for (const [i, p] of shown.entries()) {
    const gap = i > 0 ? p.at - shown[i - 1]!.at : 0;
    j.longestGapMs = Math.max(j.longestGapMs, gap);
    if (gap > 100) j.gapsOver100ms += 1;
    if (!p.stamp) {
      j.unreadable += 1;
      brokenSince += 1;
      continue;
    }
    j.latency.push(p.at - p.stamp.timeMs);
    if (previous) {
      const step = seqStep(previous.seq, p.stamp.seq);
      if (step === 0) j.repeated += 1;
      // Broken pictures in between were shown, not lost; a step back (an older picture) is no loss either.
      else if (step < SEQ_MODULO / 2) j.lost += Math.max(0, step - 1 - brokenSince);
    }
    previous = p.stamp;
    brokenSince = 0;
  }
  return j;
}
