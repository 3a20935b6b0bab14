/**
 * An ATEM emulator on UDP 9910 for tests and `relais sim atem`: the opening
 * handshake (SYN, SYN-ACK with accept 0x02 or reject 0x03 when its client
 * slots are full, ACK), the initial state dump, acknowledgements, resends of
 * what a client did not acknowledge, heartbeats, and the commands a tally
 * reader needs (version, product, topology, input names, program/preview,
 * tally by source, init complete). Faults: lost datagrams, a restart.
 */
import dgram from 'node:dgram';
import * as cmd from './atem-commands.js';

const FLAG = { ackRequest: 0x08, syn: 0x10, retransmit: 0x20, ack: 0x80 } as const;
const OPCODE = { open: 0x01, accepted: 0x02, rejected: 0x03, close: 0x04, closed: 0x05 } as const;
const MAX_PACKET = 1400;
const RESEND_AFTER_MS = 40;
const MAX_RESENDS = 10;

export interface AtemEmulatorOptions {
  port?: number;
  host?: string;
  inputs?: number;
  /** Client slots; an ATEM Mini has 5 for control clients. Default 5. */
  maxClients?: number;
  /** Heartbeat period to each client. Default 500 ms. */
  pingMs?: number;
  product?: string;
}

interface Sent {
  bytes: Buffer;
  sentAt: number;
  resent: number;
}

interface Session {
  key: string;
  address: string;
  port: number;
  clientId: number;
  serverId: number;
  established: boolean;
  nextId: number;
  unacked: Map<number, Sent>;
  lastHeard: number;
  lastPing: number;
}

function packet(flags: number, session: number, body: Buffer = Buffer.alloc(0), fields: { ackId?: number; packetId?: number } = {}): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt16BE(((flags << 8) & 0xf800) | out.length, 0);
  out.writeUInt16BE(session, 2);
  out.writeUInt16BE(fields.ackId ?? 0, 4);
  out.writeUInt16BE(fields.packetId ?? 0, 10);
  body.copy(out, 12);
  return out;
}

function synBody(opcode: number, serverSession = 0): Buffer {
  const body = Buffer.alloc(8);
  body[0] = opcode;
  body.writeUInt16BE(serverSession, 2);
  return body;
}

/** `id` is at or before `ackId`, with the 15-bit wrap. */
const covered = (ackId: number, id: number): boolean => ((ackId - id) & 0x7fff) < 0x4000;

export class AtemEmulator {
  private socket: dgram.Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly sessions = new Map<string, Session>();
  private sessionCounter = 1;
  readonly names = new Map<number, { long: string; short: string }>();
  program = 1;
  preview = 2;
  /** Fill source of the upstream key on air, or null. */
  keyFill: number | null = null;
  /** Inputs in the SuperSource boxes (source 6000). */
  superSourceBoxes: number[] = [];
  /** First transmissions of the next data packets to lose on the wire (their resends go through). */
  dropOutgoing = 0;
  /** Handshakes refused because every slot was taken. */
  rejected = 0;
  /** Data packets sent again because a client did not acknowledge them. */
  resends = 0;
  /** Every opening hello received, with its time and the client's session id (atem-connection's is 0x53ab). */
  readonly hellos: Array<{ at: number; session: number }> = [];
  /** Off: the switcher is powered down (or rebooting): it hears datagrams but answers none. */
  off = false;

  constructor(private readonly options: AtemEmulatorOptions = {}) {
    for (let i = 1; i <= (options.inputs ?? 4); i++) this.names.set(i, { long: `Camera ${i}`, short: `CAM${i}` });
  }

  get address(): { host: string; port: number } {
    const a = this.socket?.address();
    if (!a) throw new Error('ATEM emulator not listening');
    return { host: a.address, port: a.port };
  }

