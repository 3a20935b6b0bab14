/**
 * vMix TCP API framing (port 8099): lines ending in CRLF, `<COMMAND> <STATUS>
 * <rest>`; an `XML <length>` answer is followed by that many bytes, skipped.
 * `TALLY OK 0121...` gives one digit per input from input 1: 0 off, 1 program,
 * 2 preview.
 */
import type { InputTally } from './source.js';
import { t } from '../i18n/index.js';

export interface VmixMessage {
  command: string;
  /** `OK`, `ER`, or a length for `XML`. */
  status: string;
  rest: string;
}

/** Longer than any answer vMix sends besides XML; a peer past it is not vMix. */
const MAX_LINE = 16 * 1024;

export class VmixFramer {
  private buffer = '';
  private skipBytes = 0;

  /** Feeds bytes; returns complete messages. Throws on a line no vMix would send. */
  push(chunk: Buffer): VmixMessage[] {
    let text = chunk.toString('latin1');
    if (this.skipBytes > 0) {
      const skipped = Math.min(this.skipBytes, text.length);
      this.skipBytes -= skipped;
      text = text.slice(skipped);
    }
    this.buffer += text;
    const out: VmixMessage[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (line.length === 0) continue;
      const message = parseLine(line);
      out.push(message);
      if (message.command === 'XML') {
        const length = Number(message.status);
        const skipped = Math.min(length, this.buffer.length);
        this.buffer = this.buffer.slice(skipped);
        this.skipBytes = length - skipped;
      }
    }
    if (this.buffer.length > MAX_LINE) throw new Error(t('setup.vmixLongLine', { max: MAX_LINE }));
    return out;
  }
}

function parseLine(line: string): VmixMessage {
  const m = /^([A-Z]+) (\S+)(?: (.*))?$/.exec(line);
  if (!m) throw new Error(t('setup.vmixBadLine', { line: line.slice(0, 40) }));
  return { command: m[1]!, status: m[2]!, rest: m[3] ?? '' };
}

/** The inputs of a `TALLY OK` answer. Throws on a digit outside 0-2. */
export function parseVmixTally(digits: string): InputTally[] {
  if (!/^[0-2]*$/.test(digits)) throw new Error(t('setup.vmixBadTally', { digits: digits.slice(0, 40) }));
  return [...digits].map((d, i) => ({ id: String(i + 1), program: d === '1', preview: d === '2' }));
}

/** The `TALLY OK` line for a list of input states (for the emulator). */
export function formatVmixTally(states: ReadonlyArray<0 | 1 | 2>): string {
  return `TALLY OK ${states.join('')}\r\n`;
}
