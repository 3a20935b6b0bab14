/**
 * The edges of `relais sim link`: a UDP proxy and a TCP proxy that carry each
 * packet (or TCP chunk) through a {@link LinkDirection} per direction and hand
 * it on at the time the model gives. Settings can change while traffic flows.
 * Loopback rehearsal only: this is not a router, and it keeps every packet in
 * memory until it is due.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { realClock, type Clock } from '../appliance/clock.js';
import { LinkDirection, type DirectionCounters, type DirectionMode, type LinkImpairment } from './link-model.js';

/** Runs callbacks at given times, in time order, with one timer. */
export class DeliveryQueue {
  private items: Array<{ at: number; seq: number; run: () => void }> = [];
  private timer: unknown = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.items.length;
  }

  schedule(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    // Most packets are due after every queued one: search from the end.
    let i = this.items.length;
    while (i > 0 && (this.items[i - 1]?.at ?? 0) > at) i -= 1;
    this.items.splice(i, 0, item);
    this.arm();
  }

  clear(): void {
    this.items = [];
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    const first = this.items[0];
    if (!first) return;
    if (this.timer !== null && this.timerAt <= first.at) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = first.at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, first.at - this.clock.now()));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    // Timers fire up to a millisecond early or late; anything due within 0.5 ms goes now.
    while (this.items.length > 0 && (this.items[0]?.at ?? 0) <= now + 0.5) this.items.shift()?.run();
    this.arm();
  }
}

/** Counters of both directions: `up` is client to server. */
export interface LinkCounters {
  up: DirectionCounters;
  down: DirectionCounters;
}

export interface LinkProxyEvents {
  error: [error: Error];
}

interface ProxyOptions {
  /** Where to listen (`127.0.0.1`, port 0 for any free one). */
  listenHost?: string;
  listenPort: number;
  targetHost: string;
  targetPort: number;
  impairment: LinkImpairment;
  random?: () => number;
  clock?: Clock;
}

/** What both proxies share: the two directions, their queue and the live settings. */
abstract class LinkProxyBase extends EventEmitter<LinkProxyEvents> {
  protected readonly clock: Clock;
  protected readonly queue: DeliveryQueue;
  protected readonly up: LinkDirection;
  protected readonly down: LinkDirection;
  port = 0;

  constructor(
    protected readonly o: ProxyOptions,
    mode: DirectionMode,
  ) {
    super();
    this.clock = o.clock ?? realClock;
    this.queue = new DeliveryQueue(this.clock);
    this.up = new LinkDirection(o.impairment, o.random, mode);
    this.down = new LinkDirection(o.impairment, o.random, mode);
  }

  get settings(): LinkImpairment {
    return this.up.settings;
  }

  /** Changes the link while it runs (both directions). */
  set(impairment: LinkImpairment): void {
    this.up.set(impairment);
    this.down.set(impairment);
  }

  counters(): LinkCounters {
    return { up: { ...this.up.counters }, down: { ...this.down.counters } };
  }

  /** An error for whoever listens; without a listener a proxy error must not end the process. */
  protected reportError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Carries one packet through `direction`; `send` runs when it is due. */
  protected carry(direction: LinkDirection, bytes: number, send: () => void): void {
    const fate = direction.decide(this.clock.now(), bytes);
    if (fate.kind === 'deliver') this.queue.schedule(fate.at, send);
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
}

interface UdpPeer {
  client: RemoteInfo;
  upstream: UdpSocket;
  lastSeen: number;
}

/** UDP proxy: each client address gets its own upstream socket, so replies find their way back. */
export class UdpLinkProxy extends LinkProxyBase {
  private socket: UdpSocket | null = null;
  private readonly peers = new Map<string, UdpPeer>();
  private sweep: NodeJS.Timeout | null = null;

  constructor(o: ProxyOptions) {
    super(o, 'datagram');
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, from) => this.fromClient(msg, from));
    socket.on('error', (err) => this.reportError(err));
    socket.bind(this.o.listenPort, this.o.listenHost ?? '127.0.0.1');
    await once(socket, 'listening');
    this.port = socket.address().port;
    this.socket = socket;
    // A client silent for a minute is gone: free its upstream socket.
    this.sweep = setInterval(() => this.forgetIdle(60_000), 10_000);
    this.sweep.unref();
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    this.queue.clear();
    for (const peer of this.peers.values()) peer.upstream.close();
    this.peers.clear();
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private forgetIdle(idleMs: number): void {
    const now = this.clock.now();
    for (const [key, peer] of this.peers) {
      if (now - peer.lastSeen < idleMs) continue;
      peer.upstream.close();
      this.peers.delete(key);
    }
  }

  private peerFor(from: RemoteInfo): UdpPeer {
    const key = `${from.address}:${from.port}`;
    let peer = this.peers.get(key);
    if (!peer) {
      const upstream = createSocket('udp4');
      const created: UdpPeer = { client: from, upstream, lastSeen: this.clock.now() };
      upstream.on('message', (msg) => this.fromServer(created, msg));
      // Nobody listening there (yet): the kernel's "port unreachable" is a lost packet, as on a real link.
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNREFUSED') this.reportError(err);
      });
      upstream.connect(this.o.targetPort, this.o.targetHost);
      this.peers.set(key, created);
      peer = created;
    }
    peer.lastSeen = this.clock.now();
    return peer;
  }

  private fromClient(msg: Buffer, from: RemoteInfo): void {
    const peer = this.peerFor(from);
    this.carry(this.up, msg.length, () => {
      try {
        peer.upstream.send(msg);
      } catch {
        // not connected yet or closed: a lost packet, as on a real link
      }
    });
  }

  private fromServer(peer: UdpPeer, msg: Buffer): void {
    this.carry(this.down, msg.length, () => this.socket?.send(msg, peer.client.port, peer.client.address));
  }
}

/** TCP proxy: chunks are delayed and rate-limited; a full bottleneck pauses the sender, as TCP's window does. */
export class TcpLinkProxy extends LinkProxyBase {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(o: ProxyOptions) {
    super(o, 'stream');
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.on('error', (err) => this.reportError(err));
    server.listen(this.o.listenPort, this.o.listenHost ?? '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    this.port = address && typeof address === 'object' ? address.port : 0;
    this.server = server;
  }

  async stop(): Promise<void> {
    this.queue.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.o.targetPort, this.o.targetHost);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        // The other side closes once what was already in flight is due.
        const other = s === client ? upstream : client;
        this.queue.schedule(this.clock.now() + this.settings.delayMs, () => other.end());
      });
    }
    this.pipe(client, upstream, this.up);
    this.pipe(upstream, client, this.down);
  }

  private pipe(from: Socket, to: Socket, direction: LinkDirection): void {
    from.on('data', (chunk: Buffer) => {
      this.carry(direction, chunk.length, () => {
        if (!to.destroyed) to.write(chunk);
      });
      const s = direction.settings;
      if (s.rateKbps > 0 && direction.queueDelay(this.clock.now()) > s.queueMs) {
        // Hold the sender until the bottleneck has room again.
        from.pause();
        this.clock.setTimeout(() => from.resume(), direction.queueDelay(this.clock.now()) - s.queueMs / 2);
      }
    });
  }
}
