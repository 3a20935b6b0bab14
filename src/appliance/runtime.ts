/**
 * The appliance runtime: the wiring place of a box. It owns the two I/O
 * edges (one MQTT connection, one I/O driver), the floor as the box sees it,
 * the link lease and the site state, and starts the features (the podium
 * first, then tally in, PTZ, encoder, display) with one context each; it
 * stops them with `Promise.allSettled` and removes what they left behind.
 */
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import type { SiteConfig } from '../config/schema.js';
import type { IoDriver } from '../hardware/types.js';
import { connectBroker } from '../mqtt/connect.js';
import { TopicPublisher } from '../mqtt/publisher.js';
import { SubscriptionKeeper } from '../mqtt/subscriptions.js';
import { TakeoverWatch, type TakeoverOptions, type TakeoverReport } from '../mqtt/takeover.js';
import { t } from '../i18n/index.js';
import type { Floor, Heartbeat } from '../protocol/schemas.js';
import type { SiteState } from '../protocol/site-state.js';
import { topic, topicFilter } from '../protocol/topics.js';
import { createLogger, type Logger } from '../util/log.js';
import { behindConductor, conductorLinkUp, followsFloor } from '../protocol/fencing.js';
import { realClock, type Clock } from './clock.js';
import { FeatureBus, type ApplianceEvents, type Feature, type FeatureContext, type SiteRole } from './feature.js';
import { FloorView, type BehindRule, type FloorRule } from './floor-view.js';
import { LinkLease, type LinkRule } from './link-lease.js';
import { PodiumFeature, type ButtonAction, type PodiumEvents, type RoomLampViews } from './podium.js';
import { SiteStateAssembler, StateSchedule } from './site-state.js';
import { TopicRouter } from './topic-router.js';

export type { ButtonAction } from './podium.js';

export interface ApplianceOptions {
  config: SiteConfig;
  driver: IoDriver;
  /** Features beside the podium, started in this order. */
  features?: Feature[];
  log?: Logger;
  /** The clock and timers of the lease, the press outbox and the state schedule. */
  clock?: Clock;
  /** The time alone, on real timers (kept for callers that pass only a `now`). */
  now?: () => number;
  /** Which floor the box takes (default: a newer epoch). */
  acceptFloor?: FloorRule;
  /** When a heartbeat shows the box missed a floor (default: a newer epoch). */
  behindHeartbeat?: BehindRule;
  /** When the link counts as up (default: connected, conductor online, heartbeat within the lease). */
  linkRule?: LinkRule;
  /** Windows and back-off of the same-site-id watch (src/mqtt/takeover.ts). */
  takeover?: TakeoverOptions;
}

export interface ApplianceRuntimeEvents extends ApplianceEvents, Omit<PodiumEvents, 'lamps'> {
  state: [state: SiteState];
}

/** Subscriptions the runtime holds for itself. */
const OWN = 'runtime';

export class ApplianceRuntime extends EventEmitter<ApplianceRuntimeEvents> {
  readonly site: string;
  readonly event: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly view: FloorView;
  private readonly lease: LinkLease;
  private readonly parts = new SiteStateAssembler();
  private readonly schedule: StateSchedule;
  private readonly router: TopicRouter;
  private readonly podium: PodiumFeature;
  private readonly features: Feature[];
  /** What features hear; the runtime's own listeners get the same events. */
  private readonly bus = new EventEmitter<ApplianceEvents>();
  private client: MqttClient | null = null;
  private publisher: TopicPublisher | null = null;
  private keeper: SubscriptionKeeper | null = null;
  private takeoverWatch: TakeoverWatch | null = null;
  private readonly started: Array<{ feature: Feature; owner: string; bus: FeatureBus }> = [];
  private badPayloads = 0;
  private stopped = false;

  constructor(private readonly options: ApplianceOptions) {
    super();
    const { config } = options;
    this.site = config.site;
    this.event = config.event;
    this.log = options.log ?? createLogger(`appliance:${this.site}`);
    this.clock = options.clock ?? (options.now ? { ...realClock, now: options.now } : realClock);
    // The fencing rules of docs/protocol.md unless a caller brings its own.
    this.view = new FloorView(this.site, { accept: options.acceptFloor ?? followsFloor, behind: options.behindHeartbeat ?? behindConductor });
    this.lease = new LinkLease({ leaseMs: config.link.leaseMs, clock: this.clock, rule: options.linkRule ?? conductorLinkUp });
    this.schedule = new StateSchedule(this.clock, config.stateIntervalMs, () => this.publishState());
    this.router = new TopicRouter(this.event, this.log, (t, reason) => this.bad(t, reason));
    this.podium = new PodiumFeature({ config, driver: options.driver, clock: this.clock });
    this.features = options.features ?? [];
  }

