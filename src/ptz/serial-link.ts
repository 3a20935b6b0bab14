/**
 * A VISCA daisy chain on a serial port (RS-232 or RS-422, 8N1, 9600 or
 * 38400 baud): up to seven cameras, addressed at start-up and again whenever
 * a camera reports a network change.
 */
import type { LinkTimeouts } from './link.js';
import { ViscaStreamLink } from './stream-link.js';
import { SerialTransport, VISCA_BAUD_RATES } from './transport.js';
import { t } from '../i18n/index.js';

export interface SerialLinkOptions extends LinkTimeouts {
  /** Default 9600. */
  baudRate?: number;
  /** Wait for AddressSet / IF_Clear to come back round the chain. Default 1000 ms. */
  broadcastTimeoutMs?: number;
}

export function createSerialLink(path: string, options: SerialLinkOptions = {}): ViscaStreamLink {
  const baud = options.baudRate ?? 9600;
  if (!(VISCA_BAUD_RATES as readonly number[]).includes(baud)) {
    throw new RangeError(t('setup.viscaSpeed', { speeds: VISCA_BAUD_RATES.join(t('config.or')), baud, path }));
  }
  return new ViscaStreamLink(new SerialTransport(path, baud), { ...options, addressing: true });
}
