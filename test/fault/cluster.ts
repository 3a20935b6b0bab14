/**
 * The processes under test: a real Mosquitto, two conductors (`alpha`
 * primary, `beta` standby) and three boxes, each the built CLI
 * (`node dist/src/cli.js`) in its own process and each behind its own
 * FaultProxy to the broker. Configs go to a temp folder. Role changes the
 * conductors log go into the history.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { ROOT } from '../helpers/cli.js';
import { SITES } from '../helpers/event.js';
import type { History, RoleEntry } from './history.js';
import { FaultProxy } from './proxy.js';

export const EVENT = 'fault';
export const CONDUCTORS = ['alpha', 'beta'] as const;
export type ConductorId = (typeof CONDUCTORS)[number];

/** Short leases so that faults resolve in seconds; the config schema's knobs. */
export const TIMING = { heartbeatMs: 250, leaseMs: 1500, keepaliveSeconds: 2, reconnectMs: 200, stateIntervalMs: 1000 } as const;

const BUILT_CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** A process of the CLI that can be paused, killed and started again with the same arguments. */
class Proc {
  private child: ChildProcess | null = null;
  private tail = '';
  paused = false;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly onLine: (line: string) => void,
  ) {}

  start(): void {
    const child = spawn(process.execPath, [BUILT_CLI, ...this.args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const read = (d: Buffer): void => {
      const text = partial + d.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.tail = (this.tail + line + '\n').slice(-20_000);
        this.onLine(line);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    this.child = child;
    this.paused = false;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.child?.pid || !this.running) return;
    process.kill(this.child.pid, sig);
    this.paused = sig === 'SIGSTOP';
  }

  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise((r) => child.once('exit', r));
    if (this.paused) process.kill(child.pid!, 'SIGCONT');
    child.kill(sig);
    await gone;
    this.paused = false;
  }

  log(): string {
    return this.tail;
  }
}

export interface Cluster {
  broker: TestBroker;
  dir: string;
  proxies: Map<string, FaultProxy>;
  conductors: Map<ConductorId, Proc>;
  boxes: Map<string, Proc>;
  /** Every process's log tail, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

/** Which log lines say a conductor became primary or standby (today's wording). */
const ROLE_LINES: Array<[RegExp, RoleEntry['role']]> = [
  [/\] primary: /, 'primary'],
  [/standing by|stepping down|on se retire|starting as standby/, 'standby'],
];

export async function startCluster(history: History): Promise<Cluster> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (npm test does it)`);
  const broker = await startTestBroker('mosquitto');
  const dir = await mkdtemp(join(tmpdir(), 'relais-fault-'));
  const proxies = new Map<string, FaultProxy>();
  const conductors = new Map<ConductorId, Proc>();
  const boxes = new Map<string, Proc>();
  const all = (): Proc[] => [...conductors.values(), ...boxes.values()];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(all().map((p) => p.kill('SIGKILL')));
    await Promise.allSettled([...proxies.values()].map((p) => p.stop()));
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const proxyFor = async (name: string): Promise<string> => {
      const proxy = new FaultProxy(name, broker.port);
      await proxy.start();
      proxies.set(name, proxy);
      return `mqtt://127.0.0.1:${proxy.port}`;
    };
    const brokerYaml = (url: string): string => `broker: { url: "${url}", reconnectMs: ${TIMING.reconnectMs}, keepaliveSeconds: ${TIMING.keepaliveSeconds} }`;
    for (const id of CONDUCTORS) {
      const file = join(dir, `${id}.yaml`);
      await writeFile(file, [
        `event: ${EVENT}`,
        brokerYaml(await proxyFor(id)),
        `conductor: { id: ${id}, stateFile: "${join(dir, `${id}-state.json`)}", heartbeatMs: ${TIMING.heartbeatMs}, leaseMs: ${TIMING.leaseMs} }`,
        `sites: [${SITES.map((s) => `{ id: ${s} }`).join(', ')}]`,
        'rundown:',
        ...SITES.map((s, i) => `  - { title: Talk ${i + 1}, speaker: S${i + 1}, site: ${s}, minutes: 10 }`),
      ].join('\n') + '\n');
      const onLine = (line: string): void => {
        for (const [re, role] of ROLE_LINES) if (re.test(line)) history.add<RoleEntry>({ kind: 'role', conductor: id, role });
      };
      conductors.set(id, new Proc(id, ['conductor', '-c', file, ...(id === 'beta' ? ['--standby'] : [])], onLine));
    }
    for (const site of SITES) {
      const file = join(dir, `${site}.yaml`);
      await writeFile(file, [
        `event: ${EVENT}`,
        `site: ${site}`,
        brokerYaml(await proxyFor(site)),
        `link: { leaseMs: ${TIMING.leaseMs}, holdPressMs: 3000 }`,
        `stateIntervalMs: ${TIMING.stateIntervalMs}`,
      ].join('\n') + '\n');
      boxes.set(site, new Proc(site, ['appliance', '-c', file], () => undefined));
    }
    conductors.get('alpha')!.start();
    conductors.get('beta')!.start();
    for (const box of boxes.values()) box.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    broker,
    dir,
    proxies,
    conductors,
    boxes,
    logs: () => all().map((p) => `--- ${p.name}\n${p.log().split('\n').slice(-25).join('\n')}`).join('\n'),
    stop,
  };
}
