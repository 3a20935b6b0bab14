/**
 * The conductor: the floor's only writer. It applies intents and controls to
 * the pure floor machine, saves the new state, then publishes it. A second
 * conductor started as standby follows the floor and takes over when the
 * primary goes offline or its heartbeat is older than the lease; epochs fence
 * a primary that comes back.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { MqttClient } from 'mqtt';
import type { ConductorConfig } from '../config/schema.js';
import { bumpEpoch, floorView, initialFloorState, step, stateFromFloor, type FloorCommand, type FloorRules, type FloorState } from '../floor/machine.js';
import { connectBroker } from '../mqtt/connect.js';
import { SubscriptionKeeper } from '../mqtt/subscriptions.js';
import type { ConductorState, EventResult, Floor, Heartbeat, RundownList } from '../protocol/schemas.js';
import { encode, publishOptions, routeMessage, topic, topicFilter, type PayloadOf, type TopicHandlers, type TopicName } from '../protocol/topics.js';
import { createLogger, type Logger } from '../util/log.js';
import { StateStore, StateFileError } from './store.js';

/** How long the conductor waits for a broker's acknowledgement before going on. */
const PUBLISH_ACK_WAIT_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type ConductorRole = 'primary' | 'standby';

export interface ConductorOptions {
  config: ConductorConfig;
  /** Start as a standby that waits for the primary to fail. */
  standby?: boolean;
  log?: Logger;
  now?: () => number;
}

export interface ConductorEvents {
  role: [role: ConductorRole];
  floor: [floor: Floor];
  result: [result: EventResult];
}

export function rulesFromConfig(config: ConductorConfig): FloorRules {
  return {
    sites: config.sites.map((s) => s.id),
    rundown: config.rundown.map((r) => ({ title: r.title, speaker: r.speaker, site: r.site, plannedMinutes: r.minutes })),
    autoGrant: config.conductor.autoGrant,
    nextPolicy: config.conductor.nextPolicy,
    idWindow: config.conductor.idWindow,
  };
}