  /** Clients with an open session (handshake done). */
  get clientCount(): number {
    return [...this.sessions.values()].filter((s) => s.established).length;
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.socket = socket;
    this.timer = setInterval(() => this.tick(), 10);
  }

  /** Program and preview swap, as the CUT button does. */
  cut(): void {
    [this.program, this.preview] = [this.preview, this.program];
    this.broadcast([cmd.programInputCommand(0, this.program), cmd.previewInputCommand(0, this.preview), this.tallyCommand()]);
  }

  setPreview(input: number): void {
    this.preview = input;
    this.broadcast([cmd.previewInputCommand(0, this.preview), this.tallyCommand()]);
  }

  setProgram(input: number): void {
    this.program = input;
    this.broadcast([cmd.programInputCommand(0, this.program), this.tallyCommand()]);
  }

  /** An upstream key with `fill` goes on air (null: off air). */
  setKey(fill: number | null): void {
    this.keyFill = fill;
    this.broadcast([this.tallyCommand()]);
  }

  setSuperSource(boxes: number[]): void {
    this.superSourceBoxes = boxes;
    this.broadcast([this.tallyCommand()]);
  }

  rename(input: number, long: string, short: string): void {
    this.names.set(input, { long, short });
    this.broadcast([cmd.inputPropertiesCommand(input, long, short)]);
  }

  /** Sends raw bytes to every client, outside the protocol (garbage). */
  sendRaw(bytes: Buffer): void {
    for (const session of this.sessions.values()) this.send(session, bytes);
  }

  /** Forgets every session at once, as a power cycle does; clients find out by the silence. */
  restart(): void {
    this.sessions.clear();
    this.sessionCounter = 1;
  }

  /** Powered down until {@link powerOn}: sessions gone, nothing answered. */
  powerOff(): void {
    this.restart();
    this.off = true;
  }

  powerOn(): void {
    this.off = false;
  }

