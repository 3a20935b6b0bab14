import type { Logger } from '../../src/util/log.js';

/** A logger that keeps its lines for assertions instead of printing them. */
export function quietLogger(lines: string[] = []): Logger & { lines: string[] } {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}`);
  };
  const log = { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: () => log };
  return log;
}
