/**
 * Digital I/O on an Arduino running StandardFirmata over USB, through
 * johnny-five and firmata.js.
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
 * So this driver opens the port itself with serialport 13 and hands the open
 * stream to firmata (`new Firmata(port)` accepts any object with `on`/`write`),
 * then wraps it in a johnny-five Board with `io`, `repl: false`, `debug: false`
 * and `sigint: false` (johnny-five's own SIGINT handler would exit the process
 * behind the appliance runtime's back).
 *
 * Pins are driven through the Board's io directly rather than johnny-five's
 * Button/Led classes: Button debounces on its own and would delay the first
 * edge that the gesture recognizer acts on at once.
 */
import { EventEmitter } from 'node:events';
import type { DigitalInput, DigitalOutput, IoDriver, PinSpec } from './types.js';
import { createLogger, type Logger } from '../util/log.js';

/** The parts of firmata.js's Board this driver uses. */
interface FirmataIo extends EventEmitter {
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

interface J5Board extends EventEmitter {
  timer: NodeJS.Timeout | null;
  isReady: boolean;
}
type J5BoardCtor = new (options: Record<string, unknown>) => J5Board;

/** The parts of serialport 13's SerialPort this driver uses. */
interface SerialStream extends EventEmitter {
  readonly isOpen: boolean;
  readonly path: string;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  drain(callback: (err: Error | null) => void): void;
  write(data: Buffer | number[], callback?: (err: Error | null | undefined) => void): boolean;
}
type SerialCtor = new (options: { path: string; baudRate: number; autoOpen: boolean }) => SerialStream;

export interface FirmataDriverOptions {
  /** Serial device of the board, e.g. `/dev/relais-firmata` (see hardware/udev/99-relais.rules). */
  port: string;
  /** StandardFirmata talks at 57600 baud. */
  baud?: number;
  /** How long to wait for the board's handshake (an Arduino resets on open and boots in about 2 s). */
  readyTimeoutMs?: number;
  /** After this long without the board announcing itself, ask for its version (boards that do not reset on open). */
  reportVersionTimeoutMs?: number;
  /** How long `openInput` waits for the board's first report of the pin's level. */
  firstReportTimeoutMs?: number;
  /**
   * Every this many ms the board is asked for its version; no answer by the
   * next beat means it is gone (a pty or a hung board gives no read error).
   * 0 turns the check off.
   */
  heartbeatMs?: number;
  log?: Logger;
}

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

/** Resolves `13`, `"13"`, `"D13"` or `"A0"` to a Firmata pin index. */
export function resolveFirmataPin(pin: number | string, analogPins: readonly number[]): number {
  if (typeof pin === 'number') return pin;
  const digital = /^D?(\d+)$/i.exec(pin);
  if (digital) return Number(digital[1]);
  const analog = /^A(\d+)$/i.exec(pin);
  if (analog) {
    const index = analogPins[Number(analog[1])];
    if (index === undefined) throw new FirmataError(`pin "${pin}": this board has analog pins A0-A${analogPins.length - 1} only.`);
    return index;
  }
  throw new FirmataError(`pin ${JSON.stringify(pin)} is not a Firmata pin: use a number (2), "D2" or "A0".`);
}

class FirmataInput extends EventEmitter<{ edge: [value: boolean, atMs: number] }> implements DigitalInput {
  level = false;
  closed = false;
  raw: 0 | 1 | null = null;
  readonly listener: (value: 0 | 1) => void;

  constructor(
    readonly name: string,
    readonly pin: number,
    private readonly activeLow: boolean,
    private readonly onClose: (input: FirmataInput) => void,
  ) {
    super();
    this.listener = (value) => this.report(value);
  }

