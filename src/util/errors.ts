/**
 * Errors meant for the person at the terminal. The CLI prints their message
 * alone (no stack trace) and exits with their code, so each one must say what
 * was wrong, where, and how to fix it, in the CLI's language (the errors
 * area of the catalogues).
 */
import { t } from '../i18n/index.js';

/** Exit statuses of `relais`. */
export const EXIT = {
  /** Something failed while running (a check, a rejected action, a crash). */
  failure: 1,
  /** The command line, a config file or the machine's setup is wrong: nothing was started. */
  usage: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Base of every error a person is meant to read and act on; see {@link EXIT}. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Thrown when a port is taken: one line that says which and how to change it (`what` and `hint` already translated). */
export class PortInUseError extends UserError {
  override name = 'PortInUseError';
  constructor(
    readonly what: string,
    readonly port: number,
    readonly hint: string,
  ) {
    super(t('errors.portInUse', { what, port, hint }));
  }
}
