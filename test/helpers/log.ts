/**
 * Loggers for the tests. `quietLogger` sends every relais log line into a
 * buffer that a failing test can print (`RELAIS_TEST_LOG=1` prints them as
 * they come); `recordingLogger` keeps one component's lines for assertions.
 */
import { EventEmitter } from 'node:events';
import { createLogger, setLogSink, type Logger } from '../../src/util/log.js';

/** The latest relais log lines of this test process (at most 2000). */
export const logBuffer: string[] = [];
let installed = false;

/** A logger whose lines go to `logBuffer` instead of the terminal. */
export function quietLogger(scope = 'test'): Logger {
  if (!installed) {
    installed = true;
    if (!process.env.RELAIS_TEST_LOG) {
      setLogSink((line) => {
        logBuffer.push(line);
        if (logBuffer.length > 2000) logBuffer.splice(0, 1000);
      });
    }
  }
  return createLogger(scope);
}

/** A logger that keeps its lines (`level message {fields}`) for assertions instead of printing them. */
export function recordingLogger(lines: string[] = []): Logger & { lines: string[] } {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}`);
  };
  const log = { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: () => log };
  return log;
}

/** A list of log lines that also announces each line it gets, so a test can wait for one. */
export function announcedLines(): { lines: string[]; logged: EventEmitter<{ line: [line: string] }> } {
  const lines: string[] = [];
  const logged = new EventEmitter<{ line: [line: string] }>();
  const push = lines.push.bind(lines);
  lines.push = (...added: string[]) => {
    const n = push(...added);
    for (const line of added) logged.emit('line', line);
    return n;
  };
  return { lines, logged };
}
