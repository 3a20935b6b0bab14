/**
 * Blackmagic ATEM over its UDP protocol (port 9910), through atem-connection:
 * one connection per box (an ATEM Mini takes 5 clients in all). Tally comes
 * from the switcher's own "tally by source" (TlSr), so upstream keys,
 * downstream keys and SuperSource boxes count as program exactly where the
 * switcher says so; input names come from its input properties.
 *
 * atem-connection redials by itself (a hello each second once the switcher
 * has been silent 5 s). When no session comes up, a hand-made handshake
 * ({@link probeAtem}) finds out why, for the connection error.
 */
import { BasicAtem, Commands } from 'atem-connection';
import { BaseSource } from './base-source.js';
import { realSourceTimers, type InputTally, type SourceTimers } from './source.js';
import { atemTrouble, probeAtem } from './atem-probe.js';

export const ATEM_PORT = 9910;

export interface AtemSourceOptions {
  host: string;
  port?: number;
  /** No session this long after a dial or a drop: probe and report why. Default 6000 ms. */
  handshakeMs?: number;
  timers?: SourceTimers;
}

export class AtemSource extends BaseSource {
  readonly kind = 'atem' as const;
  readonly describe: string;
  private atem: BasicAtem | null = null;
  private tally: Commands.TallyBySourceCommand['properties'] | null = null;
  private watchdog: unknown = null;
  private readonly port: number;

  constructor(private readonly options: AtemSourceOptions) {
    super(options.timers ?? realSourceTimers);
    this.port = options.port ?? ATEM_PORT;
    this.describe = `atem ${options.host}:${this.port}`;
  }

  start(): void {
    if (this.atem) return;
    // In-process socket: a worker thread per box buys nothing for a tally reader.
    const atem = new BasicAtem({ disableMultithreaded: true });
    this.atem = atem;
    atem.on('receivedCommands', (commands) => {
      for (const c of commands) if (c instanceof Commands.TallyBySourceCommand) this.tally = c.properties;
      if (atem.status === 2 && commands.some((c) => c instanceof Commands.TallyBySourceCommand)) this.report();
    });
    atem.on('stateChanged', (_state, paths) => {
      if (paths.some((p) => p.startsWith('inputs.'))) this.report();
    });
    atem.on('connected', () => {
      this.disarm();
      this.connected();
      this.report();
    });
    atem.on('disconnected', () => {
      this.tally = null; // the next session brings its own dump: nothing stale survives
      this.disconnected(`lien perdu avec l'ATEM ${this.options.host}:${this.port} (muet depuis 5 s) ; nouvel essai`);
      this.arm();
    });
    atem.on('error', () => {}); // protocol noise; the connection state says what matters
    void atem.connect(this.options.host, this.port).then(dropExitHookSignals, (err: unknown) => this.disconnected(String(err)));
    this.arm();
  }

  async stop(): Promise<void> {
    this.disarm();
    const atem = this.atem;
    this.atem = null;
    if (atem) {
      atem.removeAllListeners();
      await atem.destroy().catch(() => {});
    }
  }

  private report(): void {
    if (!this.tally || !this.atem) return;
    const inputs = this.atem.state?.inputs ?? {};
    const list: InputTally[] = [];
    for (const [id, t] of Object.entries(this.tally)) {
      if (!t) continue;
      const name = inputs[Number(id)]?.longName;
      list.push({ id, ...(name ? { name } : {}), program: t.program, preview: t.preview });
    }
    this.publish({ inputs: list });
  }

  private arm(): void {
    this.disarm();
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null;
      if (!this.atem || this.atem.status === 2) return;
      void probeAtem(this.options.host, this.port).then((result) => {
        if (this.atem && this.atem.status !== 2) this.disconnected(atemTrouble(result, this.options.host, this.port));
        if (this.atem && this.atem.status !== 2) this.arm();
      }, () => this.arm());
    }, this.options.handshakeMs ?? 6000);
  }

  private disarm(): void {
    if (this.watchdog !== null) this.timers.clearTimeout(this.watchdog);
    this.watchdog = null;
  }
}

/**
 * atem-connection registers the `exit-hook` package on its first connect,
 * which answers SIGINT and SIGTERM with `process.exit()` at once: the box
 * would stop without saying `offline` or putting its lamps out, and systemd's
 * stop would not be graceful. relais stops every feature itself (stop() above
 * destroys the socket), so those two listeners are taken off again; they are
 * known by the name of the bound function exit-hook 2.x adds.
 */
function dropExitHookSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) if (listener.name === 'bound exit') process.off(signal, listener as () => void);
  }
}
