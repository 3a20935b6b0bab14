/**
 * TSL UMD out: sends display states (index, program, preview, text) to
 * multiviewers, TallyArbiter or a hardware tally system, over UDP and TCP
 * (TSL 5.0 with DLE/STX), on every change and again every `refreshMs` so a
 * receiver that restarts is right within one period. TCP destinations are
 * redialled with growing delays and get the full state on each connect.
 */
import dgram from 'node:dgram';
import { Redialer } from './redial.js';
import { realSourceTimers, type SourceTimers } from './source.js';
import { dialTcp, type TcpLink } from './tcp.js';
import { encodeTsl31 } from './tsl31.js';
import { encodeTsl5, stuffTsl5, type Tsl5Display } from './tsl5.js';
import type { RetryDelays } from '../hardware/reconnect.js';
import { t } from '../i18n/index.js';

export interface TslDestination {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** One display as sent: red for program, green for preview (program wins). */
export interface TslDisplayState {
  index: number;
  program: boolean;
  preview: boolean;
  label: string;
}

export interface TslSenderOptions {
  version: '3.1' | '5.0';
  destinations: TslDestination[];
  /** TSL 5.0 screen index. Default 0. */
  screen?: number;
  /** Full state resent this often (0: only on change). Default 1000. */
  refreshMs?: number;
  reconnect?: RetryDelays;
  timers?: SourceTimers;
}

/** The packets for a set of displays: one per display in 3.1, as few as fit in 5.0. */
export function tslPackets(version: '3.1' | '5.0', displays: readonly TslDisplayState[], screen = 0): Buffer[] {
  if (version === '3.1') {
    return displays.map((d) => encodeTsl31({ address: d.index, tally: [d.program, d.preview && !d.program, false, false], brightness: 3, text: d.label }));
  }
  const packets: Buffer[] = [];
  // 2048 bytes hold 16 displays with 16-character labels (UTF-16) comfortably.
  for (let i = 0; i < displays.length; i += 16) {
    packets.push(encodeTsl5({ screen, displays: displays.slice(i, i + 16).map(toTsl5) }));
  }
  return packets;
}

function toTsl5(d: TslDisplayState): Tsl5Display {
  const colour = d.program ? 'red' : d.preview ? 'green' : 'off';
  return { index: d.index, rh: colour, text: colour, lh: colour, brightness: 3, label: d.label.slice(0, 64) };
}

export class TslSender {
  private displays: TslDisplayState[] = [];
  private udp: dgram.Socket | null = null;
  private readonly links = new Map<Redialer, TcpLink | null>();
  private refresh: unknown = null;
  private readonly timers: SourceTimers;
  /** Send failures, newest last (bounded), for `state` and doctor. */
  readonly errors: string[] = [];

  constructor(private readonly options: TslSenderOptions) {
    this.timers = options.timers ?? realSourceTimers;
    if (options.version === '3.1' && options.destinations.some((d) => d.transport === 'tcp')) throw new Error(t('config.tally.tsl31Udp'));
  }

  start(): void {
    if (this.options.destinations.some((d) => d.transport === 'udp')) {
      this.udp = dgram.createSocket('udp4');
      this.udp.on('error', (err) => this.note(err.message));
    }
    for (const d of this.options.destinations.filter((x) => x.transport === 'tcp')) {
      const redial: Redialer = new Redialer({
        ...(this.options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 10_000 }),
        timers: this.timers,
        dial: async () => {
          const link = await dialTcp(d.host, d.port, 3000, () => {});
          this.links.set(redial, link);
          redial.healthy();
          for (const p of tslPackets('5.0', this.displays, this.options.screen)) link.write(stuffTsl5(p));
          return link;
        },
      });
      redial.on('down', (error) => {
        this.links.set(redial, null);
        this.note(`${d.host}:${d.port} : ${error}`);
      });
      this.links.set(redial, null);
      redial.start();
    }
    this.armRefresh();
  }

  /**
   * The displays to show now; sent at once if they changed. In 3.1 (a
   * datagram per display) only the displays that changed go at once, so a
   * cut is two datagrams whatever the size of the router; the refresh sends
   * them all.
   */
  set(displays: readonly TslDisplayState[]): void {
    const before = new Map(this.displays.map((d) => [d.index, d]));
    const changed = displays.filter((d) => !sameDisplay(before.get(d.index), d));
    const dropped = displays.length !== this.displays.length;
    this.displays = displays.map((d) => ({ ...d }));
    if (changed.length === 0 && !dropped) return;
    this.send(this.options.version === '3.1' && !dropped ? changed : this.displays);
  }

  /** Sends raw bytes to every destination as they are (emulator faults: garbage). */
  sendRaw(bytes: Uint8Array): void {
    for (const d of this.options.destinations) if (d.transport === 'udp') this.udp?.send(bytes, d.port, d.host);
    for (const link of this.links.values()) link?.write(bytes);
  }

  async stop(): Promise<void> {
    if (this.refresh !== null) this.timers.clearTimeout(this.refresh);
    this.refresh = null;
    for (const redial of this.links.keys()) redial.stop();
    this.links.clear();
    const udp = this.udp;
    this.udp = null;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
  }

  private send(displays: readonly TslDisplayState[] = this.displays): void {
    if (displays.length === 0) return;
    const packets = tslPackets(this.options.version, displays, this.options.screen);
    for (const d of this.options.destinations) {
      if (d.transport !== 'udp') continue;
      for (const p of packets) this.udp?.send(p, d.port, d.host, this.sent);
    }
    for (const link of this.links.values()) for (const p of packets) link?.write(stuffTsl5(p));
  }

  private armRefresh(): void {
    const every = this.options.refreshMs ?? 1000;
    if (every <= 0) return;
    this.refresh = this.timers.setTimeout(() => {
      this.send();
      this.armRefresh();
    }, every);
  }

  /** One callback for every datagram (none allocated per send): a failure names its destination. */
  private readonly sent = (err: Error | null): void => {
    if (err) this.note(err.message);
  };

  private note(error: string): void {
    this.errors.push(error);
    if (this.errors.length > 20) this.errors.shift();
  }
}

function sameDisplay(a: TslDisplayState | undefined, b: TslDisplayState): boolean {
  return a !== undefined && a.program === b.program && a.preview === b.preview && a.label === b.label;
}
