/**
 * The nemesis: one fault at a time, chosen by the PRNG, each healed within a
 * bound. Process faults: pause the primary (SIGSTOP longer than the lease,
 * then SIGCONT), kill -9 a conductor and start it again, cut or blackhole a
 * box or a conductor from the broker. Hostile messages: a retained floor with
 * epoch 2^53-1, a heartbeat from an unknown id five epochs ahead, a retained
 * `offline` will on `conductor/availability`, an intent on a 60 KB site name
 * and a control with an oversized id. A message is a fault that heals at once.
 */
import type { MqttClient } from 'mqtt';
import { SITES } from '../helpers/event.js';
import { topic, topicBase } from '../../src/protocol/topics.js';
import { CONDUCTORS, EVENT, TIMING, type Cluster, type ConductorId } from './cluster.js';
import { floorsOf } from './checker.js';
import type { History, MessageEntry, OpEntry } from './history.js';
import type { Prng } from './prng.js';

export const PROCESS_FAULTS = ['pause-primary', 'kill-conductor', 'partition-box', 'partition-conductor'] as const;
export const MESSAGE_FAULTS = ['forge-heartbeat', 'late-will', 'oversized', 'forge-floor'] as const;
export type FaultKind = (typeof PROCESS_FAULTS)[number] | (typeof MESSAGE_FAULTS)[number];

/** The id forged messages carry: no conductor of the run has it. */
export const FORGED_ID = 'intrus';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Nemesis {
  readonly counts = new Map<string, number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly history: History,
    private readonly prng: Prng,
    private readonly injector: MqttClient,
  ) {}

  private mark(op: string, phase: 'start' | 'heal', detail: Record<string, unknown> = {}): void {
    this.history.add<OpEntry>({ kind: 'op', actor: 'nemesis', op, phase, detail });
    if (phase === 'start') this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
  }

  /** The conductor whose heartbeat was heard last: the one boxes take for the primary. */
  primary(): ConductorId {
    const beats = this.history.entries.filter((e): e is MessageEntry => e.kind === 'msg' && e.name === 'conductorHeartbeat');
    for (let i = beats.length - 1; i >= 0; i--) {
      const who = (beats[i]!.payload as { conductor?: unknown }).conductor;
      if (who === 'alpha' || who === 'beta') return who;
    }
    return 'alpha';
  }

  private newestEpoch(): number {
    return floorsOf(this.history.entries).reduce((m, f) => (f.epoch > m && f.conductor !== FORGED_ID ? f.epoch : m), 0);
  }

  async run(kind: FaultKind): Promise<void> {
    const p = this.prng;
    const { leaseMs } = TIMING;
    switch (kind) {
      case 'pause-primary': {
        const target = this.primary();
        const proc = this.cluster.conductors.get(target)!;
        const ms = 2 * leaseMs + p.int(0, 1500);
        this.mark(kind, 'start', { target, ms });
        proc.signal('SIGSTOP');
        await sleep(ms);
        proc.signal('SIGCONT');
        this.mark(kind, 'heal', { target });
        return;
      }
      case 'kill-conductor': {
        const target = p.chance(0.6) ? this.primary() : p.pick(CONDUCTORS);
        const proc = this.cluster.conductors.get(target)!;
        const downMs = p.int(200, 2 * leaseMs);
        this.mark(kind, 'start', { target, downMs });
        await proc.kill('SIGKILL');
        await sleep(downMs);
        proc.start();
        this.mark(kind, 'heal', { target });
        return;
      }
      case 'partition-box':
      case 'partition-conductor': {
        const target = kind === 'partition-box' ? p.pick(SITES) : p.chance(0.6) ? this.primary() : p.pick(CONDUCTORS);
        const proxy = this.cluster.proxies.get(target)!;
        const mode = p.pick(['cut', 'blackhole'] as const);
        const ms = p.int(leaseMs / 2, 2 * leaseMs);
        const op = `partition-${mode}`;
        this.mark(op, 'start', { target, ms, of: kind });
        if (mode === 'cut') proxy.cut();
        else proxy.blackhole();
        await sleep(ms);
        proxy.heal();
        this.mark(op, 'heal', { target });
        return;
      }
      case 'forge-floor': {
        const floor = { epoch: Number.MAX_SAFE_INTEGER, onAir: p.pick(SITES), next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor: FORGED_ID, updatedAt: new Date().toISOString() };
        this.mark(kind, 'start', { epoch: floor.epoch, onAir: floor.onAir });
        await this.injector.publishAsync(topic(EVENT, 'floor'), JSON.stringify(floor), { qos: 1, retain: true });
        this.mark(kind, 'heal');
        return;
      }
      case 'forge-heartbeat': {
        const epoch = this.newestEpoch() + 5;
        this.mark(kind, 'start', { epoch });
        await this.injector.publishAsync(topic(EVENT, 'conductorHeartbeat'), JSON.stringify({ conductor: FORGED_ID, epoch, at: new Date().toISOString(), role: 'primary' }), { qos: 0 });
        this.mark(kind, 'heal');
        return;
      }
      case 'late-will': {
        this.mark(kind, 'start');
        await this.injector.publishAsync(topic(EVENT, 'conductorAvailability'), 'offline', { qos: 1, retain: true });
        this.mark(kind, 'heal');
        return;
      }
      case 'oversized': {
        const name = 'x'.repeat(60 * 1024);
        this.mark(kind, 'start', { siteNameBytes: name.length });
        await this.injector.publishAsync(`${topicBase(EVENT)}site/${name}/intent`, JSON.stringify({ id: `big-${p.int(0, 1e9)}`, action: 'request' }), { qos: 1 });
        await this.injector.publishAsync(topic(EVENT, 'control'), JSON.stringify({ id: 'i'.repeat(10_000), action: 'revoke' }), { qos: 1 });
        this.mark(kind, 'heal');
        return;
      }
    }
  }
}