  get role(): SiteRole {
    return this.view.role;
  }

  get linkUp(): boolean {
    return this.lease.up;
  }

  get floor(): Floor | null {
    return this.view.floor;
  }

  /** Another box on this site id, as the watch sees it (src/mqtt/takeover.ts), or null. */
  get takeover(): TakeoverReport | null {
    return this.takeoverWatch?.report() ?? null;
  }

  get counters(): { badPayloads: number; droppedPresses: number } {
    return { badPayloads: this.badPayloads, droppedPresses: this.podium.droppedPresses };
  }

  /** The room lamps (for the demo screen and tests). */
  lampPatterns(): RoomLampViews | null {
    return this.podium.lampPatterns();
  }

  /** A press, as if made on the podium (see {@link PodiumFeature.press}). */
  press(action: ButtonAction = 'auto', origin = 'button', to?: string): string {
    return this.podium.press(action, origin, to);
  }

  async start(): Promise<void> {
    const { config, driver } = this.options;
    this.lease.on('change', (up) => this.linkChanged(up));
    this.podium.on('press', (outcome, action, id) => this.emit('press', outcome, action, id));
    this.podium.on('rejected', (id, reason) => this.emit('rejected', id, reason));
    this.podium.on('preset', (camera, preset) => this.announce('preset', camera, preset));
    this.podium.on('lamps', () => this.schedule.changed());
    // A USB board that drops off is told in the state, so the régie sees why the lamps went dark.
    driver.onHealthChange?.(() => this.schedule.changed());
    // The podium's lamps and buttons open before the broker: a wrong pin stops the box here.
    await this.startFeature(this.podium, true);

    this.router.add(OWN, 'floor', {}, (floor) => this.onFloor(floor));
    this.router.add(OWN, 'conductorAvailability', {}, (availability) => this.lease.conductorAvailability(availability === 'online'));
    this.router.add(OWN, 'conductorHeartbeat', {}, (beat) => this.onHeartbeat(beat));
    const clientId = `relais-${this.event}-${this.site}`.slice(0, 120);
    const client = connectBroker(config.broker, {
      clientId,
      persistentSession: true,
      will: { topic: topic(this.event, 'siteAvailability', this.site), payload: 'offline', retain: true, qos: 1 },
    });
    this.client = client;
    this.publisher = new TopicPublisher(client, this.event, this.log);
    client.on('connect', () => {
      this.lease.connected();
      this.log.info('connected to the broker', { url: config.broker.url });
      void this.publisher?.publish('siteAvailability', { site: this.site }, 'online');
      this.schedule.changed();
    });
    this.takeoverWatch = new TakeoverWatch(client, this.options.takeover);
    this.takeoverWatch.on('change', (report) => this.takenOver(clientId, report));
    client.on('offline', () => this.lease.disconnected());
    client.on('close', () => this.lease.disconnected());
    client.on('error', (err) => this.log.warn(t('logs.brokerError'), { error: err.message }));
    // One listener for every subscriber: the router decodes each message once.
    client.on('message', (t, payload) => this.router.route(t, payload));
    this.keeper = new SubscriptionKeeper(client, { log: this.log });
    void this.keeper.add(this.router.filters());
    this.schedule.start();

    for (const feature of this.features) await this.startFeature(feature, false);
  }

  /** Starts one feature with its own context; only the podium may stop the box from starting. */
  private async startFeature(feature: Feature, required: boolean): Promise<void> {
    const owner = `${feature.name}#${this.started.length}`;
    const bus = new FeatureBus(this.bus);
    try {
      await feature.start(this.featureContext(owner, bus));
      this.started.push({ feature, owner, bus });
    } catch (err) {
      this.router.removeOwner(owner);
      bus.detachAll();
      if (required) throw err;
      this.log.error(t('logs.featureFailed', { feature: feature.name }), { error: (err as Error).message });
    }
  }