  /** Firmata reports a whole port on every change of any pin in it; only real changes of this pin are edges. */
  report(raw: 0 | 1): void {
    if (this.closed) return;
    const first = this.raw === null;
    this.raw = raw;
    const level = this.activeLow ? raw === 0 : raw === 1;
    if (level === this.level) return;
    this.level = level;
    if (!first) this.emit('edge', level, performance.now());
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

class FirmataOutput implements DigitalOutput {
  closed = false;
  constructor(
    readonly name: string,
    readonly pin: number,
    private readonly activeLow: boolean,
    private readonly io: FirmataIo,
  ) {}

  write(level: boolean): void {
    if (this.closed) return;
    this.io.digitalWrite(this.pin, level !== this.activeLow ? 1 : 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.write(false);
    this.closed = true;
  }
}

/**
 * {@link IoDriver} over a Firmata board. Emits `disconnect` when the USB
 * device goes away (the runtime should restart: nothing can be read or lit).
 */
export class FirmataDriver extends EventEmitter<{ disconnect: [reason: string] }> implements IoDriver {
  readonly kind = 'firmata';
  private readonly inputs = new Map<number, FirmataInput>();
  private readonly outputs = new Map<number, FirmataOutput>();
  private closing = false;
  private gone = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private awaitingBeat = false;

  constructor(
    readonly port: SerialStream,
    readonly io: FirmataIo,
    readonly board: J5Board,
    private readonly log: Logger,
    private readonly firstReportTimeoutMs: number,
    heartbeatMs: number,
  ) {
    super();
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      this.lost(err?.disconnected ? `${port.path} was unplugged` : `${port.path} closed${err ? ` (${err.message})` : ''}`);
    });
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        if (this.awaitingBeat) {
          this.lost(`no answer from the board on ${port.path} for ${heartbeatMs} ms`);
          return;
        }
        this.awaitingBeat = true;
        this.io.reportVersion(() => {
          this.awaitingBeat = false;
        });
      }, heartbeatMs);
      this.heartbeat.unref();
    }
  }

  private lost(reason: string): void {
    if (this.closing || this.gone) return;
    this.gone = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.log.error('firmata board lost', { reason });
    this.emit('disconnect', reason);
  }

  /** `StandardFirmata 2.5` and the like, for the logs and `state`. */
  get firmware(): string {
    const f = this.io.firmware;
    return f.name ? `${f.name.replace(/\.ino$/, '')} ${f.version?.major ?? '?'}.${f.version?.minor ?? '?'}` : 'unknown';
  }

  private pinFor(spec: PinSpec, mode: number, what: string): number {
    const pin = resolveFirmataPin(spec.pin, this.io.analogPins);
    const record = this.io.pins[pin];
    if (!record) throw new FirmataError(`${spec.name}: pin ${String(spec.pin)} does not exist on this board (pins 0-${this.io.pins.length - 1}).`);
    if (!record.supportedModes.includes(mode)) {
      throw new FirmataError(`${spec.name}: pin ${String(spec.pin)} cannot be ${what} on this board (A6/A7 of a Nano are analog-only); pick another pin in io.inputs/io.outputs.`);
    }
    const holder = this.inputs.get(pin) ?? this.outputs.get(pin);
    if (holder) throw new FirmataError(`${spec.name}: pin ${String(spec.pin)} is already open as "${holder.name}"; give each input and output its own pin.`);
    return pin;
  }

  /**
   * Opens an input. Active-low inputs (a button or an optocoupler to ground)
   * get the board's internal pull-up; active-high ones need an external
   * pull-down. Waits for the board's first report so `read()` is right at once.
   */
  async openInput(spec: PinSpec): Promise<DigitalInput> {
    const activeLow = spec.activeLow ?? false;
    const mode = activeLow ? this.io.MODES.PULLUP : this.io.MODES.INPUT;
    const pin = this.pinFor(spec, mode, activeLow ? 'an input with pull-up' : 'an input');
    const input = new FirmataInput(spec.name, pin, activeLow, (closed) => this.releaseInput(closed));
    this.inputs.set(pin, input);
    const first = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.io.removeListener(`digital-read-${pin}`, onFirst);
        resolve(false);
      }, this.firstReportTimeoutMs);
      const onFirst = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.io.once(`digital-read-${pin}`, onFirst);
    });
    this.io.pinMode(pin, mode);
    this.io.digitalRead(pin, input.listener);
    if (!(await first)) this.log.warn('firmata input not reported yet; assuming released', { input: spec.name, pin });
    return input;
  }

  async openOutput(spec: PinSpec): Promise<DigitalOutput> {
    const pin = this.pinFor(spec, this.io.MODES.OUTPUT, 'an output');
    const output = new FirmataOutput(spec.name, pin, spec.activeLow ?? false, this.io);
    // Set the "off" level before switching to output (on an AVR a high write to an
    // input latches the pull-up), so the pin never drives the lamp on; then again as an output.
    this.io.digitalWrite(pin, spec.activeLow ? 1 : 0);
    this.io.pinMode(pin, this.io.MODES.OUTPUT);
    output.write(false);
    this.outputs.set(pin, output);
    return output;
  }

  private releaseInput(input: FirmataInput): void {
    this.inputs.delete(input.pin);
    this.io.removeListener(`digital-read-${input.pin}`, input.listener);
    // Reporting is per port of 8 pins: keep it on while another input of the port is open.
    const port = input.pin >> 3;
    const shared = [...this.inputs.keys()].some((pin) => pin >> 3 === port);
    if (!shared && this.port.isOpen) this.io.reportDigitalPin(input.pin, 0);
  }

  /** Turns every lamp off, stops reports and closes the serial port. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.allSettled([...this.inputs.values()].map((i) => i.close()));
    await Promise.allSettled([...this.outputs.values()].map((o) => o.close()));
    this.outputs.clear();
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

/** Loads a CommonJS package lazily; the specifier is a string so TypeScript does not want its types. */
async function loadCjs<T>(specifier: string): Promise<T> {
  const mod = (await import(specifier)) as { default?: T } & T;
  return mod.default ?? mod;
}

