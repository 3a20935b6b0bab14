/**
 * The appliance runtime: one MQTT link, one I/O driver, the room lamps, the
 * podium button, and the features (PTZ, tally in, encoder, display) started
 * and stopped around them.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { SiteConfig } from '../config/schema.js';
import { PatternOutput } from '../hardware/patterns.js';
import type { DigitalInput, IoDriver } from '../hardware/types.js';
import { connectBroker } from '../mqtt/connect.js';
import { SubscriptionKeeper, mqttMatch } from '../mqtt/subscriptions.js';
import type { Floor, IntentAction } from '../protocol/schemas.js';
import type { SiteParts, SiteState } from '../protocol/site-state.js';
import { encode, publishOptions, routeMessage, topic, topicBase, topicFilter, type TopicHandlers, type TopicName } from '../protocol/topics.js';
import { createLogger, type Logger } from '../util/log.js';
import { VERSION } from '../version.js';
import type { ApplianceEvents, Feature, FeatureContext, SiteRole } from './feature.js';
import { roleIn } from './tally.js';
import { conductorLinkUp, fenceKey, judgeFloor, rebaseOnHeartbeats, type BeatSeen } from '../protocol/fencing.js';
import { systemFigures } from './system.js';
import { buttonLamp, roomLamps } from './camera-tally.js';
import { pinSpec } from '../hardware/config.js';
import { resolveButtonAction, type ButtonAction as ConfiguredAction } from '../buttons/config.js';
import { GestureRecognizer, type Gesture } from '../buttons/gestures.js';

/** What a press asks for; `auto` depends on the site's role. */
export type ButtonAction = 'auto' | IntentAction;

/** How long a sent press waits for the conductor's answer on `events`. */
const ANSWER_TIMEOUT_MS = 5000;

interface HeldPress {
  id: string;
  action: IntentAction;
  to?: string;
  at: number;
  origin: string;
}

export interface ApplianceOptions {
  config: SiteConfig;
  driver: IoDriver;
  features?: Feature[];
  log?: Logger;
  now?: () => number;
}

export interface ApplianceRuntimeEvents extends ApplianceEvents {
  /** A press was sent (`sent`), held while the link is down (`held`) or dropped as stale (`dropped`). */
  press: [outcome: 'sent' | 'held' | 'dropped', action: IntentAction, id: string];
  /** The conductor rejected one of this site's intents. */
  rejected: [id: string, reason: string];
  state: [state: SiteState];
}

export class ApplianceRuntime extends EventEmitter<ApplianceRuntimeEvents> {
  readonly site: string;
  readonly event: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private client: MqttClient | null = null;
  private subscriptions: SubscriptionKeeper | null = null;
  private lamps: Record<'onAir' | 'next' | 'button', PatternOutput> | null = null;
  private buttonInputs: DigitalInput[] = [];
  private recognizers: GestureRecognizer[] = [];
  private currentFloor: Floor | null = null;
  private newestEpoch = -1;
  /** Fencing facts (src/protocol/fencing.ts): the followed floor's term, the heartbeats' term and rhythm, a pending `offline`. */
  private fence = { term: 0, heartbeatTerm: null as number | null, heartbeatGapMs: null as number | null, offlineSince: null as number | null, beats: [] as BeatSeen[] };
  private currentRole: SiteRole = 'idle';
  private mqttUp = false;
  private lastHeartbeatAt = 0;
  private lastCatchUpAt = -Infinity;
  private link = false;
  private linkTimer: NodeJS.Timeout | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  private stateDirty: NodeJS.Timeout | null = null;
  private held: HeldPress | null = null;
  private inFlight = new Map<string, IntentAction>();
  private readonly parts: Partial<SiteParts> = {};
  private readonly features: Feature[];
  private startedFeatures: Feature[] = [];
  private stopped = false;
  readonly counters = { badPayloads: 0, droppedPresses: 0 };

