/**
 * Raw VISCA over TCP (PTZOptics and many clones listen on port 5678): the
 * serial byte stream carried over a TCP connection, one camera at address 1.
 * The connection comes back by itself with growing delays.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { LinkTimeouts } from './link.js';
import { ViscaStreamLink } from './stream-link.js';
import type { ByteTransport, ByteTransportEvents } from './transport.js';
import { DEFAULT_TCP_PORT } from './ip-header.js';
import { t } from '../i18n/index.js';

export { DEFAULT_TCP_PORT };

export interface TcpTransportOptions {
  /** First reconnect delay; doubles up to `maxReconnectMs`. Default 250 ms. */
  reconnectMs?: number;
  /** Default 5000 ms. */
  maxReconnectMs?: number;
  /** Give up a connect attempt after this long. Default 3000 ms. */
  connectTimeoutMs?: number;
}

export class TcpTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  private socket: net.Socket | null = null;
  private connected = false;
  private stopped = true;
  private delay: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private firstWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(
    readonly host: string,
    readonly port: number = DEFAULT_TCP_PORT,
    private readonly options: TcpTransportOptions = {},
  ) {
    super();
    this.delay = options.reconnectMs ?? 250;
  }

  get description(): string {
    return `${this.host}:${this.port} (VISCA over TCP)`;
  }

  get isOpen(): boolean {
    return this.connected;
  }

  /**
   * Connects. Resolves on the first connection; rejects if the first attempt
   * fails, but keeps trying in the background until {@link close}.
   */
  open(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.firstWaiters.push({ resolve, reject });
      if (this.stopped) {
        this.stopped = false;
        this.connect();
      }
    });
  }

  write(bytes: Uint8Array): void {
    if (!this.socket || !this.connected) throw new Error(`not connected to ${this.description}`);
    this.socket.write(bytes);
  }

  close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    for (const w of this.firstWaiters.splice(0)) w.reject(new Error(`connection to ${this.description} closed before it opened`));
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private connect(): void {
    const socket = net.connect({ host: this.host, port: this.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.options.connectTimeoutMs ?? 3000, () => {
      if (!this.connected) socket.destroy(new Error(t('visca.detail.connectTimeout')));
    });
    let failure: Error | undefined;
    socket.on('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.delay = this.options.reconnectMs ?? 250;
      for (const w of this.firstWaiters.splice(0)) w.resolve();
      this.emit('open');
    });
    socket.on('data', (chunk) => this.emit('data', chunk));
    socket.on('error', (error) => {
      failure = error;
    });
    socket.on('close', () => {
      const wasConnected = this.connected;
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      const error = failure ?? (wasConnected ? new Error(t('visca.detail.cameraClosed')) : new Error(t('visca.detail.connectFailed')));
      for (const w of this.firstWaiters.splice(0)) {
        w.reject(new Error(`cannot connect to ${this.description}: ${error.message} (check the host, the port and that VISCA over TCP is enabled on the camera)`));
      }
      if (wasConnected) this.emit('close', this.stopped ? undefined : error);
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.options.maxReconnectMs ?? 5000);
  }
}

export interface TcpLinkOptions extends LinkTimeouts, TcpTransportOptions {}

/** A link to one camera speaking raw VISCA over TCP. */
export function createTcpLink(host: string, port: number = DEFAULT_TCP_PORT, options: TcpLinkOptions = {}): ViscaStreamLink {
  return new ViscaStreamLink(new TcpTransport(host, port, options), { ...options, addressing: false });
}
