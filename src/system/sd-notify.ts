/**
 * The sd_notify(3) client: READY=1 once the service works, WATCHDOG=1 at half
 * of `WATCHDOG_USEC` while the service says it is healthy, STATUS= lines for
 * `systemctl status`, STOPPING=1 on the way out. Without `NOTIFY_SOCKET` (run
 * by hand, in tests, in the demo) every call is a no-op.
 *
 * The unit must set `NotifyAccess=all`: see {@link createSocatTransport} for why.
 */
import type { Logger } from '../util/log.js';
import { createSocatTransport, type NotifyTransport } from './notify-transport.js';
import { statusLine, watchdogFromEnv } from './watchdog.js';
import { t } from '../i18n/index.js';

export interface Notifier {
  /** True when a notify socket was found and messages go somewhere. */
  readonly active: boolean;
  /** Start-up is complete: systemd moves the unit to "active (running)". */
  ready(status?: string): void;
  /** The service is shutting down (so a slow stop is not mistaken for a hang). */
  stopping(): void;
  /** Free-form status shown by `systemctl status`. */
  status(text: string): void;
  /**
   * Pings the watchdog at half of `WATCHDOG_USEC`. A ping is skipped while
   * `isHealthy()` returns false (or throws), so systemd kills and restarts a
   * wedged service. Calling it again replaces the previous check.
   */
  startWatchdog(isHealthy: () => boolean): void;
  /** Stops the watchdog timer and the sender. */
  close(): Promise<void>;
}

export interface NotifierOptions {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to `process.pid` (compared with `WATCHDOG_PID`). */
  pid?: number;
  /** Replaces the socat-backed sender (tests, other transports). */
  transport?: (notifySocket: string, log: Logger) => NotifyTransport;
}

/** Builds the notifier for this process from `NOTIFY_SOCKET` and `WATCHDOG_USEC`. */
export function createNotifier(log: Logger, options: NotifierOptions = {}): Notifier {
  const env = options.env ?? process.env;
  const socketName = env.NOTIFY_SOCKET;
  if (!socketName) return noopNotifier();

  let transport: NotifyTransport;
  try {
    transport = (options.transport ?? createSocatTransport)(socketName, log);
  } catch (err) {
    log.error(t('logs.sdNotifyDisabled'), { error: (err as Error).message });
    return noopNotifier();
  }

  const watchdog = watchdogFromEnv(env, options.pid ?? process.pid);
  let timer: ReturnType<typeof setInterval> | null = null;
  let skipped = 0;
  let closed = false;

  const send = (message: string): void => {
    if (!closed) transport.send(message);
  };

  return {
    active: true,
    ready(status?: string): void {
      send(status ? `READY=1\nSTATUS=${statusLine(status)}` : 'READY=1');
    },
    stopping(): void {
      send('STOPPING=1');
    },
    status(text: string): void {
      send(`STATUS=${statusLine(text)}`);
    },
    startWatchdog(isHealthy: () => boolean): void {
      if (timer) clearInterval(timer);
      timer = null;
      if (!watchdog.enabled) {
        log.debug('systemd watchdog off', { reason: watchdog.reason });
        return;
      }
      const ping = (): void => {
        let healthy: boolean;
        try {
          healthy = isHealthy();
        } catch (err) {
          healthy = false;
          if (skipped === 0) log.warn(t('logs.healthThrew'), { error: (err as Error).message });
        }
        if (healthy) {
          if (skipped > 0) log.info('healthy again; watchdog pings resume', { skipped });
          skipped = 0;
          send('WATCHDOG=1');
          return;
        }
        skipped += 1;
        // One line when it starts going wrong, not one per tick.
        if (skipped === 1) log.warn(t('logs.unhealthy'), { timeoutMs: watchdog.timeoutMs });
      };
      ping();
      timer = setInterval(ping, watchdog.pingEveryMs);
      // The ping must never be what keeps a finished process alive.
      timer.unref?.();
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      closed = true;
      await transport.close();
    },
  };
}

function noopNotifier(): Notifier {
  return {
    active: false,
    ready: () => undefined,
    stopping: () => undefined,
    status: () => undefined,
    startWatchdog: () => undefined,
    close: async () => undefined,
  };
}
