/**
 * Front ends of the camera simulator: a daisy chain on a serial port (the far
 * end of a pty pair), one camera on VISCA over IP (UDP), one on raw VISCA over TCP.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { hex } from '../ptz/commands.js';
import { CONTROL, PAYLOAD_TYPE, decodeIp, encodeIp, type IpMessage } from '../ptz/ip-header.js';
import { ViscaFramer } from '../ptz/parser.js';
import { SerialTransport } from '../ptz/transport.js';
import { SimCamera, type SimCameraOptions } from './camera.js';
import { SimChain } from './chain.js';

/**
 * The conversation on the wire as the camera side sees it, one message a
 * line (`relais -> camera  81 01 06 04 FF`, `camera -> relais  90 41 FF`),
 * newest last. Bounded, so a long-running simulator does not grow.
 */
export const wireLine = {
  toCamera: (text: string): string => `relais -> camera  ${text}`,
  toRelais: (text: string): string => `camera -> relais  ${text}`,
};

export class WireTranscript {
  private readonly kept: string[] = [];

  constructor(private readonly limit = 200) {}

  get lines(): readonly string[] {
    return this.kept;
  }

  toCamera(text: string): void {
    this.add(wireLine.toCamera(text));
  }

  toRelais(text: string): void {
    this.add(wireLine.toRelais(text));
  }

  clear(): void {
    this.kept.length = 0;
  }

  private add(line: string): void {
    this.kept.push(line);
    if (this.kept.length > this.limit) this.kept.shift();
  }
}

/** A daisy chain answering on a serial device (usually the simulator's end of a pty pair). */
export class SerialSim extends EventEmitter<{ packet: [bytes: Uint8Array] }> {
  readonly chain: SimChain;
  readonly transcript = new WireTranscript();
  /** VISCA messages received from the controller, broadcasts included. */
  packets = 0;
  private readonly transport: SerialTransport;
  private readonly framer = new ViscaFramer();

  constructor(path: string, cameras: number, options: SimCameraOptions = {}) {
    super();
    this.transport = new SerialTransport(path, 9600);
    this.chain = new SimChain((bytes) => {
      this.transcript.toRelais(hex(bytes));
      if (this.transport.isOpen) this.transport.write(bytes);
    }, cameras, options);
    this.transport.on('data', (chunk) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    for (const item of this.framer.push(chunk)) {
      if (!('packet' in item)) continue;
      this.packets++;
      this.transcript.toCamera(hex(item.packet));
      this.emit('packet', item.packet);
    }
    this.chain.push(chunk);
  }

  async start(): Promise<void> {
    await this.transport.open();
  }

  /** Writes raw bytes to the controller (for tests of stray input). */
  inject(bytes: Uint8Array): void {
    this.transcript.toRelais(hex(bytes));
    this.transport.write(bytes);
  }

  async stop(): Promise<void> {
    this.chain.close();
    await this.transport.close();
  }
}

/** Datagram-level faults of the VISCA over IP front end, applied to the next command. */
export type IpFault =
  /** Drops the first datagram of the next command; the controller must resend it with the same sequence number. */
  | 'drop-first'
  /** Sends an ACK and a completion carrying an old sequence number before the real answers. */
  | 'stale-reply'
  /** Sends the completion before the ACK. */
  | 'swap-ack-completion'
  /** Answers with a control error "abnormal sequence number". */
  | 'sequence-error';

/**
 * A lasting misbehaviour of the VISCA over IP front end: `stray-sequence-error`
 * answers every command and inquiry with control error `0F 01` under a
 * sequence number that matches nothing relais sent (RESET is still acknowledged).
 */
export type IpMisbehaviour = 'stray-sequence-error';

const PAYLOAD_NAMES: Record<number, string> = {
  [PAYLOAD_TYPE.command]: 'command',
  [PAYLOAD_TYPE.inquiry]: 'inquiry',
  [PAYLOAD_TYPE.reply]: 'reply',
  [PAYLOAD_TYPE.deviceSetting]: 'device setting',
  [PAYLOAD_TYPE.control]: 'control',
  [PAYLOAD_TYPE.controlReply]: 'control reply',
};

/** `command #3: 81 01 06 04 FF` */
function describeDatagram(type: number, seq: number, payload: Uint8Array): string {
  return `${PAYLOAD_NAMES[type] ?? `type 0x${type.toString(16).padStart(4, '0')}`} #${seq}: ${hex(payload)}`;
}

export class UdpSim extends EventEmitter<{ datagram: [message: IpMessage] }> {
  readonly camera: SimCamera;
  readonly transcript = new WireTranscript();
  /** Set to make the front end misbehave on every message until cleared. */
  misbehaviour: IpMisbehaviour | null = null;
  private socket: dgram.Socket | null = null;
  private readonly ipFaults: IpFault[] = [];
  private lastSeq = -1;
  /** Every datagram header received, newest last (bounded). */
  readonly received: Array<{ type: number; seq: number }> = [];
  /** Well-formed datagrams received in all. */
  datagrams = 0;
  resets = 0;

