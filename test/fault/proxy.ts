/**
 * A TCP proxy between one process and the broker, which the nemesis controls:
 * `cut` closes every connection and refuses new ones (a cable pulled),
 * `blackhole` keeps them open but stops forwarding either way (a link that
 * silently goes dead; the bytes are held and delivered late on heal, as TCP
 * does after an outage shorter than its retransmission timeout), `heal`
 * forwards again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export type ProxyMode = 'pass' | 'cut' | 'blackhole';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** Bytes held back while blackholed, per direction, sent in order on heal. */
  held: Array<{ to: 'client' | 'upstream'; chunk: Buffer }>;
}

export class FaultProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private current: ProxyMode = 'pass';
  port = 0;

  constructor(
    readonly name: string,
    private readonly upstreamPort: number,
  ) {}

  get mode(): ProxyMode {
    return this.current;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error(`proxy ${this.name}: no port`);
    this.port = address.port;
    this.server = server;
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    if (this.current === 'cut') {
      client.destroy();
      return;
    }
    const pair: Pair = { client, upstream: null, held: [] };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    client.on('data', (chunk: Buffer) => this.forward(pair, 'upstream', chunk));
    if (this.current === 'pass') this.link(pair);
  }

  /** Opens the upstream side of a connection (at once, or on heal when it came in blackholed). */
  private link(pair: Pair): void {
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
    upstream.on('data', (chunk: Buffer) => this.forward(pair, 'client', chunk));
  }

  private forward(pair: Pair, to: 'client' | 'upstream', chunk: Buffer): void {
    // Bytes are held, never dropped: dropping part of an MQTT stream would corrupt its framing.
    if (this.current !== 'pass' || !pair.upstream || pair.held.length > 0) {
      pair.held.push({ to, chunk });
      return;
    }
    (to === 'client' ? pair.client : pair.upstream).write(chunk);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }

  /** Closes every connection, and every new one until `heal`. */
  cut(): void {
    this.current = 'cut';
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  /** Stops forwarding on every connection, old and new, until `heal`. */
  blackhole(): void {
    this.current = 'blackhole';
  }

  heal(): void {
    const was = this.current;
    this.current = 'pass';
    if (was !== 'blackhole') return;
    for (const pair of this.pairs) {
      if (!pair.upstream) this.link(pair);
      const held = pair.held.splice(0);
      for (const { to, chunk } of held) (to === 'client' ? pair.client : pair.upstream!).write(chunk);
    }
  }

  async stop(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
