/**
 * Test brokers: a real Mosquitto spawned on a free loopback port, and the
 * embedded Aedes. The integration suites run against both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aedes, Client, PublishPacket, PubrelPacket } from 'aedes';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';

import { freePort } from './ports.js';
import { quietLogger } from './log.js';

export { freePort };

export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestBroker {
  readonly kind: 'mosquitto' | 'aedes';
  readonly url: string;
  readonly port: number;
  /** Abrupt stop (kill -9 for Mosquitto): clients see the link drop. */
  kill(): Promise<void>;
  /** Starts again on the same port, with the same persistence. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** What the shipped central.conf says about Nagle on the broker's client sockets: the test broker does the same. */
function shippedNoDelay(): boolean {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'scripts', 'mosquitto', 'central.conf'), 'utf8');
  return /^set_tcp_nodelay\s+true\s*$/m.test(text);
}

export interface MosquittoOptions {
  /** TCP_NODELAY on the broker's client sockets; by default what central.conf ships (Mosquitto's own default is off). */
  tcpNoDelay?: boolean;
}

class MosquittoBroker implements TestBroker {
  readonly kind = 'mosquitto' as const;
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly tcpNoDelay: boolean,
  ) {}
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const conf = join(this.dir, 'mosquitto.conf');
    await writeFile(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        `set_tcp_nodelay ${this.tcpNoDelay}`,
        'persistence true',
        `persistence_location ${this.dir}/`,
        'autosave_interval 1',
        'autosave_on_changes true',
        'max_queued_messages 10000',
        'log_dest none',
      ].join('\n') + '\n',
    );
    const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.child = child;
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${stderr.trim()}`))));
    await Promise.race([waitForPort(this.port), exited]);
    child.removeAllListeners('exit');
  }
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

class AedesBroker implements TestBroker {
  readonly kind = 'aedes' as const;
  private broker: EmbeddedBroker | null = null;
  constructor(readonly port: number) {}
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.broker = await startEmbeddedBroker({ tcpPort: this.port, wsPort: null, log: quietLogger() });
  }
  async kill(): Promise<void> {
    const broker = this.broker;
    this.broker = null;
    await broker?.close();
  }
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
  async stop(): Promise<void> {
    await this.kill();
  }
}

export async function startTestBroker(kind: 'mosquitto' | 'aedes', options: MosquittoOptions = {}): Promise<TestBroker> {
  // A port found free may be taken before the broker binds it: try again with another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      if (kind === 'aedes') {
        const broker = new AedesBroker(port);
        await broker.start();
        return broker;
      }
      const dir = await mkdtemp(join(tmpdir(), 'relais-mosq-'));
      const broker = new MosquittoBroker(port, dir, options.tcpNoDelay ?? shippedNoDelay());
      try {
        await broker.start();
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      return broker;
    } catch (err) {
      if (attempt >= 3 || !/in use|Address already/i.test((err as Error).message)) throw err;
    }
  }
}

/** The broker kinds the integration suites run on (`RELAIS_TEST_BROKERS=aedes` narrows it). */
export function brokerKinds(): Array<'mosquitto' | 'aedes'> {
  const wanted = (process.env.RELAIS_TEST_BROKERS ?? 'mosquitto,aedes').split(',').map((s) => s.trim());
  return (['mosquitto', 'aedes'] as const).filter((k) => wanted.includes(k));
}

/**
 * Counts the QoS 1 messages on `topicName` that client `clientId` has
 * acknowledged through the embedded broker. mqtt.js emits `message` before it
 * sends the PUBACK, so a count that grew means the client has handled them: a
 * marker for "the box has read this heartbeat" that needs no sleep.
 */
export function acksFrom(aedes: Aedes, clientId: string, topicName: string): { readonly count: number; stop(): void } {
  let count = 0;
  const onAck = (packet: PublishPacket | PubrelPacket, client: Client): void => {
    if (client?.id === clientId && packet && 'topic' in packet && packet.topic === topicName) count += 1;
  };
  aedes.on('ack', onAck);
  return {
    get count() {
      return count;
    },
    stop: () => void aedes.removeListener('ack', onAck),
  };
}