  constructor(private readonly options: ApplianceOptions) {
    super();
    this.site = options.config.site;
    this.event = options.config.event;
    this.log = options.log ?? createLogger(`appliance:${this.site}`);
    this.now = options.now ?? Date.now;
    this.features = options.features ?? [];
  }

  get role(): SiteRole {
    return this.currentRole;
  }

  get linkUp(): boolean {
    return this.link;
  }

  get floor(): Floor | null {
    return this.currentFloor;
  }

  /** The room lamps (for the demo screen and tests). */
  lampPatterns(): Record<'onAir' | 'next' | 'button', { pattern: string; level: boolean }> | null {
    if (!this.lamps) return null;
    const view = (p: PatternOutput): { pattern: string; level: boolean } => ({ pattern: p.pattern, level: p.currentLevel });
    return { onAir: view(this.lamps.onAir), next: view(this.lamps.next), button: view(this.lamps.button) };
  }

  async start(): Promise<void> {
    const { config, driver } = this.options;
    const output = async (lamp: 'onAir' | 'next' | 'button'): Promise<PatternOutput> =>
      new PatternOutput(await driver.openOutput(pinSpec(config.io, 'output', config.lamps[lamp], `lamps.${lamp}`)), undefined, () => this.markDirty());
    this.lamps = { onAir: await output('onAir'), next: await output('next'), button: await output('button') };
    // A USB board that drops off is told in the state, so the régie sees why the lamps went dark.
    driver.onHealthChange?.(() => this.markDirty());
    this.updateLamps();
    for (const [name, button] of Object.entries(config.buttons)) {
      const input = await driver.openInput(pinSpec(config.io, 'input', button.input, `buttons.${name}.input`));
      const gestures = new GestureRecognizer({ bounceMs: button.bounceMs, longMs: button.longMs, doubleMs: button.doubleMs });
      input.on('edge', (level) => gestures.input(level));
      gestures.on('gesture', (gesture) => this.onGesture(name, gesture, button.gestures));
      this.buttonInputs.push(input);
      this.recognizers.push(gestures);
    }

    const client = connectBroker(config.broker, {
      clientId: `relais-${this.event}-${this.site}`.slice(0, 120),
      persistentSession: true,
      will: { topic: topic(this.event, 'siteAvailability', this.site), payload: 'offline', retain: true, qos: 1 },
    });
    this.client = client;
    client.on('connect', () => {
      this.mqttUp = true;
      // The link counts as up only once a heartbeat arrives over this connection:
      // then the conductor is back and subscribed, and a held press reaches it.
      this.lastHeartbeatAt = -Infinity;
      this.log.info('connected to the broker', { url: config.broker.url });
      void this.publishNamed('siteAvailability', 'online', this.site);
      this.markDirty();
      this.evaluateLink();
    });
    client.on('offline', () => {
      this.mqttUp = false;
      this.evaluateLink();
    });
    client.on('close', () => {
      this.mqttUp = false;
      this.evaluateLink();
    });
    client.on('error', (err) => this.log.warn('broker error', { error: err.message }));
    client.on('message', (t, payload) => this.onMessage(t, payload));
    this.subscriptions = new SubscriptionKeeper(client, { log: this.log });
    const filters = (['floor', 'conductorAvailability', 'conductorHeartbeat', 'events'] as TopicName[]).map((n) => topicFilter(this.event, n));
    void this.subscriptions.add(filters);

    const { leaseMs } = config.link;
    this.linkTimer = setInterval(() => this.evaluateLink(), Math.max(50, Math.min(250, Math.floor(leaseMs / 4))));
    this.stateTimer = setInterval(() => this.publishState(), config.stateIntervalMs);

    const ctx = this.featureContext();
    for (const feature of this.features) {
      try {
        await feature.start(ctx);
        this.startedFeatures.push(feature);
      } catch (err) {
        this.log.error(`feature ${feature.name} did not start; the box runs on without it`, { error: (err as Error).message });
      }
    }
  }

