/**
 * The lifecycle every appliance feature follows (buttons and lamps, tally in,
 * PTZ, encoder, display). The runtime builds one {@link FeatureContext}, starts
 * the features in order and stops them with `Promise.allSettled`.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../util/log.js';
import type { Floor } from '../protocol/schemas.js';
import type { SiteParts } from '../protocol/site-state.js';

/** The site's part in the floor, as seen by this box. */
export type SiteRole = 'on-air' | 'next' | 'queued' | 'idle';

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

export interface FeatureContext {
  readonly event: string;
  readonly site: string;
  readonly log: Logger;
  readonly bus: EventEmitter<ApplianceEvents>;
  /** The newest floor seen, if any. */
  floor(): Floor | null;
  role(): SiteRole;
  linkUp(): boolean;
  /** Merges one part (`encoder`, `cameras`, `display`, ...) into the site's retained `state`. */
  reportState<K extends keyof SiteParts>(key: K, value: SiteParts[K]): void;
  /**
   * Subscribes to a topic below `relais/v1/<event>/` (QoS 1). The handler gets
   * the full topic and the raw payload; validate it with the protocol module.
   * Kept across reconnects and broker refusals. Resolves once the broker has
   * granted it, or at once while the link is down.
   */
  subscribe(suffix: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  /** Publishes below `relais/v1/<event>/`. */
  publish(suffix: string, payload: string, options?: { retain?: boolean; qos?: 0 | 1 }): Promise<void>;
  /** Counts a dropped inbound payload (shown in `state.counters.badPayloads`). */
  countBadPayload(topic: string, reason: string): void;
}

export interface Feature {
  readonly name: string;
  start(ctx: FeatureContext): Promise<void>;
  stop(): Promise<void>;
}
