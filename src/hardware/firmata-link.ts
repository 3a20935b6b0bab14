/**
 * Opening one link to a StandardFirmata board: a serialport 13 port, a
 * firmata.js io on it and a johnny-five Board around that, through the
 * handshake. The Firmata driver (./firmata.ts) makes one at start and a fresh
 * one each time it reconnects.
 *
 * johnny-five 2 and firmata 2 were written against serialport 8, whose module
 * *was* the SerialPort constructor. From serialport 10 on the module exports
 * `{ SerialPort, ... }`, so with serialport 13:
 *  - `new Board()` without a port calls `require("serialport").list()` in its
 *    Serial.detect and throws "serialport.list is not a function";
 *  - `new Board({ port: "/dev/ttyUSB0" })` and `new Firmata(path)` call
 *    `new (require("serialport"))(path, options)` (firmata/lib/com.js) and throw
 *    "Transport is not a constructor"; even the class itself would refuse the
 *    positional `(path, options)` form, as serialport 10+ takes `{ path, baudRate }`.
 * So relais opens the port itself with serialport 13 and hands the open
 * stream to firmata (`new Firmata(port)` accepts any object with `on`/`write`),
 * then wraps it in a johnny-five Board with `io`, `repl: false`, `debug: false`
 * and `sigint: false` (johnny-five's own SIGINT handler would exit the process
 * behind the appliance runtime's back).
 */
import { realRetryClock, type RetryClock } from './reconnect.js';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

export interface FirmataLinkOptions {
  /** Serial device of the board, e.g. `/dev/relais-firmata` (see hardware/udev/99-relais.rules). */
  port: string;
  /** StandardFirmata talks at 57600 baud. */
  baud?: number;
  /** How long to wait for the board's handshake (an Arduino resets on open and boots in about 2 s). */
  readyTimeoutMs?: number;
  /** The handshake's deadline and the driver's waits and heartbeat run on it (default: real timers; tests: a fake clock). */
  clock?: RetryClock;
  /** After this long without the board announcing itself, ask for its version (boards that do not reset on open). */
  reportVersionTimeoutMs?: number;
}

/** The parts of firmata.js's Board the driver uses. */
export interface FirmataIo extends EventEmitter {
  isReady: boolean;
  reportVersionTimeoutId?: NodeJS.Timeout;
  MODES: { INPUT: number; OUTPUT: number; PULLUP: number };
  pins: { supportedModes: number[]; mode?: number; value: number; analogChannel?: number }[];
  analogPins: number[];
  firmware: { name?: string; version?: { major: number; minor: number } };
  version: { major?: number; minor?: number };
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: 0 | 1): void;
  digitalRead(pin: number, callback: (value: 0 | 1) => void): void;
  reportDigitalPin(pin: number, value: 0 | 1): void;
  reportVersion(callback: () => void): void;
}
type FirmataCtor = new (port: unknown, options: Record<string, unknown>, callback: (err?: Error) => void) => FirmataIo;

export interface J5Board extends EventEmitter {
  timer: NodeJS.Timeout | null;
  isReady: boolean;
}
/** `cache` is johnny-five's list of every Board ever made; a retired link's Board is taken out of it. */
type J5BoardCtor = (new (options: Record<string, unknown>) => J5Board) & { readonly cache?: J5Board[] };

/** The parts of serialport 13's SerialPort the driver uses. */
export interface SerialStream extends EventEmitter {
  readonly isOpen: boolean;
  readonly path: string;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  drain(callback: (err: Error | null) => void): void;
  write(data: Buffer | number[], callback?: (err: Error | null | undefined) => void): boolean;
}
type SerialCtor = new (options: { path: string; baudRate: number; autoOpen: boolean }) => SerialStream;

/** A Firmata setup or wiring failure a person can act on. */
export class FirmataError extends Error {
  override readonly name = 'FirmataError';
}

/** Says what to do about a serial open error. */
function describeOpenError(err: Error & { code?: string }, path: string): FirmataError {
  const text = err.message;
  if (err.code === 'ENOENT' || /no such file|ENOENT/i.test(text)) {
    return new FirmataError(`no serial device at ${path}: plug the Arduino in, check "ls -l /dev/serial/by-id/", install hardware/udev/99-relais.rules for /dev/relais-firmata, or set io.port to the right device.`);
  }
  if (err.code === 'EACCES' || /permission denied|EACCES/i.test(text)) {
    return new FirmataError(`cannot open ${path}: permission denied. Add the service user to the "dialout" group (sudo usermod -aG dialout relais) and restart.`);
  }
  if (/lock|busy|EBUSY/i.test(text)) {
    return new FirmataError(`cannot open ${path}: another program holds it (an Arduino IDE serial monitor, a second relais?). Close it and restart.`);
  }
  return new FirmataError(`cannot open ${path}: ${text}`);
}