  private featureContext(): FeatureContext {
    const base = topicBase(this.event);
    return {
      event: this.event,
      site: this.site,
      log: this.log,
      bus: this as unknown as EventEmitter<ApplianceEvents>,
      floor: () => this.currentFloor,
      role: () => this.currentRole,
      linkUp: () => this.link,
      reportState: (key, value) => {
        this.parts[key] = value;
        this.markDirty();
      },
      subscribe: async (suffix, handler) => {
        const full = base + suffix;
        this.client?.on('message', (t, payload) => {
          if (mqttMatch(full, t)) handler(t, payload);
        });
        const granted = this.subscriptions?.add(full);
        // Offline at start-up, a feature goes on at once: the keeper subscribes when the link comes.
        if (this.client?.connected) await granted;
      },
      publish: async (suffix, payload, opts) => {
        await this.client?.publishAsync(base + suffix, payload, { retain: opts?.retain ?? false, qos: opts?.qos ?? 1 });
      },
      countBadPayload: (t, reason) => this.bad(t, reason),
    };
  }

  private bad(fullTopic: string, reason: string): void {
    this.counters.badPayloads += 1;
    this.log.warn('dropped a bad payload', { topic: fullTopic, reason });
    this.markDirty();
  }

  private readonly handlers: TopicHandlers = {
    floor: (floor) => this.onFloor(floor),
    conductorAvailability: (availability) => {
      this.fence.offlineSince = availability === 'online' ? null : this.fence.offlineSince ?? this.now();
      this.evaluateLink();
    },
    conductorHeartbeat: (beat) => {
      const now = this.now();
      if (Number.isFinite(this.lastHeartbeatAt) && this.lastHeartbeatAt > 0) this.fence.heartbeatGapMs = now - this.lastHeartbeatAt;
      this.lastHeartbeatAt = now;
      this.fence.heartbeatTerm = beat.term ?? 0;
      this.fence.beats = [...this.fence.beats, { from: beat.conductor, term: beat.term ?? 0 }].slice(-2);
      const rebased = rebaseOnHeartbeats(this.newestEpoch < 0 ? null : { term: this.fence.term, epoch: this.newestEpoch }, this.fence.beats);
      if (rebased) [this.fence.term, this.newestEpoch] = [rebased.term, rebased.epoch];
      this.evaluateLink();
      if (judgeFloor(this.newestEpoch < 0 ? null : { term: this.fence.term, epoch: this.newestEpoch }, fenceKey(beat), null).accept) this.catchUpFloor(beat.epoch);
    },
    events: (result) => {
      if (result.kind !== 'intent' || result.site !== this.site || !this.inFlight.has(result.id)) return;
      this.inFlight.delete(result.id);
      if (result.result === 'rejected') {
        this.log.info('intent rejected', { id: result.id, reason: result.reason ?? '' });
        this.lamps?.button.set('flash3');
        this.emit('rejected', result.id, result.reason ?? 'rejected');
      }
      this.updateLamps();
    },
  };

  private onMessage(fullTopic: string, payload: Buffer): void {
    routeMessage(this.event, fullTopic, payload, this.handlers, (t, reason) => this.bad(t, reason));
  }

  /**
   * The heartbeat carries the conductor's epoch: a box behind it has missed a
   * floor (a message lost while a clustered broker failed over, or a retained
   * copy that lagged). Subscribing to the floor again makes the broker send the
   * retained floor once more; and its state, published at once, tells the
   * conductor its epoch, so the conductor publishes the floor again should the
   * retained copy be stale too. At most once per lease (or 2 s).
   */
  private catchUpFloor(epoch: number): void {
    const now = this.now();
    if (now - this.lastCatchUpAt < Math.min(2000, this.options.config.link.leaseMs)) return;
    this.lastCatchUpAt = now;
    this.log.info('the conductor is at a newer floor than this box: asking the broker for it again', { conductorEpoch: epoch, seen: this.newestEpoch });
    this.subscriptions?.refresh(topicFilter(this.event, 'floor'));
    this.markDirty();
  }

