/** What a conductor is built with, and what it tells (conductor.ts). */
import type { Clock } from '../appliance/clock.js';
import type { ConductorConfig } from '../config/schema.js';
import type { EventResult, Floor } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import type { Role as ConductorRole } from './roles.js';

export interface ConductorOptions {
  config: ConductorConfig;
  /** Start as a standby that waits for the primary to fail. */
  standby?: boolean;
  log?: Logger;
  /** Wall clock, for the times written in payloads. */
  now?: () => number;
  /** Monotonic clock (ms) for leases and pauses; `performance.now` by default. */
  monotonic?: () => number;
  /** Timers of the hand-off hold (`holdUntilBuffered`); the real ones by default. */
  clock?: Clock;
}

export interface ConductorEvents {
  role: [role: ConductorRole];
  /** A new floor, as it is handed to the broker link (after its save). */
  floor: [floor: Floor];
  result: [result: EventResult];
  /** A command arrived (before it waits in the queue): its id. For timing the hand-off. */
  received: [id: string];
  /** A hand-off to `site` waits for the displays (`holdUntilBuffered`); its answer says how long. */
  holding: [site: string];
  /** The state of `epoch` is on disk. For timing the hand-off. */
  saved: [epoch: number];
}
