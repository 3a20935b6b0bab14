/**
 * Builds the I/O driver a site config asks for. The real drivers are imported
 * lazily, so a box without onoff/epoll or without the Firmata stack still
 * starts with the simulated driver, and the demo never loads native addons.
 */
import type { IoDriver } from './types.js';
import { ioConfigSchema, type IoConfig } from './config.js';
import { SimulatedDriver } from './simulated.js';
import type { SysfsGpioBackend } from './onoff.js';
import { createLogger, type Logger } from '../util/log.js';

export interface CreateIoDriverOptions {
  log?: Logger;
  /** Replaces onoff for the gpio driver (tests). */
  gpioBackend?: SysfsGpioBackend;
  /** Overrides of the Firmata handshake and reconnect timings (tests). */
  firmata?: { reportVersionTimeoutMs?: number; firstReportTimeoutMs?: number; heartbeatMs?: number; reconnectDelayMs?: number; reconnectMaxDelayMs?: number };
}

/**
 * Returns an open driver for the `io` section (raw or already parsed).
 * Errors name the config key and the fix; nothing is left open on failure.
 */
export async function createIoDriver(config: IoConfig | unknown, options: CreateIoDriverOptions = {}): Promise<IoDriver> {
  const io: IoConfig = ioConfigSchema.parse(config);
  const log = options.log ?? createLogger('io');
  switch (io.driver) {
    case 'simulated':
      log.info('io driver: simulated (no lamps or buttons are wired)');
      return new SimulatedDriver();
    case 'gpio': {
      const { createOnoffDriver } = await import('./onoff.js');
      return createOnoffDriver({
        sysfsRoot: io.sysfsRoot,
        ...(io.chip !== undefined ? { label: io.chip } : {}),
        ...(io.base !== undefined ? { base: io.base } : {}),
        ...(options.gpioBackend ? { backend: options.gpioBackend } : {}),
        log: log.child('gpio'),
      });
    }
    case 'firmata': {
      const { openFirmataDriver } = await import('./firmata.js');
      return openFirmataDriver({
        port: io.port,
        baud: io.baud,
        readyTimeoutMs: io.readyTimeoutMs,
        heartbeatMs: io.heartbeatMs,
        reconnectDelayMs: io.reconnectDelayMs,
        reconnectMaxDelayMs: io.reconnectMaxDelayMs,
        ...options.firmata,
        log: log.child('firmata'),
      });
    }
  }
}
