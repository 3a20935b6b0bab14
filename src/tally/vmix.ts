/**
 * vMix over its TCP API: subscribes to tally, asks for it again every
 * `pollMs` as a heartbeat, and drops a link that stays silent for three
 * heartbeats, so a vMix restarted behind a half-open socket is redialled
 * instead of waited on forever.
 */
import { BaseSource } from './base-source.js';
import { t } from '../i18n/index.js';
import { Redialer, type OpenLink } from './redial.js';
import { realSourceTimers, errorText, type SourceTimers } from './source.js';
import { dialTcp, type TcpLink } from './tcp.js';
import { VmixFramer, parseVmixTally, type VmixMessage } from './vmix-framer.js';
import type { RetryDelays } from '../hardware/reconnect.js';

export interface VmixSourceOptions {
  host: string;
  port?: number;
  /** Heartbeat period; three without an answer drop the link. */
  pollMs?: number;
  connectTimeoutMs?: number;
  reconnect?: RetryDelays;
  timers?: SourceTimers;
}

export const VMIX_PORT = 8099;

export class VmixSource extends BaseSource {
  readonly kind = 'vmix' as const;
  readonly describe: string;
  private readonly redial: Redialer;
  private link: TcpLink | null = null;
  private heartbeat: unknown = null;
  private lastHeard = 0;

  constructor(private readonly options: VmixSourceOptions) {
    super(options.timers ?? realSourceTimers);
    const port = options.port ?? VMIX_PORT;
    this.describe = `vmix ${options.host}:${port}`;
    this.redial = new Redialer({
      ...(options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 10_000 }),
      timers: this.timers,
      dial: () => this.dial(options.host, port),
    });
    this.redial.on('up', () => this.connected());
    this.redial.on('down', (error) => {
      this.stopHeartbeat();
      this.link = null;
      this.disconnected(error);
    });
  }

  start(): void {
    this.redial.start();
  }

  async stop(): Promise<void> {
    this.stopHeartbeat();
    this.redial.stop();
    this.link = null;
  }

  private async dial(host: string, port: number): Promise<OpenLink> {
    const framer = new VmixFramer();
    const link = await dialTcp(host, port, this.options.connectTimeoutMs ?? 3000, (chunk) => {
      let tallies: Array<ReturnType<typeof parseVmixTally>>;
      try {
        tallies = framer.push(chunk).map((m) => this.handle(m)).filter((t) => t !== null);
      } catch (err) {
        // Garbage: this is not (or no longer) a vMix we understand; drop and redial.
        link.closeWith(new Error(errorText(err)));
        return;
      }
      // Outside the parse: a listener's own failure must not pass for garbage from vMix.
      for (const inputs of tallies) this.publish({ inputs });
    });
    this.link = link;
    link.write('SUBSCRIBE TALLY\r\n');
    link.write('TALLY\r\n');
    this.lastHeard = this.timers.now();
    this.armHeartbeat();
    return link;
  }

  /** The inputs of a tally answer (throws on a bad one), or null for any other message. */
  private handle(message: VmixMessage): ReturnType<typeof parseVmixTally> | null {
    this.lastHeard = this.timers.now();
    if (message.command !== 'TALLY') return null;
    if (message.status === 'ER') {
      this.disconnected(t('switcher.vmixRefused', { reason: message.rest }));
      return null;
    }
    if (message.status !== 'OK') return null;
    const inputs = parseVmixTally(message.rest);
    this.redial.healthy();
    this.connected();
    return inputs;
  }

  private armHeartbeat(): void {
    const every = this.options.pollMs ?? 2000;
    this.heartbeat = this.timers.setTimeout(() => {
      this.heartbeat = null;
      if (!this.link) return;
      if (this.timers.now() - this.lastHeard >= 3 * every) {
        this.link.closeWith(new Error(t('switcher.vmixSilent', { ms: 3 * every })));
        return;
      }
      this.link.write('TALLY\r\n');
      this.armHeartbeat();
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) this.timers.clearTimeout(this.heartbeat);
    this.heartbeat = null;
  }
}
