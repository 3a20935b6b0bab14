/**
 * Blackmagic ATEM over its UDP protocol (port 9910), through atem-connection:
 * one connection per box (an ATEM Mini takes 5 clients in all). Tally comes
 * from the switcher's own "tally by source" (TlSr), so upstream keys,
 * downstream keys and SuperSource boxes count as program exactly where the
 * switcher says so; input names come from its input properties.
 *
 * atem-connection redials by itself at a fixed pace (a hello each second
 * once the switcher has been silent 5 s, for ever). relais drives the redial
 * instead: an attempt lasts `handshakeMs`; when no session came up, the
 * library is disconnected (its hellos stop), a hand-made handshake
 * ({@link probeAtem}) finds out why for the connection error, and the next
 * attempt waits a delay that doubles up to a cap, back to the first once a
 * session comes up. A switcher that is off for the night is not hammered.
 */
import { createRequire } from 'node:module';
import { BasicAtem, Commands } from 'atem-connection';
import { BaseSource } from './base-source.js';
import { realSourceTimers, type InputTally, type SourceTimers } from './source.js';
import { atemTrouble, probeAtem } from './atem-probe.js';
import { nextRetryDelay, type RetryDelays } from '../hardware/reconnect.js';

export const ATEM_PORT = 9910;

export interface AtemSourceOptions {
  host: string;
  port?: number;
  /** No session this long after a dial or a drop: stop dialling, probe and report why. Default 6000 ms. */
  handshakeMs?: number;
  /** Wait between attempts: doubled after each one that fails, up to the cap. Default 1 s, 30 s. */
  reconnect?: RetryDelays;
  timers?: SourceTimers;
}

export const ATEM_RECONNECT: Readonly<RetryDelays> = { initialDelayMs: 1000, maxDelayMs: 30_000 };

export class AtemSource extends BaseSource {
  readonly kind = 'atem' as const;
  readonly describe: string;
  private atem: BasicAtem | null = null;
  private tally: Commands.TallyBySourceCommand['properties'] | null = null;
  private watchdog: unknown = null;
  private redial: unknown = null;
  /** Set while relais has paused the library between attempts: its `disconnected` is ours. */
  private pausing = false;
  private delay: number;
  private readonly delays: RetryDelays;
  private readonly port: number;

  constructor(private readonly options: AtemSourceOptions) {
    super(options.timers ?? realSourceTimers);
    this.port = options.port ?? ATEM_PORT;
    this.describe = `atem ${options.host}:${this.port}`;
    this.delays = options.reconnect ?? ATEM_RECONNECT;
    this.delay = this.delays.initialDelayMs;
  }

  /** The wait before the next attempt if this one fails (tests, `relais tally watch`). */
  get nextDelayMs(): number {
    return this.delay;
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
      this.delay = this.delays.initialDelayMs;
      this.connected();
      this.report();
    });
    atem.on('disconnected', () => {
      this.tally = null; // the next session brings its own dump: nothing stale survives
      if (this.pausing) return;
      this.disconnected(`lien perdu avec l'ATEM ${this.options.host}:${this.port} (muet depuis 5 s) ; nouvel essai`);
      this.arm();
    });
    atem.on('error', () => {}); // protocol noise; the connection state says what matters
    this.dial();
  }

  private dial(): void {
    const atem = this.atem;
    if (!atem) return;
    this.pausing = false;
    void atem.connect(this.options.host, this.port).then(dropExitHookSignals, (err: unknown) => {
      if (this.atem === atem) this.disconnected(String(err));
    });
    this.arm();
  }

  async stop(): Promise<void> {
    this.disarm();
    if (this.redial !== null) this.timers.clearTimeout(this.redial);
    this.redial = null;
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

  /** One attempt's window: no session by its end, and the library is paused until the next attempt. */
  private arm(): void {
    this.disarm();
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null;
      const atem = this.atem;
      if (!atem || atem.status === 2) return;
      this.pausing = true;
      void atem.disconnect().catch(() => {});
      const wait = this.delay;
      this.delay = nextRetryDelay(this.delay, this.delays.maxDelayMs);
      this.redial = this.timers.setTimeout(() => {
        this.redial = null;
        this.dial();
      }, wait);
      void probeAtem(this.options.host, this.port).then((result) => {
        if (this.atem === atem && atem.status !== 2) this.disconnected(atemTrouble(result, this.options.host, this.port));
      }, () => {});
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

/**
 * atem-connection hosts its socket with `threadedclass`, whose manager, in its
 * default AUTO mode, takes over SIGINT, SIGTERM, `exit`, `uncaughtException`
 * and `unhandledRejection` as soon as a process already listens to all three
 * of the last (a test runner does; a supervised service may): it then answers
 * any of them with `process.exit()`, status 0, so a crash would look like a
 * clean stop to systemd and a test run would end half-way as a success. relais
 * handles its own signals and errors: the manager is told not to (the instance
 * atem-connection itself loads, found from its own folder).
 */
export function keepExitHandlersOurs(): void {
  const fromAtem = createRequire(createRequire(import.meta.url).resolve('atem-connection'));
  const threaded = fromAtem('threadedclass') as { ThreadedClassManager: { handleExit: number }; RegisterExitHandlers: { NO: number } };
  threaded.ThreadedClassManager.handleExit = threaded.RegisterExitHandlers.NO;
}
keepExitHandlersOurs();