/**
 * Opens the serial port, waits for the StandardFirmata handshake (version,
 * firmware, capabilities, analog mapping) and returns a ready driver.
 */
export async function openFirmataDriver(options: FirmataDriverOptions): Promise<FirmataDriver> {
  const log = options.log ?? createLogger('firmata');
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let SerialPort: SerialCtor;
  let Firmata: FirmataCtor;
  let Board: J5BoardCtor;
  try {
    ({ SerialPort } = await loadCjs<{ SerialPort: SerialCtor }>('serialport'));
    Firmata = await loadCjs<FirmataCtor>('firmata');
    ({ Board } = await loadCjs<{ Board: J5BoardCtor }>('johnny-five'));
  } catch (err) {
    throw new FirmataError(`cannot load the Firmata stack (${(err as Error).message}): reinstall relais with its dependencies (serialport, firmata, johnny-five), or set io.driver to "gpio" or "simulated".`);
  }

  const port = new SerialPort({ path: options.port, baudRate: options.baud ?? 57_600, autoOpen: false });
  return new Promise<FirmataDriver>((resolve, reject) => {
    let settled = false;
    let board: J5Board | null = null;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (board?.timer) clearTimeout(board.timer);
      clearTimeout(io.reportVersionTimeoutId);
      if (port.isOpen) port.close();
      reject(err);
    };
    const timer = setTimeout(() => {
      fail(new FirmataError(`no Firmata handshake from ${options.port} within ${readyTimeoutMs} ms: flash StandardFirmata onto the board (Arduino IDE: File > Examples > Firmata > StandardFirmata) and check io.baud (57600).`));
    }, readyTimeoutMs);

    // Firmata reports errors before "ready" through this callback; afterwards on the emitter.
    const io = new Firmata(port, { reportVersionTimeout: options.reportVersionTimeoutMs ?? 3000 }, (err) => {
      if (err) fail(describeOpenError(err, options.port));
    });
    board = new Board({ io, repl: false, debug: false, sigint: false, timeout: readyTimeoutMs + 1000 });
    const readyBoard = board;
    readyBoard.on('error', (event: Error | { message?: string }) => {
      if (!settled) fail(new FirmataError(`Firmata board at ${options.port}: ${event.message ?? String(event)}`));
      else log.error('firmata board error', { error: event.message ?? String(event) });
    });
    readyBoard.once('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const driver = new FirmataDriver(port, io, readyBoard, log, options.firstReportTimeoutMs ?? 1000, options.heartbeatMs ?? 5000);
      log.info('firmata board ready', { port: options.port, firmware: driver.firmware, pins: io.pins.length });
      resolve(driver);
    });
    port.open((err) => {
      if (err) fail(describeOpenError(err, options.port));
    });
  });
}
