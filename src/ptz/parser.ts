/**
 * VISCA framing: a byte stream cut into packets at 0xFF, and each packet
 * classified. Never throws; garbage is reported and skipped up to the next
 * terminator so the stream resynchronises by itself.
 */

/** Longest VISCA message (Sony: 16 bytes, header and terminator included). */
export const MAX_PACKET = 16;

export type ViscaErrorCode = 0x01 | 0x02 | 0x03 | 0x04 | 0x05 | 0x41;

export type ViscaReply =
  /** `z0 4y FF`: command accepted into socket y. */
  | { type: 'ack'; from: number; socket: number }
  /** `z0 5y FF` (command done) or `z0 50 ... FF` (inquiry answer, `data` between 50 and FF). */
  | { type: 'completion'; from: number; socket: number; data: Uint8Array }
  /** `z0 6y pp FF` */
  | { type: 'error'; from: number; socket: number; code: number }
  /** `z0 38 FF`: a camera was added to or removed from the chain; re-address. */
  | { type: 'network-change'; from: number }
  /** `88 30 0w FF`: w is one more than the number of cameras on the chain. */
  | { type: 'address-set'; next: number }
  /** `88 01 00 01 FF` came back round the chain. */
  | { type: 'if-clear' }
  /** Anything else that ended in 0xFF, or an over-long run without one. */
  | { type: 'garbage'; bytes: Uint8Array };

/** Sender address (1-7) from a reply header byte `z0` (z = address + 8), or 0 when it is not one. */
export function replySender(header: number): number {
  if ((header & 0x0f) !== 0) return 0;
  const z = header >> 4;
  return z >= 9 && z <= 15 ? z - 8 : 0;
}

/** The packet a completion was read from (`z0 5y data FF`), for error messages. */
export function completionBytes(from: number, socket: number, data: Uint8Array): Uint8Array {
  return Uint8Array.from([(from + 8) << 4, 0x50 | socket, ...data, 0xff]);
}

/** Classifies one packet (terminator included). */
export function classify(packet: Uint8Array): ViscaReply {
  const n = packet.length;
  const b0 = packet[0] ?? 0;
  const b1 = packet[1] ?? 0;
  if (b0 === 0x88) {
    if (n === 4 && b1 === 0x30) return { type: 'address-set', next: packet[2] ?? 0 };
    if (n === 5 && b1 === 0x01 && packet[2] === 0x00 && packet[3] === 0x01) return { type: 'if-clear' };
    return { type: 'garbage', bytes: packet };
  }
  const from = replySender(b0);
  if (from === 0 || n < 3) return { type: 'garbage', bytes: packet };
  const socket = b1 & 0x0f;
  switch (b1 & 0xf0) {
    case 0x30:
      if (b1 === 0x38 && n === 3) return { type: 'network-change', from };
      break;
    case 0x40:
      if (n === 3) return { type: 'ack', from, socket };
      break;
    case 0x50:
      // Inquiry answers carry data and always come on socket 0.
      if (n === 3 || socket === 0) return { type: 'completion', from, socket, data: packet.slice(2, n - 1) };
      break;
    case 0x60:
      if (n === 4) return { type: 'error', from, socket, code: packet[2] ?? 0 };
      break;
  }
  return { type: 'garbage', bytes: packet };
}

/**
 * Cuts a byte stream into packets at 0xFF. Bounded: a run longer than
 * {@link MAX_PACKET} without a terminator is dropped as garbage and the rest
 * of it is skipped until the next 0xFF.
 */
export class ViscaFramer {
  private readonly buf = new Uint8Array(MAX_PACKET);
  private len = 0;
  private skipping = false;

  /** Feeds bytes; returns complete packets (terminator included) and garbage notes in order. */
  push(chunk: Uint8Array): Array<{ packet: Uint8Array } | { garbage: Uint8Array }> {
    const out: Array<{ packet: Uint8Array } | { garbage: Uint8Array }> = [];
    for (const byte of chunk) {
      if (this.skipping) {
        // The rest of an over-long run belongs to the garbage already reported.
        if (byte === 0xff) this.skipping = false;
        continue;
      }
      if (this.len === MAX_PACKET) {
        out.push({ garbage: this.buf.slice(0, this.len) });
        this.len = 0;
        this.skipping = byte !== 0xff;
        continue;
      }
      this.buf[this.len++] = byte;
      if (byte === 0xff) {
        out.push({ packet: this.buf.slice(0, this.len) });
        this.len = 0;
      }
    }
    return out;
  }

  /** Bytes held waiting for a terminator. */
  get pending(): number {
    return this.len;
  }

  reset(): void {
    this.len = 0;
    this.skipping = false;
  }
}

/** Framer plus classifier: feed bytes from a camera, get replies. */
export class ViscaReplyParser {
  private readonly framer = new ViscaFramer();

  push(chunk: Uint8Array): ViscaReply[] {
    const replies: ViscaReply[] = [];
    for (const item of this.framer.push(chunk)) {
      if ('packet' in item) replies.push(classify(item.packet));
      else if (item.garbage.length > 0) replies.push({ type: 'garbage', bytes: item.garbage });
    }
    return replies;
  }

  reset(): void {
    this.framer.reset();
  }
}
