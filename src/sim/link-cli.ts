/**
 * `relais sim link`: a bad rural link on this machine, for rehearsals and
 * tests (this kernel has no netem). UDP and TCP proxies with delay, jitter,
 * loss, reordering and a bandwidth cap; the settings change while it runs,
 * from lines typed on its standard input (`loss=10`, `reset`, `show`) or from
 * a timed `--schedule`.
 */
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { nextSignal } from '../util/signals.js';
import { t } from '../i18n/index.js';
import { applySettingsLine, describeImpairment, parseImpairment, seededRandom, type LinkImpairment } from './link-model.js';
import { TcpLinkProxy, UdpLinkProxy } from './link-proxy.js';

/** One forwarded port: `9000:127.0.0.1:9001` listens on 9000 and forwards to 127.0.0.1:9001. */
export interface Forward {
  protocol: 'udp' | 'tcp';
  listenPort: number;
  targetHost: string;
  targetPort: number;
}

/** Parses `LISTEN:HOST:PORT` (or `LISTEN:PORT` for 127.0.0.1). */
export function parseForward(protocol: 'udp' | 'tcp', value: string): Forward {
  const parts = value.split(':');
  const [listen, host, port] = parts.length === 2 ? [parts[0], '127.0.0.1', parts[1]] : parts;
  const listenPort = Number(listen);
  const targetPort = Number(port);
  const ok = (n: number, min: number): boolean => Number.isInteger(n) && n >= min && n <= 65_535;
  if (parts.length < 2 || parts.length > 3 || !ok(listenPort, 0) || !ok(targetPort, 1) || !host) {
    throw new InvalidArgumentError(t('errors.simForward', { protocol, value }));
  }
  return { protocol, listenPort, targetHost: host, targetPort };
}

/** One step of a `--schedule`: at `atMs` after start, apply `line`. */
export interface ScheduleStep {
  atMs: number;
  line: string;
}

/** Parses `20:loss=10;40:loss=1` (seconds after start, then a settings line). */
export function parseSchedule(value: string): ScheduleStep[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((step) => {
      const match = /^(\d+(?:\.\d+)?)s?:(.+)$/.exec(step);
      if (!match) throw new InvalidArgumentError(t('errors.simScheduleStep', { step }));
      return { atMs: Number(match[1]) * 1000, line: match[2] ?? '' };
    });
}

type Proxy = UdpLinkProxy | TcpLinkProxy;

/** Running proxies that share one set of settings. */
export class SimLink {
  private current: LinkImpairment;

  constructor(
    readonly proxies: Proxy[],
    initial: LinkImpairment,
  ) {
    this.current = initial;
  }

  get settings(): LinkImpairment {
    return this.current;
  }

  set(next: LinkImpairment): void {
    this.current = next;
    for (const p of this.proxies) p.set(next);
  }

  /** Applies a typed line (`loss=10 delay=40`, `reset`); throws with a readable message on a bad one. */
  apply(line: string): LinkImpairment {
    this.set(applySettingsLine(this.current, line));
    return this.current;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.proxies.map((p) => p.stop()));
  }
}

/** Starts one proxy per forward with the same settings. */
export async function startSimLink(forwards: Forward[], impairment: LinkImpairment, seed?: number): Promise<SimLink> {
  const random = seed === undefined ? Math.random : seededRandom(seed);
  const proxies: Proxy[] = [];
  try {
    for (const f of forwards) {
      const options = { listenPort: f.listenPort, targetHost: f.targetHost, targetPort: f.targetPort, impairment, random };
      const proxy = f.protocol === 'udp' ? new UdpLinkProxy(options) : new TcpLinkProxy(options);
      await proxy.start();
      proxies.push(proxy);
    }
  } catch (err) {
    await Promise.allSettled(proxies.map((p) => p.stop()));
    throw err;
  }
  return new SimLink(proxies, impairment);
}

function num(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(t('errors.simNumber', { flag, value }));
    return n;
  };
}

function collect(protocol: 'udp' | 'tcp') {
  return (value: string, previous: Forward[] = []): Forward[] => [...previous, parseForward(protocol, value)];
}

