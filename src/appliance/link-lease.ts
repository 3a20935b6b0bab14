/**
 * The link lease (safety rule 3): the box counts its link as up only while
 * the broker connection is up, the conductor says it is online, and a
 * heartbeat came within `leaseMs`. The moment one of them fails, lamps stop
 * promising anything.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';

/** What the lease knows when it decides. */
export interface LinkFacts {
  mqttUp: boolean;
  conductorOnline: boolean;
  /** When the newest heartbeat of this connection arrived; `-Infinity` before the first. */
  lastHeartbeatAt: number;
  /** Time between the last two heartbeats, or null before the second. */
  heartbeatGapMs: number | null;
  /** When `conductor/availability` last turned `offline`; null while it says `online` (or nothing). */
  offlineSince: number | null;
  now: number;
  leaseMs: number;
}

/** Is the link up? Pure, so that the protocol's own rule can take its place. */
export type LinkRule = (facts: LinkFacts) => boolean;

/** Up while connected, the conductor online, and its last heartbeat younger than the lease. */
export const linkIsUp: LinkRule = (f) => f.mqttUp && f.conductorOnline && f.now - f.lastHeartbeatAt < f.leaseMs;

export interface LinkLeaseOptions {
  leaseMs: number;
  clock: Clock;
  /** Defaults to {@link linkIsUp}. */
  rule?: LinkRule;
}

/** While the conductor says offline and a rule still says up (a grace period), how often to ask again. */
const GRACE_POLL_MS = 250;

export class LinkLease extends EventEmitter<{ change: [up: boolean] }> {
  private mqttUp = false;
  private conductorOnline = false;
  private lastHeartbeatAt = -Infinity;
  private heartbeatGapMs: number | null = null;
  private offlineSince: number | null = null;
  private current = false;
  private timer: unknown = null;
  private stopped = false;
  private readonly rule: LinkRule;

  constructor(private readonly options: LinkLeaseOptions) {
    super();
    this.rule = options.rule ?? linkIsUp;
  }

  get up(): boolean {
    return this.current;
  }

  /**
   * A new broker connection. The link comes up only with a heartbeat over it:
   * then the conductor is back and subscribed, and a held press reaches it.
   */
  connected(): void {
    this.mqttUp = true;
    this.lastHeartbeatAt = -Infinity;
    this.heartbeatGapMs = null;
    this.evaluate();
  }

  disconnected(): void {
    this.mqttUp = false;
    this.evaluate();
  }

  conductorAvailability(online: boolean): void {
    this.conductorOnline = online;
    if (online) this.offlineSince = null;
    else this.offlineSince ??= this.options.clock.now();
    this.evaluate();
  }

  /** A heartbeat proves the conductor is online, whatever its retained availability said. */
  heartbeat(): void {
    const now = this.options.clock.now();
    if (Number.isFinite(this.lastHeartbeatAt)) this.heartbeatGapMs = now - this.lastHeartbeatAt;
    this.lastHeartbeatAt = now;
    this.conductorOnline = true;
    this.evaluate();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private evaluate(): void {
    if (this.stopped) return;
    const now = this.options.clock.now();
    const { mqttUp, conductorOnline, lastHeartbeatAt, heartbeatGapMs, offlineSince } = this;
    const up = this.rule({ mqttUp, conductorOnline, lastHeartbeatAt, heartbeatGapMs, offlineSince, now, leaseMs: this.options.leaseMs });
    this.disarm();
    // While up, look again when the lease runs out (a rule that still says up then is asked again a
    // moment later), or sooner while the conductor says offline and the rule grants a grace.
    if (up && Number.isFinite(lastHeartbeatAt)) {
      const untilLease = Math.max(1, lastHeartbeatAt + this.options.leaseMs - now);
      this.timer = this.options.clock.setTimeout(() => this.evaluate(), offlineSince === null ? untilLease : Math.min(untilLease, GRACE_POLL_MS));
    }
    if (up === this.current) return;
    this.current = up;
    this.emit('change', up);
  }

  private disarm(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
