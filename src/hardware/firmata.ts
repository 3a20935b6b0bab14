/**
 * Digital I/O on an Arduino running StandardFirmata over USB, through
 * johnny-five and firmata.js.
 *
 * The serial port, firmata.js and the johnny-five Board are opened together
 * in ./firmata-link.ts, which explains why relais opens the port itself.
 *
 * Pins are driven through the Board's io directly rather than johnny-five's
 * Button/Led classes: Button debounces on its own and would delay the first
 * edge that the gesture recognizer acts on at once.
 *
 * When the link drops (unplugged, a hub glitch, a board that stops answering)
 * the driver keeps its inputs and outputs, reopens the same path with a growing
 * delay (./reconnect.ts) and, once the board answers, builds a fresh
 * serialport + Firmata + Board, sets every pin's mode again and writes the lamps
 * back. Meanwhile writes are remembered and reads give the last known level.
 */
import { EventEmitter } from 'node:events';
import type { DigitalInput, DigitalOutput, IoDriver, IoHealth, PinSpec } from './types.js';
import { firstReport, FirmataInput, FirmataOutput, resolveFirmataPin } from './firmata-pins.js';
import { DEFAULT_RETRY_DELAYS, realRetryClock, retryWithBackoff, type RetryClock, type RetryDelays } from './reconnect.js';
import { connectBoard, FirmataError, loadStack, type FirmataIo, type FirmataLink, type FirmataLinkOptions, type J5Board, type SerialStream } from './firmata-link.js';
import { createLogger, type Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

export { FirmataError } from './firmata-link.js';
export { resolveFirmataPin } from './firmata-pins.js';

export interface FirmataDriverOptions extends FirmataLinkOptions {
  /** How long `openInput` waits for the board's first report of the pin's level. */
  firstReportTimeoutMs?: number;
  /**
   * Every this many ms the board is asked for its version; no answer by the
   * next beat means it is gone (a pty or a hung board gives no read error).
   * 0 turns the check off.
   */
  heartbeatMs?: number;
  /** After the link drops, the wait before the first reopen attempt; doubled after each failure. */
  reconnectDelayMs?: number;
  /** The wait between reopen attempts never grows past this. */
  reconnectMaxDelayMs?: number;
  log?: Logger;
}

/** The driver's resolved settings. */
interface DriverSettings {
  path: string;
  firstReportTimeoutMs: number;
  heartbeatMs: number;
  retry: RetryDelays;
  clock: RetryClock;
}

export type FirmataDriverEvents = {
  /** The link dropped. Pins keep their state; the driver is reopening the port. */
  disconnect: [reason: string];
  /** The board answers again: pin modes, lamp levels and input reports are restored. */
  reconnect: [];
  /** A reopen attempt failed; the next one follows in `nextDelayMs`. */
  retry: [attempt: number, error: string, nextDelayMs: number];
};

/**
 * {@link IoDriver} over a Firmata board. When the USB link drops it emits
 * `disconnect`, keeps every input and output, and reopens the same path until
 * the board is back (`reconnect`) or the driver is closed.
 */
export class FirmataDriver extends EventEmitter<FirmataDriverEvents> implements IoDriver {
  readonly kind = 'firmata';
  private readonly inputs = new Map<number, FirmataInput>();
  private readonly outputs = new Map<number, FirmataOutput>();
  private link: FirmataLink;
  private up = true;
  private lostReason: string | null = null;
  private closing = false;
  private heartbeat: unknown = null;
  /** Aborted by close(): ends the reconnect wait, an attempt in flight and first-report waits. */
  private readonly stop = new AbortController();
  private recovery: Promise<void> | null = null;

  constructor(
    link: FirmataLink,
    private readonly reopen: (signal: AbortSignal) => Promise<FirmataLink>,
    private readonly settings: DriverSettings,
    private readonly log: Logger,
  ) {
    super();
    this.link = link;
    this.watch(link);
  }

  /** The serial port of the current link (a new one after each reconnect). */
  get port(): SerialStream {
    return this.link.port;
  }

  get io(): FirmataIo {
    return this.link.io;
  }

  get board(): J5Board {
    return this.link.board;
  }

  /** False while the link is down and the driver is reopening it. */
  health(): IoHealth {
    return this.up ? { ok: true, detail: null } : { ok: false, detail: `firmata board on ${this.settings.path} lost (${this.lostReason ?? 'no answer'}); reconnecting` };
  }

  onHealthChange(listener: (health: IoHealth) => void): void {
    this.on('disconnect', () => listener(this.health()));
    this.on('reconnect', () => listener(this.health()));
  }

  get connected(): boolean {
    return this.up && !this.closing;
  }

  /** `StandardFirmata 2.5` and the like, for the logs and `state`. */
  get firmware(): string {
    const f = this.io.firmware;
    return f.name ? `${f.name.replace(/\.ino$/, '')} ${f.version?.major ?? '?'}.${f.version?.minor ?? '?'}` : 'unknown';
  }

  /** Notices the link dropping: the port closing, or the board not answering the heartbeat (a pty or a hung board gives no read error). */
  private watch(link: FirmataLink): void {
    const { port } = link;
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      this.lost(link, err?.disconnected ? `${port.path} was unplugged` : `${port.path} closed${err ? ` (${err.message})` : ''}`);
    });
    const { heartbeatMs } = this.settings;
    if (heartbeatMs <= 0) return;
    let awaitingBeat = false;
    const { clock } = this.settings;
    const beat = (): void => {
      this.heartbeat = clock.setTimeout(() => {
        if (awaitingBeat) {
          this.heartbeat = null;
          this.lost(link, `no answer from the board on ${port.path} for ${heartbeatMs} ms`);
          return;
        }
        awaitingBeat = true;
        link.io.reportVersion(() => {
          awaitingBeat = false;
        });
        beat();
      }, heartbeatMs);
      // A real heartbeat alone never keeps the process alive.
      (this.heartbeat as { unref?: () => void }).unref?.();
    };
    beat();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) this.settings.clock.clearTimeout(this.heartbeat);
    this.heartbeat = null;
  }

  private lost(link: FirmataLink, reason: string): void {
    if (this.closing || !this.up || link !== this.link) return;
    this.up = false;
    this.lostReason = reason;
    this.stopHeartbeat();
    const { initialDelayMs, maxDelayMs } = this.settings.retry;
    this.log.warn(t('logs.firmataLost', { port: this.settings.path }), {
      port: this.settings.path,
      reason,
      retry: `${initialDelayMs} ms doubling to ${maxDelayMs} ms`,
    });
    this.emit('disconnect', reason);
    this.recovery = this.recover(link, performance.now()).catch((err: unknown) => {
      this.log.error(t('logs.firmataStopped'), { port: this.settings.path, error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Lets go of the dead link, reopens the path until the board answers, then restores every pin. */
  private async recover(old: FirmataLink, lostAt: number): Promise<void> {
    for (const input of this.inputs.values()) old.io.removeListener(`digital-read-${input.pin}`, input.listener);
    await old.release();
    const { signal } = this.stop;
    const link = await retryWithBackoff({
      ...this.settings.retry,
      clock: this.settings.clock,
      signal,
      attempt: (s) => this.reopen(s),
      onFailure: ({ attempt, error, nextDelayMs }) => {
        this.log.debug('firmata reopen failed', { port: this.settings.path, attempt, error: error.message, nextDelayMs });
        this.emit('retry', attempt, error.message, nextDelayMs);
      },
    });
    if (!link) return;
    if (signal.aborted) {
      await link.release();
      return;
    }
    this.link = link;
    this.up = true;
    this.watch(link);
    const reported = this.restore(link);
    this.log.info(`firmata board on ${this.settings.path} is back`, { port: this.settings.path, firmware: this.firmware, downMs: Math.round(performance.now() - lostAt) });
    await reported;
    if (this.link === link && this.connected) this.emit('reconnect');
  }

  /** Sets every pin up again on a fresh board; resolves once the inputs have reported (or timed out). */
  private restore(link: FirmataLink): Promise<void> {
    const { io } = link;
    const exists = (pin: number, name: string): boolean => {
      if (io.pins[pin]) return true;
      this.log.error(t('logs.firmataPinMissing'), { port: this.settings.path, name, pin });
      return false;
    };
    for (const output of this.outputs.values()) {
      if (!exists(output.pin, output.name)) continue;
      // As in openOutput: the level first, so switching to output does not flash the lamp.
      io.digitalWrite(output.pin, output.raw());
      io.pinMode(output.pin, io.MODES.OUTPUT);
      io.digitalWrite(output.pin, output.raw());
    }
    const inputs = [...this.inputs.values()].filter((input) => exists(input.pin, input.name));
    // Every mode before any reporting: the board's first report of a port then covers all its inputs.
    for (const input of inputs) io.pinMode(input.pin, input.activeLow ? io.MODES.PULLUP : io.MODES.INPUT);
    const reports = inputs.map((input) => {
      input.resume();
      const first = firstReport(io, input.pin, this.settings.firstReportTimeoutMs, this.stop.signal);
      io.digitalRead(input.pin, input.listener);
      return first;
    });
    return Promise.all(reports).then(() => undefined);
  }

  private pinFor(spec: PinSpec, mode: number, use: 'firmataInput' | 'firmataInputPullUp' | 'firmataOutput'): number {
    const pin = resolveFirmataPin(spec.pin, this.io.analogPins);
    const record = this.io.pins[pin];
    if (!record) throw new FirmataError(t('setup.firmataNoPin', { name: spec.name, pin: String(spec.pin), last: this.io.pins.length - 1 }));
    if (!record.supportedModes.includes(mode)) {
      throw new FirmataError(t('setup.firmataMode', { name: spec.name, pin: String(spec.pin), use: t(`setup.${use}`) }));
    }
    const holder = this.inputs.get(pin) ?? this.outputs.get(pin);
    if (holder) throw new FirmataError(t('setup.pinTaken', { name: spec.name, pin: String(spec.pin), holder: holder.name }));
    return pin;
  }

  /**
   * Opens an input. Active-low inputs (a button or an optocoupler to ground)
   * get the board's internal pull-up; active-high ones need an external
   * pull-down. Waits for the board's first report so `read()` is right at once.
   * While the link is down the input is set up when the board is back.
   */
  async openInput(spec: PinSpec): Promise<DigitalInput> {
    const activeLow = spec.activeLow ?? false;
    const mode = activeLow ? this.io.MODES.PULLUP : this.io.MODES.INPUT;
    const pin = this.pinFor(spec, mode, activeLow ? 'firmataInputPullUp' : 'firmataInput');
    const input = new FirmataInput(spec.name, pin, activeLow, (closed) => this.releaseInput(closed));
    this.inputs.set(pin, input);
    if (!this.connected) return input;
    const { io } = this.link;
    const first = firstReport(io, pin, this.settings.firstReportTimeoutMs, this.stop.signal);
    io.pinMode(pin, mode);
    io.digitalRead(pin, input.listener);
    if (!(await first)) this.log.warn(t('logs.firmataInputUnknown'), { input: spec.name, pin });
    return input;
  }

  async openOutput(spec: PinSpec): Promise<DigitalOutput> {
    const pin = this.pinFor(spec, this.io.MODES.OUTPUT, 'firmataOutput');
    const output = new FirmataOutput(spec.name, pin, spec.activeLow ?? false, (p, raw) => this.send(p, raw), (closed) => this.outputs.delete(closed.pin));
    if (this.connected) {
      // Set the "off" level before switching to output (on an AVR a high write to an
      // input latches the pull-up), so the pin never drives the lamp on; then again as an output.
      this.io.digitalWrite(pin, output.raw(false));
      this.io.pinMode(pin, this.io.MODES.OUTPUT);
    }
    output.write(false);
    this.outputs.set(pin, output);
    return output;
  }

  /** A write while the link is down is only remembered by the output; restore() sends it. */
  private send(pin: number, raw: 0 | 1): void {
    if (this.up) this.io.digitalWrite(pin, raw);
  }

  private releaseInput(input: FirmataInput): void {
    this.inputs.delete(input.pin);
    this.io.removeListener(`digital-read-${input.pin}`, input.listener);
    // Reporting is per port of 8 pins: keep it on while another input of the port is open.
    const port = input.pin >> 3;
    const shared = [...this.inputs.keys()].some((pin) => pin >> 3 === port);
    if (!shared && this.up && this.port.isOpen) this.io.reportDigitalPin(input.pin, 0);
  }

  /** Stops reconnecting, turns every lamp off, stops reports and closes the serial port. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopHeartbeat();
    this.stop.abort();
    // The reconnect wait or an attempt in flight ends and lets go of its port first.
    await this.recovery;
    await Promise.allSettled([...this.inputs.values()].map((i) => i.close()));
    await Promise.allSettled([...this.outputs.values()].map((o) => o.close()));
    this.outputs.clear();
    const { port } = this.link;
    if (this.up && port.isOpen) {
      await new Promise<void>((resolve) => port.drain(() => resolve()));
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    this.up = false;
    await this.link.release();
  }
}

/** Opens the board and returns a ready driver that reconnects by itself when the link drops. */
export async function openFirmataDriver(options: FirmataDriverOptions): Promise<FirmataDriver> {
  const log = options.log ?? createLogger('firmata');
  const stack = await loadStack();
  const reopen = (signal?: AbortSignal): Promise<FirmataLink> => connectBoard(stack, options, log, signal);
  const link = await reopen();
  const driver = new FirmataDriver(link, reopen, {
    path: options.port,
    firstReportTimeoutMs: options.firstReportTimeoutMs ?? 1000,
    heartbeatMs: options.heartbeatMs ?? 5000,
    clock: options.clock ?? realRetryClock,
    retry: {
      initialDelayMs: options.reconnectDelayMs ?? DEFAULT_RETRY_DELAYS.initialDelayMs,
      maxDelayMs: options.reconnectMaxDelayMs ?? DEFAULT_RETRY_DELAYS.maxDelayMs,
    },
  }, log);
  log.info('firmata board ready', { port: options.port, firmware: driver.firmware, pins: link.io.pins.length });
  return driver;
}
