/**
 * The lifecycle every appliance feature follows (podium buttons and lamps,
 * tally in, PTZ, encoder, display). The runtime builds one
 * {@link FeatureContext} per feature, starts the features in order and stops
 * them with `Promise.allSettled`; what a feature subscribed to and listened
 * for on the bus is removed when it stops.
 */
import type { EventEmitter } from 'node:events';
import type { TopicParams } from '../mqtt/publisher.js';
import type { Floor } from '../protocol/schemas.js';
import type { SiteParts, SiteRole } from '../protocol/site-state.js';
import type { PayloadOf, TopicName } from '../protocol/topics.js';
import type { Logger } from '../util/log.js';

export type { TopicParams } from '../mqtt/publisher.js';
export type { SiteRole } from '../protocol/site-state.js';


/** Events the runtime emits to its features. */
export interface ApplianceEvents {
  /** A newer floor was accepted (older epochs never reach features). */
  floor: [floor: Floor];
  /** This site's role changed (e.g. `idle` -> `on-air`). */
  role: [role: SiteRole, floor: Floor];
  /** Broker and conductor reachable (`true`) or silent longer than the lease (`false`). */
  link: [up: boolean];
  /** A button gesture mapped to `preset:<camera>:<n>` (the PTZ feature recalls it). */
  preset: [camera: string, preset: number];
}

export type BusListener<K extends keyof ApplianceEvents> = (...args: ApplianceEvents[K]) => void;

/** The runtime's events as a feature sees them: it listens, it cannot emit (no feature can forge a floor). */
export interface ReadonlyBus {
  on<K extends keyof ApplianceEvents>(event: K, listener: BusListener<K>): void;
  off<K extends keyof ApplianceEvents>(event: K, listener: BusListener<K>): void;
}

/** Where an inbound message came from. */
export interface Delivery {
  /** The full topic. */
  topic: string;
  /** The site of a `site/{site}/...` topic, else null. */
  site: string | null;
}

/** Gets the decoded, validated payload of a named topic. */
export type TopicHandler<T extends TopicName> = (value: PayloadOf<T>, from: Delivery) => void;

/** Why a payload was refused, with its `id` and parsed JSON when it had them (see `decode`). */
export interface Refusal {
  reason: string;
  id?: string;
  raw?: unknown;
}

export interface SubscribeOptions {
  /**
   * Told of a payload that failed validation (after the runtime counted it);
   * the handler never sees it. The PTZ feature answers such a command.
   */
  onBad?: (refusal: Refusal, from: Delivery) => void;
}

export interface FeatureContext {
  readonly event: string;
  readonly site: string;
  readonly log: Logger;
  readonly bus: ReadonlyBus;
  /** The newest floor seen, if any. */
  floor(): Floor | null;
  role(): SiteRole;
  linkUp(): boolean;
  /** Merges one part (`encoder`, `cameras`, `tallyIn`, `display`) into the site's retained `state`. */
  reportState<K extends keyof SiteParts>(key: K, value: SiteParts[K]): void;
  /**
   * Subscribes to a named topic of the contract (QoS 1); `params.site` picks
   * one site's topic, left out it is every site's. The handler gets the
   * payload decoded and validated; a bad one is counted in
   * `state.counters.badPayloads` and goes to `options.onBad` only. Kept across
   * reconnects and broker refusals, removed when the feature stops. Resolves
   * once the broker has granted it, or at once while the link is down.
   */
  subscribe<T extends TopicName>(name: T, params: TopicParams, handler: TopicHandler<T>, options?: SubscribeOptions): Promise<void>;
  /** Publishes a named topic with its encoder, retain and QoS. Never rejects: a failure is logged. */
  publish<T extends TopicName>(name: T, params: TopicParams<T>, payload: PayloadOf<T>): Promise<void>;
}

export interface Feature {
  readonly name: string;
  start(ctx: FeatureContext): Promise<void>;
  stop(): Promise<void>;
}

type AnyBusListener = (...args: never[]) => void;

/** What a {@link FeatureBus} reads from: an `EventEmitter<ApplianceEvents>`. */
type BusSource = Pick<EventEmitter<ApplianceEvents>, 'on' | 'off'>;

/**
 * A read-only view of an emitter of {@link ApplianceEvents} that remembers what
 * was added through it, so the owner can take it all off again.
 */
export class FeatureBus implements ReadonlyBus {
  private readonly added: Array<[keyof ApplianceEvents, AnyBusListener]> = [];

  constructor(private readonly source: BusSource) {}

  on<K extends keyof ApplianceEvents>(event: K, listener: BusListener<K>): void {
    this.source.on(event, listener as never);
    this.added.push([event, listener as unknown as AnyBusListener]);
  }

  off<K extends keyof ApplianceEvents>(event: K, listener: BusListener<K>): void {
    this.source.off(event, listener as never);
    const at = this.added.findIndex(([e, l]) => e === event && l === (listener as unknown));
    if (at >= 0) this.added.splice(at, 1);
  }

  /** Listeners still on the source through this view. */
  get listenerCount(): number {
    return this.added.length;
  }

  /** Takes off every listener added through this view. */
  detachAll(): void {
    for (const [event, listener] of this.added.splice(0)) this.source.off(event, listener as never);
  }
}
