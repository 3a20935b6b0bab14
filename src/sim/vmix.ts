/**
 * A vMix TCP API emulator (port 8099) for tests and `relais sim vmix`: the
 * `VERSION OK` greeting, `SUBSCRIBE TALLY` / `UNSUBSCRIBE TALLY`, `TALLY`, and
 * `FUNCTION PreviewInput Input=<n>` / `FUNCTION Cut` / `FUNCTION CutDirect
 * Input=<n>` to drive it. Faults for transcripts: drop every client, go mute
 * (a half-open link), send raw bytes.
 */
import net from 'node:net';
import { formatVmixTally } from '../tally/vmix-framer.js';

export interface VmixEmulatorOptions {
  port?: number;
  host?: string;
  /** Number of inputs. Default 4. */
  inputs?: number;
}

interface Client {
  socket: net.Socket;
  subscribed: boolean;
  buffer: string;
}

export class VmixEmulator {
  private server: net.Server | null = null;
  private readonly clients = new Set<Client>();
  private readonly inputCount: number;
  program = 1;
  preview = 2;
  /** While true, nothing is answered or pushed (a vMix frozen behind an open socket). */
  mute = false;
  /** Commands received, newest last (bounded). */
  readonly received: string[] = [];

  constructor(private readonly options: VmixEmulatorOptions = {}) {
    this.inputCount = options.inputs ?? 4;
  }

  get address(): { host: string; port: number } {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('vMix emulator not listening');
    return { host: a.address, port: a.port };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Puts an input on program (a cut); the old program does not go to preview. */
  cut(input: number): void {
    this.program = input;
    this.pushTally();
  }

  setPreview(input: number): void {
    this.preview = input;
    this.pushTally();
  }

  tallyLine(): string {
    const states = Array.from({ length: this.inputCount }, (_, i) => (i + 1 === this.program ? 1 : i + 1 === this.preview ? 2 : 0));
    return formatVmixTally(states);
  }

  /** Writes raw bytes to every client (garbage, partial lines). */
  sendRaw(bytes: string | Uint8Array): void {
    for (const c of this.clients) c.socket.write(bytes);
  }

  /** Closes every client's socket, as vMix does when it quits. */
  dropClients(): void {
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
  }

  async stop(): Promise<void> {
    this.dropClients();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const client: Client = { socket, subscribed: false, buffer: '' };
    this.clients.add(client);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.clients.delete(client));
    socket.on('data', (chunk) => {
      client.buffer += chunk.toString('latin1');
      for (let end = client.buffer.indexOf('\r\n'); end >= 0; end = client.buffer.indexOf('\r\n')) {
        const line = client.buffer.slice(0, end);
        client.buffer = client.buffer.slice(end + 2);
        this.command(client, line);
      }
    });
    socket.write('VERSION OK 27.0.0.49\r\n');
  }

  private command(client: Client, line: string): void {
    this.received.push(line);
    if (this.received.length > 1000) this.received.shift();
    if (this.mute) return;
    const reply = (text: string): void => void client.socket.write(text);
    const [verb, ...args] = line.split(' ');
    const arg = args.join(' ');
    switch (verb) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        if (arg !== 'TALLY' && arg !== 'ACTS') return reply(`${verb} ER Unknown subscription\r\n`);
        client.subscribed = verb === 'SUBSCRIBE';
        return reply(`${verb} OK ${arg}\r\n`);
      case 'TALLY':
        return reply(this.tallyLine());
      case 'FUNCTION':
        return this.runFunction(client, arg);
      default:
        return reply(`${verb} ER Unknown command\r\n`);
    }
  }

  private runFunction(client: Client, arg: string): void {
    const m = /^(\w+)(?: Input=(\d+))?$/.exec(arg);
    const input = m?.[2] ? Number(m[2]) : null;
    if (m?.[1] === 'Cut') {
      [this.program, this.preview] = [this.preview, this.program];
    } else if (m?.[1] === 'PreviewInput' && input) {
      this.preview = input;
    } else if (m?.[1] === 'CutDirect' && input) {
      this.program = input;
    } else {
      client.socket.write(`FUNCTION ER Unknown function\r\n`);
      return;
    }
    client.socket.write('FUNCTION OK Completed\r\n');
    this.pushTally();
  }

  private pushTally(): void {
    if (this.mute) return;
    const line = this.tallyLine();
    for (const c of this.clients) if (c.subscribed) c.socket.write(line);
  }
}
