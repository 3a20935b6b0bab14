/**
 * TSL UMD protocol v5.0 (TSL document "UMD protocol V5.0"), little-endian:
 * PBC (u16, bytes after it), VER (u8, 0), FLAGS (u8: bit 0 text in UTF-16LE,
 * bit 1 screen control instead of display messages), SCREEN (u16), then
 * display messages: INDEX (u16, 0xFFFF broadcast), CONTROL (u16: bits 0-1 RH
 * tally, 2-3 text tally, 4-5 LH tally, 6-7 brightness, bit 15 control data),
 * LENGTH (u16) and TEXT. Tally values: 0 off, 1 red, 2 green, 3 amber. Over TCP
 * each packet is sent as DLE STX + packet, with every DLE (0xFE) in it doubled.
 */
import { t } from '../i18n/index.js';

export type Tsl5Colour = 'off' | 'red' | 'green' | 'amber';
const COLOURS: readonly Tsl5Colour[] = ['off', 'red', 'green', 'amber'];

export interface Tsl5Display {
  index: number;
  rh: Tsl5Colour;
  text: Tsl5Colour;
  lh: Tsl5Colour;
  brightness: number;
  label: string;
}

export interface Tsl5Packet {
  screen: number;
  displays: Tsl5Display[];
}

export const DLE = 0xfe;
export const STX = 0x02;
/** A UMD 5.0 UDP packet is at most 2048 bytes. */
export const TSL5_MAX = 2048;

function bad(why: string): Error {
  return new Error(t('setup.tsl5Bad', { why }));
}

export function decodeTsl5(bytes: Uint8Array): Tsl5Packet {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 6) throw bad(t('setup.tsl5Bytes', { n: b.length }));
  const pbc = b.readUInt16LE(0);
  if (pbc + 2 !== b.length) throw bad(t('setup.tsl5Pbc', { pbc, n: b.length - 2 }));
  const version = b[2]!;
  if (version !== 0) throw bad(t('setup.tsl5Version', { version }));
  const flags = b[3]!;
  const screen = b.readUInt16LE(4);
  const displays: Tsl5Display[] = [];
  if (flags & 2) return { screen, displays }; // screen control: nothing about tally
  for (let at = 6; at < b.length; ) {
    if (at + 6 > b.length) throw bad(t('setup.tsl5Cut'));
    const index = b.readUInt16LE(at);
    const control = b.readUInt16LE(at + 2);
    const length = b.readUInt16LE(at + 4);
    at += 6;
    if (at + length > b.length) throw bad(t('setup.tsl5TextCut', { n: length }));
    const raw = b.subarray(at, at + length);
    at += length;
    if (control & 0x8000) continue; // display control data, not a display message
    displays.push({
      index,
      rh: COLOURS[control & 3]!,
      text: COLOURS[(control >> 2) & 3]!,
      lh: COLOURS[(control >> 4) & 3]!,
      brightness: (control >> 6) & 3,
      label: raw.toString(flags & 1 ? 'utf16le' : 'latin1'),
    });
  }
  return { screen, displays };
}

export function encodeTsl5(packet: Tsl5Packet): Buffer {
  const messages = packet.displays.map((d) => {
    const label = Buffer.from(d.label, 'utf16le');
    const head = Buffer.alloc(6);
    head.writeUInt16LE(d.index, 0);
    head.writeUInt16LE(COLOURS.indexOf(d.rh) | (COLOURS.indexOf(d.text) << 2) | (COLOURS.indexOf(d.lh) << 4) | ((d.brightness & 3) << 6), 2);
    head.writeUInt16LE(label.length, 4);
    return Buffer.concat([head, label]);
  });
  const body = Buffer.concat(messages);
  const head = Buffer.alloc(6);
  head.writeUInt16LE(body.length + 4, 0);
  head[2] = 0;
  head[3] = 1; // UTF-16LE text: accents in camera names survive
  head.writeUInt16LE(packet.screen, 4);
  const out = Buffer.concat([head, body]);
  if (out.length > TSL5_MAX) throw new RangeError(`TSL 5.0 packet of ${out.length} bytes exceeds ${TSL5_MAX}; send fewer displays per packet`);
  return out;
}

/** DLE/STX wrapping for TCP. */
export function stuffTsl5(packet: Uint8Array): Buffer {
  const out: number[] = [DLE, STX];
  for (const byte of packet) {
    out.push(byte);
    if (byte === DLE) out.push(DLE);
  }
  return Buffer.from(out);
}

/** Splits a TCP byte stream into packets at DLE STX, undoing the DLE doubling. */
export class Tsl5StreamFramer {
  private current: number[] | null = null;
  private afterDle = false;

  push(chunk: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    for (const byte of chunk) {
      if (this.afterDle) {
        this.afterDle = false;
        if (byte === STX) {
          this.current = []; // a packet cut short by a new start is dropped: resync
          continue;
        }
        if (byte !== DLE) throw bad(t('setup.tsl5Dle', { byte: byte.toString(16) }));
        this.current?.push(DLE);
        continue;
      }
      if (byte === DLE) {
        this.afterDle = true;
        continue;
      }
      if (this.current === null) throw bad(t('setup.tsl5BeforeStx'));
      this.current.push(byte);
      if (this.current.length > TSL5_MAX) throw bad(t('setup.tsl5TooLong', { max: TSL5_MAX }));
      if (this.current.length >= 2 && this.current.length === this.current[0]! + (this.current[1]! << 8) + 2) {
        out.push(Buffer.from(this.current));
        this.current = null;
      }
    }
    return out;
  }
}
