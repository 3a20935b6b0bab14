/**
 * The Pi header's UART pins: BCM 14 (TXD) and BCM 15 (RXD) carry the VISCA
 * serial line when a camera is on `/dev/serial0` (Pi 3/4), `/dev/ttyAMA0`
 * (Pi 5) or `/dev/ttyS0` (the mini UART behind serial0). Those two pins then
 * cannot also be a button or a lamp (hardware/pinout.md).
 */
import type { IoConfig } from '../hardware/config.js';
import type { PtzConfig } from '../ptz/config.js';
import { t } from '../i18n/index.js';

/** Serial devices that are the 40-pin header's UART on a Raspberry Pi. */
export const HEADER_UART_DEVICES = ['/dev/serial0', '/dev/ttyAMA0', '/dev/ttyS0'] as const;

const UART_PINS: Record<number, 'TXD' | 'RXD'> = { 14: 'TXD', 15: 'RXD' };

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/** One issue per header GPIO on BCM 14/15 while a camera uses the header UART. */
export function headerUartIssues(io: IoConfig, cameras: PtzConfig): ConfigIssue[] {
  if (io.driver !== 'gpio') return [];
  const index = cameras.findIndex((c) => c.transport.type === 'serial' && (HEADER_UART_DEVICES as readonly string[]).includes(c.transport.path));
  if (index < 0) return [];
  const camera = cameras[index]!;
  const device = camera.transport.type === 'serial' ? camera.transport.path : '';
  const issues: ConfigIssue[] = [];
  for (const kind of ['inputs', 'outputs'] as const) {
    for (const [name, spec] of Object.entries(io[kind])) {
      const line = typeof spec.pin === 'number' ? UART_PINS[spec.pin] : undefined;
      if (!line) continue;
      issues.push({
        path: ['io', kind, name, 'pin'],
        message: t('cli.configUartPin', { pin: spec.pin, line, use: t(kind === 'inputs' ? 'cli.configUartInput' : 'cli.configUartOutput'), name, camera: camera.name, at: `cameras[${index}].transport.path`, device }),
      });
    }
  }
  return issues;
}