interface LinkFlags {
  udp?: Forward[];
  tcp?: Forward[];
  delay?: number;
  jitter?: number;
  loss?: number;
  reorder?: number;
  rate?: number;
  queue?: number;
  seed?: number;
  schedule?: ScheduleStep[];
}

/** Adds `sim link` to the program. */
export function registerSimLinkCommand(program: Command): void {
  const sim = program.commands.find((c) => c.name() === 'sim') ?? program.command('sim').description(t('help.sim.description'));
  sim
    .command('link')
    .description(t('help.sim.link'))
    .option('--udp <listen:host:port>', t('help.sim.forwardUdp'), collect('udp'))
    .option('--tcp <listen:host:port>', t('help.sim.forwardTcp'), collect('tcp'))
    .option('--delay <ms>', t('help.sim.delay'), num('--delay'))
    .option('--jitter <ms>', t('help.sim.jitter'), num('--jitter'))
    .option('--loss <percent>', t('help.sim.loss'), num('--loss'))
    .option('--reorder <percent>', t('help.sim.reorder'), num('--reorder'))
    .option('--rate <kbps>', t('help.sim.rate'), num('--rate'))
    .option('--queue <ms>', t('help.sim.queue'), num('--queue'))
    .option('--seed <n>', t('help.sim.seed'), num('--seed'))
    .option('--schedule <steps>', t('help.sim.schedule'), parseSchedule)
    .action(async (flags: LinkFlags, cmd: Command) => {
      // Listen for Ctrl-C before starting, so an early one still stops cleanly.
      const stopped = nextSignal();
      const forwards = [...(flags.udp ?? []), ...(flags.tcp ?? [])];
      if (forwards.length === 0) cmd.error(`relais sim link: ${t('errors.simNoForward')}`, { exitCode: 2 });
      let link: SimLink;
      try {
        const impairment = parseImpairment({
          ...(flags.delay !== undefined ? { delayMs: flags.delay } : {}),
          ...(flags.jitter !== undefined ? { jitterMs: flags.jitter } : {}),
          ...(flags.loss !== undefined ? { lossPercent: flags.loss } : {}),
          ...(flags.reorder !== undefined ? { reorderPercent: flags.reorder } : {}),
          ...(flags.rate !== undefined ? { rateKbps: flags.rate } : {}),
          ...(flags.queue !== undefined ? { queueMs: flags.queue } : {}),
        });
        link = await startSimLink(forwards, impairment, flags.seed);
      } catch (err) {
        cmd.error(`relais sim link: ${(err as Error).message}`, { exitCode: 2 });
      }
      const say = (line: string): boolean => process.stdout.write(`${line}\n`);
      link.proxies.forEach((p, i) => {
        const f = forwards[i];
        if (f) say(t('tools.simLinkForward', { protocol: f.protocol, port: p.port, target: `${f.targetHost}:${f.targetPort}` }));
      });
      say(t('tools.simLinkSettings', { settings: describeImpairment(link.settings) }));
      const timers = (flags.schedule ?? []).map((step) =>
        setTimeout(() => {
          try {
            say(t('tools.simLinkScheduled', { settings: describeImpairment(link.apply(step.line)), s: step.atMs / 1000 }));
          } catch (err) {
            say(t('tools.simLinkScheduleFailed', { reason: (err as Error).message }));
          }
        }, step.atMs),
      );
      const input = createInterface({ input: process.stdin, terminal: false });
      input.on('line', (line) => {
        const text = line.trim();
        if (!text) return;
        if (text === 'show') {
          link.proxies.forEach((p, i) => say(`${forwards[i]?.protocol ?? ''} ${p.port}: ${JSON.stringify(p.counters())}`));
          return;
        }
        try {
          say(t('tools.simLinkSettings', { settings: describeImpairment(link.apply(text)) }));
        } catch (err) {
          say((err as Error).message);
        }
      });
      say(t('tools.simLinkRunning'));
      await stopped;
      for (const t of timers) clearTimeout(t);
      input.close();
      await link.stop();
      say(t('tools.simLinkStopped'));
    });
}
