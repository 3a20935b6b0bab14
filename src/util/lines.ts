/** Text streams read line by line. */
import type { Readable } from 'node:stream';

/** Calls `onLine` with each whole line of `stream` (utf8, without its `\n`); a last line without one waits for it. */
export function eachLine(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  let pending = '';
  stream?.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}
