/**
 * Reads the watchdog settings systemd hands a `WatchdogSec=` service and
 * decides how often to ping. Pure: no timers, no sockets.
 */

/** What the environment says about the service watchdog. */
export type WatchdogSetting =
  | { enabled: true; timeoutMs: number; pingEveryMs: number }
  | { enabled: false; reason: string };

/**
 * Parses `WATCHDOG_USEC` (and `WATCHDOG_PID`, which names the process the
 * watchdog is meant for: a child that inherited the environment must not ping).
 * Pings go out at half the timeout, as sd_watchdog_enabled(3) recommends.
 */
export function watchdogFromEnv(env: NodeJS.ProcessEnv, pid: number = process.pid): WatchdogSetting {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined || usecText === '') return { enabled: false, reason: 'WATCHDOG_USEC is not set' };
  if (!/^\d+$/.test(usecText)) {
    return { enabled: false, reason: `WATCHDOG_USEC="${usecText}" is not a whole number of microseconds` };
  }
  const usec = Number(usecText);
  if (usec <= 0) return { enabled: false, reason: 'WATCHDOG_USEC is 0' };
  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined && pidText !== '' && Number(pidText) !== pid) {
    return { enabled: false, reason: `WATCHDOG_PID=${pidText} is another process (this is ${pid})` };
  }
  const timeoutMs = usec / 1000;
  return { enabled: true, timeoutMs, pingEveryMs: Math.max(1, Math.floor(timeoutMs / 2)) };
}

/** Keeps a status line within what systemd shows and on one line. */
export function statusLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > 200 ? flat.slice(0, 199) + '…' : flat;
}