  private featureContext(owner: string, bus: FeatureBus): FeatureContext {
    return {
      event: this.event,
      site: this.site,
      log: this.log,
      bus,
      floor: () => this.view.floor,
      role: () => this.view.role,
      linkUp: () => this.lease.up,
      reportState: (key, value) => {
        this.parts.set(key, value);
        this.schedule.changed();
      },
      subscribe: async (name, params, handler, options) => {
        const filter = this.router.add(owner, name, params, handler, options);
        const granted = this.keeper?.add(filter);
        // Offline at start-up, a feature goes on at once: the keeper subscribes when the link comes.
        if (granted && this.client?.connected) await granted;
      },
      publish: async (name, params, payload) => {
        await this.publisher?.publish(name, params, payload);
      },
    };
  }

  private bad(fullTopic: string, reason: string): void {
    this.badPayloads += 1;
    this.log.warn(t('logs.badPayload'), { topic: fullTopic, reason });
    this.schedule.changed();
  }

  private onFloor(floor: Floor): void {
    const change = this.view.offer(floor);
    if (!change) return;
    this.announce('floor', floor);
    if (change.role) {
      this.log.info(`now ${change.role}`, { epoch: floor.epoch });
      this.announce('role', change.role, floor);
    }
    this.schedule.changed();
  }

  /**
   * A box behind the heartbeat's epoch has missed a floor. Subscribing to the
   * floor again makes the broker send the retained floor once more; and its
   * state, published at once, tells the conductor its epoch, so the conductor
   * publishes the floor again should the retained copy be stale too. At most
   * once per lease (or 2 s).
   */
  private onHeartbeat(beat: Heartbeat): void {
    this.lease.heartbeat();
    if (!this.view.heard(beat, this.clock.now(), Math.min(2000, this.options.config.link.leaseMs))) return;
    this.log.info('the conductor is at a newer floor than this box: asking the broker for it again', { conductorEpoch: beat.epoch, seen: this.view.epoch });
    this.keeper?.refresh(topicFilter(this.event, 'floor'));
    this.schedule.changed();
  }

  /** Two boxes with this site id: say so, in the log and in the state (the watch backs off). */
  private takenOver(clientId: string, report: TakeoverReport | null): void {
    if (this.stopped) return;
    if (report) {
      const vars = { site: this.site, clientId, count: report.count, backoff: Math.round((report.backoffMs ?? 0) / 1000) };
      this.log.error(t(report.yielding ? 'box.siteTakenOverYield' : 'box.siteTakenOver', vars), { evidence: report.evidence });
    } else this.log.info(t('box.siteTakenOverEnded', { site: this.site }));
    this.schedule.changed();
  }

  private linkChanged(up: boolean): void {
    if (this.stopped) return;
    this.log.info(up ? 'link up' : 'link lost: lamps show the link-lost pattern');
    this.announce('link', up);
    this.schedule.changed();
  }

  /** Tells the features, then the runtime's own listeners. */
  private announce<K extends keyof ApplianceEvents>(event: K, ...args: ApplianceEvents[K]): void {
    (this.bus.emit as (e: K, ...a: ApplianceEvents[K]) => boolean)(event, ...args);
    (this.emit as (e: K, ...a: ApplianceEvents[K]) => boolean)(event, ...args);
  }

  siteState(): SiteState {
    const { driver } = this.options;
    return this.parts.assemble({
      name: this.options.config.name ?? this.site,
      role: this.view.role,
      lamps: this.podium.lampStates(),
      linkUp: this.lease.up,
      epoch: this.view.epoch,
      term: this.view.floor?.term ?? 0,
      counters: this.counters,
      io: { driver: driver.kind, ...(driver.health?.() ?? { ok: true, detail: null }) },
      takenOver: this.takeoverWatch?.report() ?? null,
      now: this.clock.now(),
    });
  }

  private publishState(): void {
    if (!this.client?.connected || this.stopped) return;
    const state = this.siteState();
    this.emit('state', state);
    void this.publisher?.publish('siteState', { site: this.site }, state);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.schedule.stop();
    this.lease.stop();
    const started = this.started.splice(0).reverse();
    await Promise.allSettled(started.map(({ feature }) => feature.stop()));
    for (const { owner, bus } of started) {
      this.router.removeOwner(owner);
      bus.detachAll();
    }
    this.router.removeOwner(OWN);
    const client = this.client;
    this.client = null;
    this.keeper?.stop();
    this.takeoverWatch?.stop();
    if (client) {
      if (client.connected) await this.publisher?.publish('siteAvailability', { site: this.site }, 'offline');
      await client.endAsync().catch(() => undefined);
    }
  }
}
