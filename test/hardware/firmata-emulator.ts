/**
 * An Arduino Nano running StandardFirmata 2.5, as far as relais needs one:
 * version and firmware reports, capability and analog-mapping queries, pin
 * modes (INPUT, OUTPUT, PULLUP), digital port reports and digital writes.
 * It sits on the "device" end of a socat pty pair and speaks real bytes.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';

const REPORT_VERSION = 0xf9;
const START_SYSEX = 0xf0;
const END_SYSEX = 0xf7;
const PIN_MODE = 0xf4;
const SET_DIGITAL_PIN_VALUE = 0xf5;
const SYSTEM_RESET = 0xff;
const DIGITAL_MESSAGE = 0x90;
const REPORT_DIGITAL = 0xd0;
const REPORT_ANALOG = 0xc0;
const QUERY_FIRMWARE = 0x79;
const CAPABILITY_QUERY = 0x6b;
const CAPABILITY_RESPONSE = 0x6c;
const ANALOG_MAPPING_QUERY = 0x69;
const ANALOG_MAPPING_RESPONSE = 0x6a;
const SAMPLING_INTERVAL = 0x7a;

export const MODE = { INPUT: 0x00, OUTPUT: 0x01, ANALOG: 0x02, PWM: 0x03, PULLUP: 0x0b } as const;

/** Nano: D0-D13, A0-A5 (= 14-19, digital capable), A6/A7 (= 20, 21, analog only). */
const NANO_PINS = 22;
const NANO_PWM = new Set([3, 5, 6, 9, 10, 11]);

export interface EmulatorOptions {
  path: string;
  firmwareName?: string;
  /** Answer queries at all (false: a board without Firmata, for timeout tests). */
  speaksFirmata?: boolean;
}

