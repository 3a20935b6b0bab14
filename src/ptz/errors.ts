/**
 * Typed errors for everything a camera can answer or fail to answer. Each
 * message says what happened, to which camera and command, and what to do,
 * in the language of the moment (the catalogues' `visca` area).
 */
import { t } from '../i18n/index.js';

export type ViscaFailure =
  | 'message-length'
  | 'syntax'
  | 'buffer-full'
  | 'cancelled'
  | 'no-socket'
  | 'not-executable'
  | 'unknown-error'
  | 'timeout'
  | 'link-closed'
  | 'link-reset'
  | 'link-unstable'
  | 'bad-reply'
  | 'no-camera';

const CODES: Record<number, ViscaFailure> = {
  0x01: 'message-length',
  0x02: 'syntax',
  0x03: 'buffer-full',
  0x04: 'cancelled',
  0x05: 'no-socket',
  0x41: 'not-executable',
};

/** Maps a VISCA error reply code (`z0 6y pp FF`) to a failure name. */
export function failureOfCode(code: number): ViscaFailure {
  return CODES[code] ?? 'unknown-error';
}

export class ViscaError extends Error {
  override readonly name = 'ViscaError';
  constructor(
    /** Which failure, for code that reacts to it. */
    readonly failure: ViscaFailure,
    /** Where: `caméra 2 sur /dev/ttyUSB0`, `caméra à 10.0.0.5:52381` (`visca.cameraOn`, `visca.cameraAt`). */
    readonly where: string,
    /** The command's name from the command table. */
    readonly command: string,
    detail?: string,
  ) {
    super(t('visca.error', { where, command, what: detail ?? t(`visca.failure.${failure}`), advice: t(`visca.advice.${failure}`) }));
  }

  /** Whether sending the same command later may succeed. */
  get retryable(): boolean {
    return ['buffer-full', 'timeout', 'link-closed', 'link-reset', 'link-unstable'].includes(this.failure);
  }
}
