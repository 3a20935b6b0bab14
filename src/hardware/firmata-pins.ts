/**
 * The pins of a Firmata board as relais sees them: a pin name resolved to an
 * index, an input that turns the board's port reports into edges, an output
 * that remembers its level while the link is down. The driver (./firmata.ts)
 * owns the link and hands these its io.
 */
import { EventEmitter } from 'node:events';
import type { DigitalInput, DigitalOutput } from './types.js';
import { FirmataError, type FirmataIo } from './firmata-link.js';
import { t } from '../i18n/index.js';

/** Resolves `13`, `"13"`, `"D13"` or `"A0"` to a Firmata pin index. */
export function resolveFirmataPin(pin: number | string, analogPins: readonly number[]): number {
  if (typeof pin === 'number') return pin;
  const digital = /^D?(\d+)$/i.exec(pin);
  if (digital) return Number(digital[1]);
  const analog = /^A(\d+)$/i.exec(pin);
  if (analog) {
    const index = analogPins[Number(analog[1])];
    if (index === undefined) throw new FirmataError(t('setup.firmataAnalog', { pin, last: analogPins.length - 1 }));
    return index;
  }
  throw new FirmataError(t('setup.firmataNotPin', { pin: JSON.stringify(pin) }));
}

/**
 * Resolves true at the board's next report of `pin`, false after `timeoutMs`
 * or when `signal` aborts (the driver is closing).
 */
export function firstReport(io: FirmataIo, pin: number, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const done = (reported: boolean): void => {
      clearTimeout(timer);
      io.removeListener(`digital-read-${pin}`, onReport);
      signal.removeEventListener('abort', onAbort);
      resolve(reported);
    };
    const onReport = (): void => done(true);
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    io.once(`digital-read-${pin}`, onReport);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) done(false);
  });
}

export class FirmataInput extends EventEmitter<{ edge: [value: boolean, atMs: number] }> implements DigitalInput {
  level = false;
  closed = false;
  /** False until the board's first report, which sets the level without an edge. */
  private settled = false;
  readonly listener: (value: 0 | 1) => void;

  constructor(
    readonly name: string,
    readonly pin: number,
    readonly activeLow: boolean,
    private readonly onClose: (input: FirmataInput) => void,
  ) {
    super();
    this.listener = (value) => this.report(value);
  }

  /** Firmata reports a whole port on every change of any pin in it; only real changes of this pin are edges. */
  report(raw: 0 | 1): void {
    if (this.closed) return;
    const first = !this.settled;
    this.settled = true;
    const level = this.activeLow ? raw === 0 : raw === 1;
    if (level === this.level) return;
    this.level = level;
    if (!first) this.emit('edge', level, performance.now());
  }

  /** After a reconnect the board's first report is compared with the last known level: a change while the link was down is one edge. */
  resume(): void {
    this.settled = true;
  }

  read(): boolean {
    return this.level;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
    this.onClose(this);
  }
}

export class FirmataOutput implements DigitalOutput {
  closed = false;
  /** The level last asked for: kept while the link is down and written back when it returns. */
  level = false;

  constructor(
    readonly name: string,
    readonly pin: number,
    private readonly activeLow: boolean,
    private readonly send: (pin: number, raw: 0 | 1) => void,
    private readonly onClose: (output: FirmataOutput) => void,
  ) {}

  /** The electrical level for the logical one. */
  raw(level = this.level): 0 | 1 {
    return level !== this.activeLow ? 1 : 0;
  }

  write(level: boolean): void {
    if (this.closed) return;
    this.level = level;
    this.send(this.pin, this.raw());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.write(false);
    this.closed = true;
    this.onClose(this);
  }
}