  private onFloor(floor: Floor): void {
    // Safety rule 1: never go back to an older (term, epoch); fencing rules in src/protocol/fencing.ts.
    if (!judgeFloor(this.newestEpoch < 0 ? null : { term: this.fence.term, epoch: this.newestEpoch }, fenceKey(floor), this.fence.heartbeatTerm).accept) return;
    this.newestEpoch = floor.epoch;
    this.fence.term = floor.term ?? 0;
    this.currentFloor = floor;
    const role = roleIn(floor, this.site);
    const changed = role !== this.currentRole;
    this.currentRole = role;
    this.updateLamps();
    this.emit('floor', floor);
    if (changed) {
      this.log.info(`now ${role}`, { epoch: floor.epoch });
      this.emit('role', role, floor);
    }
    this.markDirty();
  }

  private evaluateLink(): void {
    if (this.stopped) return;
    const up = conductorLinkUp({ now: this.now(), mqttUp: this.mqttUp, leaseMs: this.options.config.link.leaseMs, lastHeartbeatAt: this.lastHeartbeatAt, ...this.fence });
    if (this.held && this.now() - this.held.at > this.options.config.link.holdPressMs) this.dropHeld();
    if (up === this.link) return;
    this.link = up;
    this.log.info(up ? 'link up' : 'link lost: lamps show the link-lost pattern');
    this.updateLamps();
    this.emit('link', up);
    if (up && this.held) this.sendHeld();
    this.markDirty();
  }

  private updateLamps(): void {
    if (!this.lamps) return;
    const pending = this.held !== null || this.inFlight.size > 0;
    const site = { role: this.currentRole, linkUp: this.link };
    const room = roomLamps(site);
    this.lamps.onAir.set(room.onAir);
    this.lamps.next.set(room.next);
    // A site that is next only by the rundown has asked for nothing: its button stays dark.
    this.lamps.button.set(buttonLamp({ role: this.buttonRole(), linkUp: this.link }, pending));
  }

  /**
   * The role a button's `auto` action reads: a site that is next only because
   * the rundown says so has not asked for anything, so its press is a request.
   */
  private buttonRole(): SiteRole {
    if (this.currentRole === 'next' && !this.currentFloor?.queue.includes(this.site)) return 'idle';
    return this.currentRole;
  }

  private onGesture(button: string, gesture: Gesture, map: Record<'press' | 'long' | 'double', ConfiguredAction | null>): void {
    if (gesture.kind === 'release') return;
    const resolved = resolveButtonAction(map[gesture.kind], this.buttonRole());
    if (resolved.kind === 'none') return;
    if (resolved.kind === 'preset') {
      this.log.info('button recalls a camera preset', { button, camera: resolved.camera, preset: resolved.preset });
      this.emit('preset', resolved.camera, resolved.preset);
      return;
    }
    this.press(resolved.action, `button:${button}:${gesture.kind}`);
  }

  /**
   * A button gesture. While the link is down the press is held and sent when it
   * comes back, if still younger than `link.holdPressMs`; else it is dropped and
   * the button lamp flashes.
   */
  press(action: ButtonAction = 'auto', origin = 'button', to?: string): string {
    const resolution = resolveButtonAction(action, this.buttonRole());
    if (resolution.kind !== 'intent') throw new Error(`press: ${action} is not an intent`);
    const resolved = resolution.action;
    const id = `${this.site}-${randomUUID()}`;
    const press: HeldPress = { id, action: resolved, at: this.now(), origin };
    if (to) press.to = to;
    if (!this.link) {
      if (this.held) this.dropHeld();
      this.held = press;
      this.log.info('link down: holding the press', { action: resolved, holdMs: this.options.config.link.holdPressMs });
      this.emit('press', 'held', resolved, id);
      this.updateLamps();
      return id;
    }
    this.send(press);
    return id;
  }

