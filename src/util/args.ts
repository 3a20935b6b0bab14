/**
 * Parsers for command-line values, shared by every command so a bad value
 * gets the same clear message everywhere. Commander prefixes the option:
 * `error: option '--port <port>' argument 'http' is invalid. must be ...`.
 */
import { InvalidArgumentError } from 'commander';
import { t } from '../i18n/index.js';

/** A whole number from `min` to `max`; `name` is the option or argument, for the message. */
export function intArg(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(t('errors.wholeNumber', { name, min, max, value }));
    return n;
  };
}

/** A TCP/UDP port to listen on: 1-65535, or 0 for any free port. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(t('errors.portNumber', { value }));
  return n;
}