  /** The switcher's tally by source: program, preview, the key's fill, the SuperSource boxes. */
  tally(): Map<number, { program: boolean; preview: boolean }> {
    const out = new Map<number, { program: boolean; preview: boolean }>();
    for (const input of this.names.keys()) out.set(input, { program: false, preview: false });
    const mark = (input: number, field: 'program' | 'preview'): void => {
      const t = out.get(input) ?? { program: false, preview: false };
      t[field] = true;
      out.set(input, t);
    };
    mark(this.program, 'program');
    mark(this.preview, 'preview');
    if (this.keyFill !== null) mark(this.keyFill, 'program');
    for (const box of this.superSourceBoxes) {
      if (this.program === 6000) mark(box, 'program');
      if (this.preview === 6000) mark(box, 'preview');
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sessions.clear();
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
  }

  private tallyCommand(): Buffer {
    return cmd.tallyBySourceCommand(this.tally());
  }

  private dump(): Buffer[] {
    const inputs = [...this.names].map(([i, n]) => cmd.inputPropertiesCommand(i, n.long, n.short));
    return [
      cmd.versionCommand(),
      cmd.productCommand(this.options.product ?? 'ATEM Mini', 0x0d),
      cmd.topologyCommand(this.names.size),
      ...inputs,
      cmd.programInputCommand(0, this.program),
      cmd.previewInputCommand(0, this.preview),
      this.tallyCommand(),
      cmd.initCompleteCommand(),
    ];
  }

  private receive(msg: Buffer, address: string, port: number): void {
    if (msg.length < 12 || (msg.readUInt16BE(0) & 0x07ff) !== msg.length) return;
    const flags = msg[0]! & 0xf8;
    const session = msg.readUInt16BE(2);
    if ((flags & FLAG.syn) && msg[12] === OPCODE.open) this.hellos.push({ at: Date.now(), session });
    if (this.off) return;
    const key = `${address}:${port}`;
    const s = this.sessions.get(key);
    if (s) s.lastHeard = Date.now();
    if (flags & FLAG.syn) return this.syn(msg, key, address, port, session);
    if (!s) return;
    if (flags & FLAG.ack) {
      if (!s.established && session === s.clientId) {
        s.established = true;
        this.sendCommands(s, this.dump());
      } else {
        const ackId = msg.readUInt16BE(4);
        for (const id of s.unacked.keys()) if (covered(ackId, id)) s.unacked.delete(id);
      }
    }
    if (flags & FLAG.ackRequest) this.send(s, packet(FLAG.ack, s.serverId, undefined, { ackId: msg.readUInt16BE(10) }));
  }

  private syn(msg: Buffer, key: string, address: string, port: number, session: number): void {
    const opcode = msg[12];
    if (opcode === OPCODE.close) {
      this.sessions.delete(key);
      this.sendTo(address, port, packet(FLAG.syn, session, synBody(OPCODE.closed)));
      return;
    }
    if (opcode !== OPCODE.open) return;
    this.sessions.delete(key); // the same client saying hello again starts over
    if (this.sessions.size >= (this.options.maxClients ?? 5)) {
      this.rejected += 1;
      this.sendTo(address, port, packet(FLAG.syn, session, synBody(OPCODE.rejected)));
      return;
    }
    const n = this.sessionCounter;
    this.sessionCounter = (this.sessionCounter % 0x7fff) + 1;
    const now = Date.now();
    this.sessions.set(key, { key, address, port, clientId: session, serverId: 0x8000 | n, established: false, nextId: 1, unacked: new Map(), lastHeard: now, lastPing: now });
    this.sendTo(address, port, packet(FLAG.syn, session, synBody(OPCODE.accepted, n)));
  }

  private broadcast(commands: Buffer[]): void {
    for (const s of this.sessions.values()) if (s.established) this.sendCommands(s, commands);
  }

  /** Packs commands into as few packets as fit, each asking for an acknowledgement. */
  private sendCommands(s: Session, commands: Buffer[]): void {
    let batch: Buffer[] = [];
    let size = 12;
    const flush = (): void => {
      this.sendData(s, Buffer.concat(batch));
      batch = [];
      size = 12;
    };
    for (const c of commands) {
      if (size + c.length > MAX_PACKET && batch.length > 0) flush();
      batch.push(c);
      size += c.length;
    }
    if (batch.length > 0 || commands.length === 0) flush();
  }

  private sendData(s: Session, body: Buffer): void {
    const id = s.nextId;
    s.nextId = (s.nextId + 1) & 0x7fff;
    const bytes = packet(FLAG.ackRequest, s.serverId, body, { packetId: id });
    s.unacked.set(id, { bytes, sentAt: Date.now(), resent: 0 });
    if (this.dropOutgoing > 0) {
      this.dropOutgoing -= 1;
      return;
    }
    this.send(s, bytes);
  }

  private tick(): void {
    const now = Date.now();
    for (const s of [...this.sessions.values()]) {
      if (now - s.lastHeard > 5000) {
        this.sessions.delete(s.key); // a client that went away frees its slot
        continue;
      }
      if (!s.established) continue;
      for (const sent of s.unacked.values()) {
        if (now - sent.sentAt < RESEND_AFTER_MS) continue;
        if (sent.resent >= MAX_RESENDS) {
          this.sessions.delete(s.key);
          break;
        }
        sent.resent += 1;
        sent.sentAt = now;
        sent.bytes[0] = sent.bytes[0]! | FLAG.retransmit;
        this.resends += 1;
        this.send(s, sent.bytes);
      }
      if (now - s.lastPing >= (this.options.pingMs ?? 500)) {
        s.lastPing = now;
        this.sendData(s, Buffer.alloc(0));
      }
    }
  }

  private send(s: Session, bytes: Buffer): void {
    this.sendTo(s.address, s.port, bytes);
  }

  private sendTo(address: string, port: number, bytes: Buffer): void {
    this.socket?.send(bytes, port, address);
  }
}
