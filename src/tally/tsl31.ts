/**
 * TSL UMD protocol v3.1 (TSL document "UMD protocol V3.1"): one 18-byte packet
 * per display. Byte 0 is the address + 0x80 (0-126); byte 1 the control byte
 * (bits 0-3 tally 1-4, bits 4-5 brightness, bit 6 reserved 0, bit 7 clear);
 * bytes 2-17 sixteen ASCII characters of text, space padded. Over UDP one
 * datagram may carry several packets back to back.
 */
import { t } from '../i18n/index.js';

export const TSL31_PACKET = 18;

export interface Tsl31Display {
  address: number;
  /** Tally 1 to 4, in order. */
  tally: [boolean, boolean, boolean, boolean];
  brightness: number;
  text: string;
}

/** Decodes every 18-byte packet in a datagram. Throws on anything not 3.1. */
export function decodeTsl31(bytes: Uint8Array): Tsl31Display[] {
  if (bytes.length === 0 || bytes.length % TSL31_PACKET !== 0) throw new Error(t('setup.tsl31Length', { n: bytes.length }));
  const out: Tsl31Display[] = [];
  for (let at = 0; at < bytes.length; at += TSL31_PACKET) {
    const header = bytes[at]!;
    const control = bytes[at + 1]!;
    if (header < 0x80 || header > 0xfe) throw new Error(t('setup.tsl31Address', { byte: header.toString(16) }));
    if (control & 0xc0) throw new Error(t('setup.tsl31Control', { byte: control.toString(16) }));
    const text = Buffer.from(bytes.subarray(at + 2, at + TSL31_PACKET)).toString('latin1').replace(/[\s\0]+$/, '');
    out.push({
      address: header - 0x80,
      tally: [!!(control & 1), !!(control & 2), !!(control & 4), !!(control & 8)],
      brightness: (control >> 4) & 3,
      text,
    });
  }
  return out;
}

export function encodeTsl31(display: Tsl31Display): Buffer {
  if (!Number.isInteger(display.address) || display.address < 0 || display.address > 126) throw new RangeError(`TSL 3.1 address must be 0-126; got ${display.address}`);
  const out = Buffer.alloc(TSL31_PACKET, 0x20);
  out[0] = 0x80 + display.address;
  out[1] = display.tally.reduce((acc, on, i) => acc | (on ? 1 << i : 0), 0) | ((display.brightness & 3) << 4);
  out.write(display.text.replace(/[^\x20-\x7e]/g, '?').slice(0, 16), 2, 'latin1');
  return out;
}
