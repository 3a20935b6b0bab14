/**
 * What every long-running role tells systemd: ready once started, watchdog
 * pings while healthy, stopping on the way out. A no-op outside systemd.
 */
import { createLogger } from '../util/log.js';
import { createNotifier } from './sd-notify.js';

export interface ServiceAnnouncement {
  stopping(): Promise<void>;
}

export function announceService(role: string, isHealthy: () => boolean = () => true): ServiceAnnouncement {
  const notifier = createNotifier(createLogger(`systemd:${role}`));
  notifier.ready(`relais ${role} running`);
  notifier.startWatchdog(isHealthy);
  return {
    async stopping() {
      notifier.stopping();
      await notifier.close();
    },
  };
}