/** One open serial port with its Firmata io and johnny-five Board; a reconnect makes a new one. */
export interface FirmataLink {
  readonly port: SerialStream;
  readonly io: FirmataIo;
  readonly board: J5Board;
  /** True once the driver has let go of this link: its late errors are noise. */
  retired: boolean;
  /** Stops its timers, takes its Board out of johnny-five's cache and closes the port if open. Idempotent. */
  release(): Promise<void>;
}

/** Loads a CommonJS package lazily; the specifier is a string so TypeScript does not want its types. */
async function loadCjs<T>(specifier: string): Promise<T> {
  const mod = (await import(specifier)) as { default?: T } & T;
  return mod.default ?? mod;
}

export interface FirmataStack {
  SerialPort: SerialCtor;
  Firmata: FirmataCtor;
  Board: J5BoardCtor;
}

export async function loadStack(): Promise<FirmataStack> {
  try {
    const { SerialPort } = await loadCjs<{ SerialPort: SerialCtor }>('serialport');
    const Firmata = await loadCjs<FirmataCtor>('firmata');
    const { Board } = await loadCjs<{ Board: J5BoardCtor }>('johnny-five');
    return { SerialPort, Firmata, Board };
  } catch (err) {
    throw new FirmataError(t('setup.firmataStack', { reason: (err as Error).message }));
  }
}

/**
 * Opens the serial port and waits for the StandardFirmata handshake (version,
 * firmware, capabilities, analog mapping). Bounded by `readyTimeoutMs`; an
 * aborted `signal` gives up at once. On failure nothing is left open.
 */
export function connectBoard(stack: FirmataStack, options: FirmataLinkOptions, log: Logger, signal?: AbortSignal): Promise<FirmataLink> {
  const path = options.port;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const clock = options.clock ?? realRetryClock;
  const port = new stack.SerialPort({ path, baudRate: options.baud ?? 57_600, autoOpen: false });
  return new Promise<FirmataLink>((resolve, reject) => {
    let settled = false;
    let released: Promise<void> | null = null;
    // Settles once port.open has called back; its "open" event starts johnny-five's connect timer.
    let opened: Promise<void> = Promise.resolve();
    const release = (): Promise<void> =>
      (released ??= (async () => {
        link.retired = true;
        await opened;
        clearTimeout(io.reportVersionTimeoutId);
        if (board.timer) clearTimeout(board.timer);
        const cache = stack.Board.cache;
        const index = cache?.indexOf(board) ?? -1;
        if (index >= 0) cache?.splice(index, 1);
        if (port.isOpen) await new Promise<void>((done) => port.close(() => done()));
      })());
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void release().then(() => reject(err));
    };
    const onAbort = (): void => fail(new FirmataError(`stopped opening ${path}: the driver is closing`));

    // Firmata reports errors before "ready" through this callback; afterwards on the emitter.
    const io = new stack.Firmata(port, { reportVersionTimeout: options.reportVersionTimeoutMs ?? 3000 }, (err) => {
      if (err) fail(describeOpenError(err, path));
    });
    const board = new stack.Board({ io, repl: false, debug: false, sigint: false, timeout: readyTimeoutMs + 1000 });
    const link: FirmataLink = { port, io, board, retired: false, release };
    const timer = clock.setTimeout(() => {
      fail(new FirmataError(`no Firmata handshake from ${path} within ${readyTimeoutMs} ms: flash StandardFirmata onto the board (Arduino IDE: File > Examples > Firmata > StandardFirmata) and check io.baud (57600).`));
    }, readyTimeoutMs);
    board.on('error', (event: Error | { message?: string }) => {
      const error = event.message ?? String(event);
      if (!settled) fail(new FirmataError(`Firmata board at ${path}: ${error}`));
      else if (link.retired) log.debug('firmata board error after the link was dropped', { port: path, error });
      else log.error(t('logs.firmataBoardError'), { port: path, error });
    });
    board.once('ready', () => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(link);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) {
      onAbort();
      return;
    }
    opened = new Promise<void>((done) => {
      port.open((err) => {
        if (err) fail(describeOpenError(err, path));
        done();
      });
    });
  });
}