export class Conductor extends EventEmitter<ConductorEvents> {
  readonly id: string;
  readonly rules: FloorRules;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly store: StateStore;
  private client: MqttClient | null = null;
  private state: FloorState = initialFloorState();
  private currentRole: ConductorRole;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private subscriptions: SubscriptionKeeper | null = null;
  private lastRepublishAt = -Infinity;
  private floorChangedAt = -Infinity;
  private leaseTimer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Newest floor seen on the broker (ours or another conductor's). */
  private lastFloor: Floor | null = null;
  private lastOtherSeenAt = 0;
  private otherOffline = false;
  private otherHeartbeatSeen = false;
  private readonly startedAt = new Date().toISOString();
  readonly counters = { badPayloads: 0, accepted: 0, rejected: 0, duplicates: 0 };

  constructor(private readonly options: ConductorOptions) {
    super();
    const { config } = options;
    this.id = config.conductor.id ?? hostname();
    this.rules = rulesFromConfig(config);
    this.log = options.log ?? createLogger(`conductor:${this.id}`);
    this.now = options.now ?? Date.now;
    this.store = new StateStore(config.conductor.stateFile, config.event);
    this.currentRole = options.standby ? 'standby' : 'primary';
  }

  get role(): ConductorRole {
    return this.currentRole;
  }

  get epoch(): number {
    return this.state.epoch;
  }

  floor(): Floor {
    return floorView(this.state, this.rules, this.id, this.now());
  }

  private get event(): string {
    return this.options.config.event;
  }

  async start(): Promise<void> {
    let saved: FloorState | null = null;
    try {
      saved = await this.store.load();
    } catch (err) {
      if (!(err instanceof StateFileError)) throw err;
      this.log.error(err.message);
      throw err;
    }
    if (saved) this.state = saved;
    this.lastOtherSeenAt = this.now();
    await this.connect(this.currentRole === 'primary');
    // Retained floor and availability arrive right after the subscription; give them a moment.
    await sleep(300);
    if (this.currentRole === 'primary') {
      const other = this.lastFloor && this.lastFloor.conductor !== this.id ? this.lastFloor : null;
      if (other && !this.otherOffline) {
        // Another conductor published the floor: if it is alive, its heartbeat comes soon.
        const deadline = this.now() + 2 * this.options.config.conductor.heartbeatMs + 200;
        while (!this.otherHeartbeatSeen && this.now() < deadline) await sleep(50);
      }
      if (this.otherHeartbeatSeen) {
        this.log.warn('another conductor is alive and holds the floor: starting as standby', { other: this.lastFloor?.conductor ?? '?', epoch: this.lastFloor?.epoch ?? 0 });
        await this.becomeStandby();
      } else {
        await this.becomePrimary(saved ? 'resumed from the state file' : 'started');
      }
    } else {
      this.startLeaseWatch();
      this.log.info('standing by', { lease: this.options.config.conductor.leaseMs });
      this.emit('role', 'standby');
    }
  }

  private async connect(withWill: boolean): Promise<void> {
    const old = this.client;
    this.client = null;
    this.subscriptions?.stop();
    this.subscriptions = null;
    // A clean DISCONNECT discards the old connection's Last Will; a forced close would
    // publish "offline" and make a standby (or ourselves) think the primary died.
    if (old) await Promise.race([old.endAsync(false).catch(() => undefined), sleep(2000).then(() => old.end(true))]);
    const client = connectBroker(this.options.config.broker, {
      clientId: `relais-conductor-${this.event}-${this.id}`.slice(0, 120),
      persistentSession: true,
      will: withWill
        ? { topic: topic(this.event, 'conductorAvailability'), payload: 'offline', retain: true, qos: 1 }
        : undefined,
    });
    this.client = client;
    client.on('message', (t, payload) => this.onMessage(t, payload));
    client.on('error', (err) => this.log.warn('broker error', { error: err.message }));
    client.on('offline', () => this.log.warn('broker link down; retrying'));
    client.on('connect', () => {
      this.log.info('connected to the broker', { url: this.options.config.broker.url });
      if (this.currentRole === 'primary') void this.publishPresence();
    });
    const filters = (['floor', 'conductorHeartbeat', 'conductorAvailability', 'siteIntent', 'siteState', 'control', 'events'] as TopicName[]).map((n) => topicFilter(this.event, n));
    this.subscriptions = new SubscriptionKeeper(client, { log: this.log });
    await this.subscriptions.add(filters);
  }

  private async publish<T extends TopicName>(name: T, payload: PayloadOf<T>, site?: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    const sent = client.publishAsync(topic(this.event, name, site), encode(name, payload), publishOptions(name)).catch((err: Error) => {
      this.log.warn('publish failed', { topic: name, error: err.message });
    });
    // A broker that is slow to acknowledge must not stall the floor: mqtt.js keeps the
    // message and resends it, and epochs order whatever arrives late.
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.warn('broker slow to acknowledge; going on', { topic: name });
        resolve();
      }, PUBLISH_ACK_WAIT_MS);
    });
    await Promise.race([sent, slow]);
    clearTimeout(timer);
  }

  private conductorState(): ConductorState {
    return { conductor: this.id, role: this.currentRole, epoch: this.state.epoch, counters: { ...this.counters }, startedAt: this.startedAt, updatedAt: new Date(this.now()).toISOString() };
  }

  private async publishPresence(): Promise<void> {
    await this.publish('conductorAvailability', 'online');
    await this.publish('floor', this.floor());
    await this.publish('conductorState', this.conductorState());
    await this.publish('rundown', this.rundownList());
  }

  /** The rundown with each item's planned start, counted from the current item's start when there is one. */
  rundownList(): RundownList {
    const current = this.state.itemIndex;
    let clock = current !== null && this.state.since !== null ? this.state.since : null;
    const items = this.rules.rundown.map((item, index) => ({ index, ...item, plannedStart: null as string | null }));
    if (clock !== null && current !== null) {
      for (let i = current; i < items.length; i++) {
        items[i]!.plannedStart = new Date(clock).toISOString();
        clock += items[i]!.plannedMinutes * 60_000;
      }
    }
    return { items };
  }

  private async becomePrimary(why: string): Promise<void> {
    const seen = this.lastFloor?.epoch ?? 0;
    if (this.lastFloor && this.lastFloor.epoch > this.state.epoch) {
      // The broker holds a newer floor than our file (another conductor's, or our file was lost).
      const recent = this.state.recent;
      this.state = { ...stateFromFloor(this.lastFloor, this.rules), recent };
    }
    this.state = bumpEpoch(this.state, seen);
    this.floorChangedAt = this.now();
    await this.store.save(this.state, this.id);
    const wasStandby = this.currentRole === 'standby';
    this.currentRole = 'primary';
    this.stopLeaseWatch();
    if (wasStandby || !this.hasWill()) await this.connect(true);
    await this.publishPresence();
    this.startHeartbeat();
    this.log.info(`primary: ${why}`, { epoch: this.state.epoch, onAir: this.state.onAir ?? '-' });
    this.emit('role', 'primary');
    this.emit('floor', this.floor());
  }

  private hasWill(): boolean {
    return Boolean(this.client?.options.will);
  }

  private async becomeStandby(): Promise<void> {
    this.currentRole = 'standby';
    this.stopHeartbeat();
    this.otherOffline = false;
    this.lastOtherSeenAt = this.now();
    // Without our Last Will: a standby that dies must not announce the primary as offline.
    await this.connect(false);
    this.startLeaseWatch();
    this.emit('role', 'standby');
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const beat = (): void => {
      const payload: Heartbeat = { conductor: this.id, epoch: this.state.epoch, at: new Date(this.now()).toISOString(), role: 'primary' };
      void this.publish('conductorHeartbeat', payload);
      void this.publish('conductorState', this.conductorState());
    };
    beat();
    this.heartbeatTimer = setInterval(beat, this.options.config.conductor.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private startLeaseWatch(): void {
    this.stopLeaseWatch();
    const { leaseMs, heartbeatMs } = this.options.config.conductor;
    this.leaseTimer = setInterval(() => {
      const silentFor = this.now() - this.lastOtherSeenAt;
      if (this.otherOffline || silentFor > leaseMs) {
        const why = this.otherOffline ? 'the primary went offline' : `no heartbeat from the primary for ${silentFor} ms`;
        this.stopLeaseWatch();
        this.enqueue(() => this.becomePrimary(`took over: ${why}`));
      }
    }, Math.max(50, Math.floor(heartbeatMs / 2)));
  }

  private stopLeaseWatch(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: Error) => this.log.error('conductor task failed', { error: err.message }));
  }

  private bad(topicName: string, reason: string): void {
    this.counters.badPayloads += 1;
    this.log.warn('dropped a bad payload', { topic: topicName, reason });
  }

  /** What every conductor listens to, whatever its role. */
  private readonly sharedHandlers: TopicHandlers = {
    floor: (floor) => this.onFloorSeen(floor),
    conductorHeartbeat: (beat) => {
      if (beat.conductor === this.id) return;
      this.lastOtherSeenAt = this.now();
      this.otherOffline = false;
      this.otherHeartbeatSeen = true;
      if (this.currentRole === 'primary' && this.outranks(beat.epoch, beat.conductor)) {
        this.enqueue(() => this.stepDown(beat.conductor, beat.epoch));
      }
    },
    conductorAvailability: (availability) => {
      this.otherOffline = availability === 'offline';
    },
  };

  /** Per role: the primary applies intents and controls; a standby learns the primary's answers, so a retry after a takeover is still applied once. */
  private readonly roleHandlers: Record<ConductorRole, TopicHandlers> = {
    primary: {
      ...this.sharedHandlers,
      siteIntent: (intent, site) => this.enqueue(() => this.apply({ kind: 'intent', site: site!, intent })),
      control: (control) => this.enqueue(() => this.apply({ kind: 'control', control })),
      siteState: (state, site) => {
        if (state.tally.epoch < this.state.epoch) this.republishFloor(site!, state.tally.epoch);
      },
    },
    standby: {
      ...this.sharedHandlers,
      events: (event) => this.rememberAnswer(event),
    },
  };

  /**
   * A box reports (in its state) an older floor than ours: it missed one, for
   * instance while a clustered broker failed over, and the broker's retained
   * copy did not help it. Publishing the current floor again reaches it live;
   * the floor is already on disk, and boxes ignore an epoch they have. At most
   * once per three heartbeats (1 s at least), whatever the number of boxes
   * behind, and not in the first such interval after a change.
   */
  private republishFloor(site: string, seen: number): void {
    const now = this.now();
    const limit = Math.max(1000, 3 * this.options.config.conductor.heartbeatMs);
    // Right after a change a box's state may still be on its way with the old epoch.
    if (now - this.floorChangedAt < limit) return;
    if (now - this.lastRepublishAt < limit) return;
    this.lastRepublishAt = now;
    this.log.info('a site is behind the floor: publishing it again', { site, seen, epoch: this.state.epoch });
    // Through the queue: never between a new state and its save.
    this.enqueue(async () => {
      if (this.currentRole === 'primary') await this.publish('floor', this.floor());
    });
  }

  private onMessage(fullTopic: string, payload: Buffer): void {
    if (this.stopped) return;
    routeMessage(this.event, fullTopic, payload, this.roleHandlers[this.currentRole], (t, reason) => this.bad(t, reason));
  }

  private rememberAnswer(event: EventResult): void {
    if (event.duplicate || (event.kind !== 'intent' && event.kind !== 'control')) return;
    const key = event.kind === 'intent' ? `intent:${event.site ?? ''}:${event.id}` : `control:${event.id}`;
    if (this.state.recent.some((r) => r.key === key)) return;
    const recent = [...this.state.recent, { key, accepted: event.result === 'accepted', reason: event.reason }].slice(-this.rules.idWindow);
    this.state = { ...this.state, recent };
  }

  /** Another conductor with a higher epoch (ties: the larger id) wins. */
  private outranks(epoch: number, other: string): boolean {
    return epoch > this.state.epoch || (epoch === this.state.epoch && other > this.id);
  }

  private onFloorSeen(floor: Floor): void {
    if (!this.lastFloor || floor.epoch >= this.lastFloor.epoch) this.lastFloor = floor;
    if (floor.conductor === this.id) return;
    this.lastOtherSeenAt = this.now();
    if (this.currentRole === 'primary' && this.outranks(floor.epoch, floor.conductor)) {
      this.enqueue(() => this.stepDown(floor.conductor, floor.epoch));
    }
  }

  private async stepDown(other: string, epoch: number): Promise<void> {
    if (this.currentRole !== 'primary' || !this.outranks(epoch, other)) return;
    this.log.warn('fenced: another conductor holds a newer epoch; stepping down', { other, theirs: epoch, ours: this.state.epoch });
    await this.becomeStandby();
  }

  private async apply(cmd: FloorCommand): Promise<void> {
    if (this.currentRole !== 'primary') return;
    const result = step(this.state, cmd, this.rules, this.now());
    this.state = result.state;
    // Saved before anything is published: what the sites see is always on disk.
    await this.store.save(this.state, this.id);
    if (result.duplicate) this.counters.duplicates += 1;
    else if (result.accepted) this.counters.accepted += 1;
    else this.counters.rejected += 1;
    if (result.changed) {
      this.floorChangedAt = this.now();
      const floor = this.floor();
      await this.publish('floor', floor);
      await this.publish('rundown', this.rundownList());
      this.emit('floor', floor);
    }
    const event: EventResult = {
      kind: cmd.kind,
      id: cmd.kind === 'intent' ? cmd.intent.id : cmd.control.id,
      action: cmd.kind === 'intent' ? cmd.intent.action : cmd.control.action,
      site: cmd.kind === 'intent' ? cmd.site : cmd.control.site ?? null,
      result: result.accepted ? 'accepted' : 'rejected',
      reason: result.reason,
      duplicate: result.duplicate,
      epoch: this.state.epoch,
      at: new Date(this.now()).toISOString(),
    };
    await this.publish('events', event);
    this.emit('result', event);
    this.log.info(`${event.kind} ${event.action} ${event.result}`, { id: event.id, site: event.site ?? undefined, reason: event.reason ?? undefined, duplicate: event.duplicate || undefined, epoch: event.epoch });
  }

  /** Waits until every queued message is applied (tests and clean shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    this.stopLeaseWatch();
    await this.queue;
    const client = this.client;
    this.client = null;
    this.subscriptions?.stop();
    if (!client) return;
    if (this.currentRole === 'primary' && client.connected) {
      await client.publishAsync(topic(this.event, 'conductorAvailability'), 'offline', { retain: true, qos: 1 }).catch(() => undefined);
    }
    await client.endAsync().catch(() => undefined);
  }
}