  private send(press: HeldPress): void {
    this.inFlight.set(press.id, press.action);
    // No answer in time: say so on the button rather than blink "pending" forever.
    setTimeout(() => {
      if (!this.inFlight.delete(press.id) || this.stopped) return;
      this.log.warn('no answer from the conductor to a press', { action: press.action, id: press.id });
      this.lamps?.button.set('flash3');
      this.updateLamps();
    }, ANSWER_TIMEOUT_MS).unref();
    const intent = { id: press.id, action: press.action, origin: press.origin, ...(press.to ? { to: press.to } : {}) };
    void this.publishNamed('siteIntent', intent, this.site);
    this.emit('press', 'sent', press.action, press.id);
    this.updateLamps();
  }

  private sendHeld(): void {
    const held = this.held;
    this.held = null;
    if (!held) return;
    if (this.now() - held.at > this.options.config.link.holdPressMs) {
      this.held = held;
      this.dropHeld();
      return;
    }
    this.log.info('link back: sending the held press', { action: held.action, ageMs: this.now() - held.at });
    this.send(held);
  }

  private dropHeld(): void {
    const held = this.held;
    this.held = null;
    if (!held) return;
    this.counters.droppedPresses += 1;
    this.log.warn('dropped a press made while the link was down (too old)', { action: held.action, ageMs: this.now() - held.at });
    this.lamps?.button.set('flash3');
    this.emit('press', 'dropped', held.action, held.id);
    this.updateLamps();
  }

  private async publishNamed<T extends TopicName>(name: T, payload: Parameters<typeof encode<T>>[1], site?: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    await client.publishAsync(topic(this.event, name, site), encode(name, payload), publishOptions(name)).catch((err: Error) => {
      this.log.warn('publish failed', { topic: name, error: err.message });
    });
  }

  siteState(): SiteState {
    const lamps = this.lampPatterns() ?? {};
    const { encoder, cameras, tallyIn, display } = this.parts;
    return {
      version: VERSION,
      name: this.options.config.name ?? this.site,
      tally: { role: this.currentRole, link: this.link ? 'ok' : 'lost', epoch: this.newestEpoch, term: this.fence.term, ...(tallyIn ? { cameras: tallyIn.cameras } : {}) },
      lamps,
      encoder: encoder ?? null,
      cameras: cameras ?? [],
      counters: { ...this.counters },
      system: systemFigures(),
      io: { driver: this.options.driver.kind, ...(this.options.driver.health?.() ?? { ok: true, detail: null }) },
      ...(display ? { display } : {}),
      updatedAt: new Date(this.now()).toISOString(),
    };
  }

  private markDirty(): void {
    if (this.stateDirty || this.stopped) return;
    this.stateDirty = setTimeout(() => {
      this.stateDirty = null;
      this.publishState();
    }, 50);
  }

  private publishState(): void {
    if (!this.client?.connected) return;
    const state = this.siteState();
    this.emit('state', state);
    void this.publishNamed('siteState', state, this.site);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.linkTimer, this.stateTimer]) if (timer) clearInterval(timer);
    if (this.stateDirty) clearTimeout(this.stateDirty);
    await Promise.allSettled(this.startedFeatures.reverse().map((f) => f.stop()));
    const client = this.client;
    this.client = null;
    this.subscriptions?.stop();
    if (client) {
      if (client.connected) await client.publishAsync(topic(this.event, 'siteAvailability', this.site), 'offline', { retain: true, qos: 1 }).catch(() => undefined);
      await client.endAsync().catch(() => undefined);
    }
    if (this.lamps) await Promise.allSettled(Object.values(this.lamps).map((l) => l.close()));
    for (const recognizer of this.recognizers) recognizer.dispose();
    await Promise.allSettled(this.buttonInputs.map((i) => i.close()));
  }
}
