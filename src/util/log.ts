/**
 * A tiny structured logger. Lines go to stderr so that stdout stays free for
 * command output (`relais floor status --json`) and the demo's live screen.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string, level: LogLevel) => void;

let threshold: LogLevel = (process.env.RELAIS_LOG_LEVEL as LogLevel | undefined) ?? 'info';
let sink: LogSink = (line) => process.stderr.write(line + '\n');

/** Sets the lowest level that is written (also `RELAIS_LOG_LEVEL`). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Redirects every logger's output, e.g. into the demo's screen or a test buffer. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

function format(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

export function createLogger(scope: string): Logger {
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[threshold]) return;
    const stamp = new Date().toISOString();
    sink(`${stamp} ${level.padEnd(5)} [${scope}] ${msg}${format(fields)}`, level);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (sub) => createLogger(`${scope}:${sub}`),
  };
}