export class FirmataEmulator extends EventEmitter<{
  mode: [pin: number, mode: number];
  write: [pin: number, level: 0 | 1];
  report: [port: number, enabled: boolean];
  bytes: [bytes: number[]];
}> {
  readonly modes = new Array<number | null>(NANO_PINS).fill(null);
  /** Electrical level of each pin as the board sees it. */
  readonly levels = new Array<0 | 1>(NANO_PINS).fill(0);
  readonly reporting = new Array<boolean>(3).fill(false);
  /** Digital port messages sent to the host. */
  portMessages = 0;
  private readonly port: SerialPort;
  private buffer: number[] = [];

  private constructor(private readonly options: EmulatorOptions) {
    super();
    this.port = new SerialPort({ path: options.path, baudRate: 57600, autoOpen: false });
    this.port.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  static async open(options: EmulatorOptions): Promise<FirmataEmulator> {
    const emulator = new FirmataEmulator(options);
    await new Promise<void>((resolve, reject) => emulator.port.open((err) => (err ? reject(err) : resolve())));
    return emulator;
  }

  /** What a real board sends by itself after the reset that opening the port causes. */
  announce(): void {
    this.send([REPORT_VERSION, 2, 5]);
    this.sendFirmware();
  }

  /** Drives a pin from outside (a button to ground, an optocoupler): `0` low, `1` high. */
  setLevel(pin: number, level: 0 | 1): void {
    if (this.levels[pin] === level) return;
    this.levels[pin] = level;
    const port = pin >> 3;
    const mode = this.modes[pin];
    if (this.reporting[port] && (mode === MODE.INPUT || mode === MODE.PULLUP)) this.sendPort(port);
  }

  /** Sends raw bytes, e.g. noise on the line. */
  inject(bytes: number[]): void {
    this.send(bytes);
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private send(bytes: number[]): void {
    this.port.write(Buffer.from(bytes));
  }

  private sendFirmware(): void {
    const name = [...Buffer.from(this.options.firmwareName ?? 'StandardFirmata.ino')].flatMap((b) => [b & 0x7f, (b >> 7) & 0x7f]);
    this.send([START_SYSEX, QUERY_FIRMWARE, 2, 5, ...name, END_SYSEX]);
  }

  private sendPort(port: number): void {
    let value = 0;
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      const mode = this.modes[pin];
      if (pin < NANO_PINS && (mode === MODE.INPUT || mode === MODE.PULLUP) && this.levels[pin] === 1) value |= 1 << bit;
    }
    this.portMessages += 1;
    this.send([DIGITAL_MESSAGE | port, value & 0x7f, (value >> 7) & 0x7f]);
  }

  private capabilities(): number[] {
    const out: number[] = [START_SYSEX, CAPABILITY_RESPONSE];
    for (let pin = 0; pin < NANO_PINS; pin++) {
      if (pin < 20) out.push(MODE.INPUT, 1, MODE.OUTPUT, 1, MODE.PULLUP, 1);
      if (NANO_PWM.has(pin)) out.push(MODE.PWM, 8);
      if (pin >= 14) out.push(MODE.ANALOG, 10);
      out.push(0x7f);
    }
    out.push(END_SYSEX);
    return out;
  }

  private analogMapping(): number[] {
    const out: number[] = [START_SYSEX, ANALOG_MAPPING_RESPONSE];
    for (let pin = 0; pin < NANO_PINS; pin++) out.push(pin >= 14 ? pin - 14 : 0x7f);
    out.push(END_SYSEX);
    return out;
  }

  /** MIDI-style framing: a command byte (>= 0x80) then 7-bit data bytes; sysex runs from 0xF0 to 0xF7. */
  private receive(chunk: Buffer): void {
    this.emit('bytes', [...chunk]);
    if (!this.options.speaksFirmata) return;
    for (const byte of chunk) {
      if (byte === START_SYSEX) {
        this.buffer = [byte];
      } else if (this.buffer[0] === START_SYSEX) {
        this.buffer.push(byte);
        if (byte === END_SYSEX) this.sysex(this.buffer.splice(0));
      } else if (byte & 0x80) {
        this.buffer = [byte];
        this.command();
      } else if (this.buffer.length > 0) {
        this.buffer.push(byte);
        this.command();
      }
      // else: a stray data byte with no command before it; StandardFirmata drops it too.
    }
  }

  private sysex(message: number[]): void {
    switch (message[1]) {
      case QUERY_FIRMWARE: return this.sendFirmware();
      case CAPABILITY_QUERY: return this.send(this.capabilities());
      case ANALOG_MAPPING_QUERY: return this.send(this.analogMapping());
      case SAMPLING_INTERVAL:
      default:
        return;
    }
  }

  private command(): void {
    const b = this.buffer;
    const command = b[0]!;
    if (command === REPORT_VERSION) {
      this.buffer = [];
      return this.send([REPORT_VERSION, 2, 5]);
    }
    if (command === SYSTEM_RESET) {
      this.buffer = [];
      return;
    }
    const high = command & 0xf0;
    const needed = high === REPORT_DIGITAL || high === REPORT_ANALOG ? 2 : 3;
    if (b.length < needed) return;
    this.buffer = [];
    if (command === PIN_MODE) {
      this.modes[b[1]!] = b[2]!;
      // INPUT_PULLUP: an unconnected pin reads high.
      if (b[2] === MODE.PULLUP) this.levels[b[1]!] = 1;
      this.emit('mode', b[1]!, b[2]!);
    } else if (command === SET_DIGITAL_PIN_VALUE) {
      this.writePin(b[1]!, (b[2]! & 1) as 0 | 1);
    } else if (high === DIGITAL_MESSAGE) {
      const port = command & 0x0f;
      const value = b[1]! | (b[2]! << 7);
      for (let bit = 0; bit < 8; bit++) {
        const pin = port * 8 + bit;
        if (this.modes[pin] === MODE.OUTPUT) this.writePin(pin, ((value >> bit) & 1) as 0 | 1);
      }
    } else if (high === REPORT_DIGITAL) {
      const port = command & 0x0f;
      this.reporting[port] = b[1] === 1;
      this.emit('report', port, b[1] === 1);
      // StandardFirmata sends the port's state at once when reporting is switched on.
      if (b[1] === 1) this.sendPort(port);
    }
    // ANALOG_MESSAGE (PWM writes) and REPORT_ANALOG are not used by relais.
  }

  private writePin(pin: number, level: 0 | 1): void {
    if (this.levels[pin] === level) return;
    this.levels[pin] = level;
    this.emit('write', pin, level);
  }
}

/** Resolves with the emulator's next `write` of that pin. */
export function nextWrite(emu: FirmataEmulator, pin: number): Promise<0 | 1> {
  return new Promise((resolve) => {
    const onWrite = (p: number, level: 0 | 1): void => {
      if (p !== pin) return;
      emu.off('write', onWrite);
      resolve(level);
    };
    emu.on('write', onWrite);
  });
}
