/**
 * Byte transports under the stream links, and the only module of relais that
 * imports `serialport`. A transport moves bytes; it knows nothing of VISCA.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';

export interface ByteTransportEvents {
  data: [chunk: Buffer];
  /** Connected (again). */
  open: [];
  /** Lost; `error` says why when known. */
  close: [error?: Error];
}

export interface ByteTransport extends EventEmitter<ByteTransportEvents> {
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** VISCA RS-232/RS-422 speeds. */
export const VISCA_BAUD_RATES = [9600, 38400] as const;
export type ViscaBaud = (typeof VISCA_BAUD_RATES)[number];

/** A serial port at 8N1 without flow control, as VISCA wants it. */
export class SerialTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  private port: SerialPort | null = null;

  constructor(
    readonly path: string,
    readonly baudRate: number = 9600,
  ) {
    super();
  }

  get description(): string {
    return `${this.path} at ${this.baudRate} baud`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.port) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: this.path, baudRate: this.baudRate, dataBits: 8, stopBits: 1, parity: 'none', rtscts: false, autoOpen: false });
      port.open((error) => {
        if (error) {
          reject(new Error(`cannot open serial port ${this.path}: ${error.message} (check the path, that no other program holds it, and that this user is in the dialout group)`));
          return;
        }
        this.port = port;
        port.on('data', (chunk: Buffer) => this.emit('data', chunk));
        port.on('error', () => undefined); // reported through 'close'
        port.on('close', (err?: Error | null) => {
          this.port = null;
          this.emit('close', err ?? undefined);
        });
        this.emit('open');
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): void {
    if (!this.port) throw new Error(`serial port ${this.path} is not open`);
    this.port.write(Buffer.from(bytes));
  }

  close(): Promise<void> {
    const port = this.port;
    if (!port) return Promise.resolve();
    return new Promise((resolve) => {
      port.close(() => resolve());
    });
  }
}
