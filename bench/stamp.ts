/**
 * A wall-clock stamp burnt into the picture, for glass-to-glass latency: the
 * top of each frame carries a band of 2 rows of 32 black or white cells, 64
 * bits: the time in ms since 1970 (44 bits), the frame's number (12 bits,
 * wraps at 4096) and a CRC-8 of both (so a frame broken up by a lost packet
 * reads as unreadable, never as a wrong time). Cells are a 32nd of the width,
 * large enough to survive a lossy encode and a downscale: the reader samples
 * the middle of each cell, whatever the decoded size.
 */

export const STAMP_COLUMNS = 32;
export const STAMP_ROWS = 2;
const TIME_BITS = 44n;
const SEQ_BITS = 12n;
export const SEQ_MODULO = 1 << Number(SEQ_BITS);
const BLACK = 16;
const WHITE = 235;

export interface Stamp {
  /** ms since 1970, an integer below 2^44. */
  timeMs: number;
  /** Frame number modulo 4096. */
  seq: number;
}

/** CRC-8, polynomial 0x07 (the ATM HEC's, without its final XOR). */
export function crc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** The 64 bits of a stamp, most significant first. */
export function stampBits(s: Stamp): number[] {
  if (!Number.isInteger(s.timeMs) || s.timeMs < 0 || s.timeMs >= 2 ** Number(TIME_BITS)) throw new Error(`stamp time ${s.timeMs} is not an integer ms count below 2^44`);
  const payload = (BigInt(s.timeMs) << SEQ_BITS) | BigInt(s.seq % SEQ_MODULO);
  const bytes = new Uint8Array(7);
  for (let i = 0; i < 7; i += 1) bytes[i] = Number((payload >> BigInt(8 * (6 - i))) & 0xffn);
  const word = (payload << 8n) | BigInt(crc8(bytes));
  const bits: number[] = [];
  for (let i = 63; i >= 0; i -= 1) bits.push(Number((word >> BigInt(i)) & 1n));
  return bits;
}

/** The stamp of 64 bits, or null when the CRC does not match. */
export function stampFromBits(bits: readonly number[]): Stamp | null {
  if (bits.length !== 64) return null;
  let word = 0n;
  for (const bit of bits) word = (word << 1n) | BigInt(bit ? 1 : 0);
  const payload = word >> 8n;
  const bytes = new Uint8Array(7);
  for (let i = 0; i < 7; i += 1) bytes[i] = Number((payload >> BigInt(8 * (6 - i))) & 0xffn);
  if (crc8(bytes) !== Number(word & 0xffn)) return null;
  return { timeMs: Number(payload >> SEQ_BITS), seq: Number(payload & BigInt(SEQ_MODULO - 1)) };
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
 * picture). Null when the CRC fails: a broken or half-decoded picture.
 */
export function readStamp(gray: Buffer, width: number, height: number, sourceWidth: number, sourceHeight: number): Stamp | null {
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
      bits.push(sum / ((y1 - y0) * (x1 - x0)) > (BLACK + WHITE) / 2 ? 1 : 0);
    }
  }
  return stampFromBits(bits);
}

/** Frames between two frame numbers read in order (1 for the next frame), across the wrap at 4096. */
export function seqStep(previous: number, next: number): number {
  return (next - previous + SEQ_MODULO) % SEQ_MODULO;
}
