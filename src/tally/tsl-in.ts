/**
 * TSL UMD in (3.1 or 5.0), as a display would receive it: relais listens on
 * UDP and/or TCP and the multiviewer, router or switcher sends to it. Each
 * packet updates one display (an index); the snapshot is every display heard.
 * "Connected" means a valid packet within `silenceMs` (UDP has no link to
 * watch) or, over TCP, a sender still connected.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { BaseSource } from './base-source.js';
import { t } from '../i18n/index.js';
import { errorText, realSourceTimers, type InputTally, type SourceTimers } from './source.js';
import { decodeTsl31 } from './tsl31.js';
import { decodeTsl5, Tsl5StreamFramer, type Tsl5Colour } from './tsl5.js';

export interface TslSourceOptions {
  version: '3.1' | '5.0';
  host?: string;
  udpPort?: number;
  /** TSL 5.0 only: TCP with DLE/STX framing. */
  tcpPort?: number;
  /** No valid packet for this long: not connected (0: never, for senders that only send on change). */
  silenceMs?: number;
  /** TSL 3.1: which of the four tally bits is program, which preview (1-4). Default 1 and 2. */
  programTally?: number;
  previewTally?: number;
  timers?: SourceTimers;
}

const isRed = (c: Tsl5Colour): boolean => c === 'red' || c === 'amber';
const isGreen = (c: Tsl5Colour): boolean => c === 'green' || c === 'amber';

export class TslSource extends BaseSource {
  readonly kind: 'tsl31' | 'tsl5';
  readonly describe: string;
  private readonly displays = new Map<number, InputTally>();
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly senders = new Set<net.Socket>();
  private silence: unknown = null;
  /** When the last packet came (timers.now()), for the silence window. */
  private heardAt = 0;
  /** Packets refused as not TSL of this version. */
  garbage = 0;

  constructor(private readonly options: TslSourceOptions) {
    super(options.timers ?? realSourceTimers);
    this.kind = options.version === '3.1' ? 'tsl31' : 'tsl5';
    if (options.tcpPort !== undefined && options.version !== '5.0') throw new Error(t('config.tally.tsl31Udp'));
    const host = options.host ?? '0.0.0.0';
    this.describe = [`tsl ${options.version}`, options.udpPort !== undefined ? `udp ${host}:${options.udpPort}` : '', options.tcpPort !== undefined ? `tcp ${host}:${options.tcpPort}` : ''].filter(Boolean).join(' ');
  }

  /** Where the sockets listen (ports chosen by the system when configured as 0). */
  ports(): { udp: number | null; tcp: number | null } {
    const tcp = this.tcp?.address();
    return { udp: this.udp?.address().port ?? null, tcp: tcp && typeof tcp !== 'string' ? tcp.port : null };
  }

  start(): void {
    void this.listen().catch((err: unknown) => this.disconnected(t('switcher.tslListen', { reason: errorText(err) })));
  }

  /** Resolves once the sockets listen; `start()` without waiting reports a failure as the connection error. */
  async listen(): Promise<void> {
    const host = this.options.host ?? '0.0.0.0';
    if (this.options.udpPort !== undefined) {
      const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      this.udp = udp;
      udp.on('message', (msg) => this.packet(msg, null));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.options.udpPort, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    }
    if (this.options.tcpPort !== undefined) {
      const tcp = net.createServer((socket) => this.sender(socket));
      this.tcp = tcp;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(this.options.tcpPort, host, () => resolve());
      });
    }
    this.disconnected(t('switcher.tslNothing'));
  }

  async stop(): Promise<void> {
    if (this.silence !== null) this.timers.clearTimeout(this.silence);
    this.silence = null;
    for (const s of this.senders) s.destroy();
    this.senders.clear();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = null;
    this.tcp = null;
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : null,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : null,
    ]);
  }

  private sender(socket: net.Socket): void {
    this.senders.add(socket);
    const framer = new Tsl5StreamFramer();
    socket.on('data', (chunk) => {
      try {
        for (const packet of framer.push(chunk)) this.packet(packet, socket);
      } catch (err) {
        this.refuse(errorText(err));
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.senders.delete(socket);
      if (this.senders.size === 0 && this.tcp && !this.udp) this.disconnected(t('switcher.tslTcpClosed'));
    });
  }

  private packet(bytes: Buffer, socket: net.Socket | null): void {
    let changed: InputTally[];
    try {
      changed = this.decode(bytes);
    } catch (err) {
      this.refuse(errorText(err));
      socket?.destroy();
      return;
    }
    for (const d of changed) this.displays.set(Number(d.id), d);
    this.connected();
    this.armSilence();
    this.publish({ inputs: [...this.displays.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d) });
  }

  private decode(bytes: Buffer): InputTally[] {
    if (this.options.version === '3.1') {
      const program = (this.options.programTally ?? 1) - 1;
      const preview = (this.options.previewTally ?? 2) - 1;
      return decodeTsl31(bytes).map((d) => ({ id: String(d.address), name: d.text, program: d.tally[program]!, preview: d.tally[preview]! }));
    }
    return decodeTsl5(bytes).displays.filter((d) => d.index !== 0xffff).map((d) => ({
      id: String(d.index),
      name: d.label,
      program: isRed(d.rh) || isRed(d.lh) || isRed(d.text),
      preview: isGreen(d.rh) || isGreen(d.lh) || isGreen(d.text),
    }));
  }

  /** Garbage: counted; it only becomes the connection error while nothing valid is heard. */
  private refuse(why: string): void {
    this.garbage += 1;
    if (!this.connection().connected) this.disconnected(why);
  }

  /**
   * The silence window, without a timer per packet: the time of the last one
   * is noted, and the one timer, when it fires early, waits out the rest.
   */
  private armSilence(): void {
    const silenceMs = this.options.silenceMs ?? 10_000;
    if (silenceMs <= 0 || (this.tcp && !this.udp)) return;
    this.heardAt = this.timers.now();
    if (this.silence !== null) return;
    const wait = (ms: number): void => {
      this.silence = this.timers.setTimeout(() => {
        this.silence = null;
        const quiet = this.timers.now() - this.heardAt;
        if (quiet < silenceMs) wait(silenceMs - quiet);
        else this.disconnected(t('switcher.tslSilent', { ms: silenceMs }));
      }, ms);
    };
    wait(silenceMs);
  }

}