  constructor(
    private readonly port = 52381,
    private readonly host = '127.0.0.1',
    options: SimCameraOptions = {},
    camera?: SimCamera,
  ) {
    super();
    this.camera = camera ?? new SimCamera(options);
  }

  get address(): { host: string; port: number } {
    const info = this.socket?.address();
    return { host: this.host, port: info?.port ?? this.port };
  }

  injectIp(...faults: IpFault[]): void {
    this.ipFaults.push(...faults);
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, this.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.camera.clear();
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const message = decodeIp(msg);
    if (!message) return;
    this.datagrams++;
    this.received.push({ type: message.type, seq: message.seq });
    if (this.received.length > 200) this.received.shift();
    this.transcript.toCamera(describeDatagram(message.type, message.seq, message.payload));
    this.emit('datagram', message);
    const send = (type: number, seq: number, payload: Uint8Array): void => {
      this.transcript.toRelais(describeDatagram(type, seq, payload));
      this.socket?.send(encodeIp(type, seq, payload), rinfo.port, rinfo.address);
    };
    if (message.type === PAYLOAD_TYPE.control) {
      if (message.payload[0] === CONTROL.reset) {
        this.resets++;
        this.lastSeq = -1;
        send(PAYLOAD_TYPE.controlReply, message.seq, Uint8Array.of(CONTROL.reset));
      }
      return;
    }
    if (message.type !== PAYLOAD_TYPE.command && message.type !== PAYLOAD_TYPE.inquiry) return;
    this.onVisca(message, send);
  }

  private onVisca(message: IpMessage, send: (type: number, seq: number, payload: Uint8Array) => void): void {
    if (this.misbehaviour === 'stray-sequence-error') {
      send(PAYLOAD_TYPE.controlReply, (message.seq + 0x8000_0000) >>> 0, Uint8Array.of(0x0f, 0x01));
      return;
    }
    const isResend = message.seq === this.lastSeq;
    this.lastSeq = message.seq;
    const fault = isResend ? undefined : this.ipFaults.shift();
    if (fault === 'drop-first') return;
    if (fault === 'sequence-error') {
      send(PAYLOAD_TYPE.controlReply, message.seq, Uint8Array.of(0x0f, 0x01));
      return;
    }
    if (fault === 'stale-reply') {
      const old = (message.seq - 1000) >>> 0;
      send(PAYLOAD_TYPE.reply, old, Uint8Array.of(0x90, 0x41, 0xff));
      send(PAYLOAD_TYPE.reply, old, Uint8Array.of(0x90, 0x51, 0xff));
    }
    const held: Uint8Array[] = [];
    const reply = (body: number[]): void => {
      const payload = Uint8Array.from([0x90, ...body]);
      const isAck = (body[0]! & 0xf0) === 0x40;
      if (fault === 'swap-ack-completion' && isAck) {
        held.push(payload); // sent after the completion
        return;
      }
      send(PAYLOAD_TYPE.reply, message.seq, payload);
      if (held.length && (body[0]! & 0xf0) !== 0x40) for (const h of held.splice(0)) send(PAYLOAD_TYPE.reply, message.seq, h);
    };
    if ((message.payload[0] ?? 0) !== 0x81) return;
    this.camera.handle(message.payload.slice(1), reply);
  }
}

/** One camera on raw VISCA over TCP; every connection talks to the same camera. */
export class TcpSim {
  readonly camera: SimCamera;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  connections = 0;

  constructor(
    private readonly port = 5678,
    private readonly host = '127.0.0.1',
    options: SimCameraOptions = {},
    camera?: SimCamera,
  ) {
    this.camera = camera ?? new SimCamera(options);
  }

  get address(): { host: string; port: number } {
    const info = this.server?.address();
    return { host: this.host, port: info && typeof info === 'object' ? info.port : this.port };
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Drops every open connection (the controller should reconnect). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.camera.clear();
    this.dropConnections();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true); // ACK and completion are separate writes; Nagle would hold the second one
    const chain = new SimChain((bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    }, [this.camera]);
    socket.on('data', (chunk) => chain.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
