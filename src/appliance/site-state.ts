/**
 * The site's retained `state`: the parts features report (`encoder`,
 * `cameras`, `tallyIn`, `lamps`, `display`, ...) put together with what the
 * runtime knows (role, link, counters, I/O health), and published at most
 * once per burst of changes plus every `intervalMs`.
 */
import type { SiteState } from '../protocol/schemas.js';
import { VERSION } from '../version.js';
import type { Clock } from './clock.js';
import type { SiteRole } from './feature.js';
import { systemFigures } from './system.js';

/** What the runtime adds to the parts. */
export interface SiteFacts {
  role: SiteRole;
  linkUp: boolean;
  epoch: number;
  counters: { badPayloads: number; droppedPresses: number };
  io: { driver: string; ok: boolean; detail: string | null };
  now: number;
}

/** Parts with a fixed place in the state; every other part is added under its own key. */
const PLACED = new Set(['encoder', 'cameras', 'tallyIn', 'lamps', 'system']);

export class SiteStateAssembler {
  private readonly parts: Record<string, unknown> = {};

  set(key: string, value: unknown): void {
    this.parts[key] = value;
  }

  assemble(facts: SiteFacts): SiteState {
    const { parts } = this;
    const tallyIn = parts['tallyIn'] as Record<string, { program: boolean; preview: boolean }> | undefined;
    return {
      version: VERSION,
      tally: { role: facts.role, link: facts.linkUp ? 'ok' : 'lost', epoch: facts.epoch, ...(tallyIn ? { cameras: tallyIn } : {}) },
      lamps: (parts['lamps'] as SiteState['lamps'] | undefined) ?? {},
      encoder: parts['encoder'] ?? null,
      cameras: parts['cameras'] ?? [],
      counters: { ...facts.counters },
      // A feature may report the box's figures itself (the dashboard's fake hardware does).
      system: parts['system'] ?? systemFigures(),
      io: facts.io,
      ...Object.fromEntries(Object.entries(parts).filter(([k]) => !PLACED.has(k))),
      updatedAt: new Date(facts.now).toISOString(),
    };
  }
}

/** How long changes gather before one state goes out. */
const COALESCE_MS = 50;

/**
 * When to publish: `changed()` publishes once after a short pause (a burst of
 * lamp and camera changes makes one message), and a refresh goes out every
 * `intervalMs` whatever happens.
 */
export class StateSchedule {
  private pending: unknown = null;
  private periodic: unknown = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly publish: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.arm();
  }

  changed(): void {
    if (this.pending !== null || this.stopped) return;
    this.pending = this.clock.setTimeout(() => {
      this.pending = null;
      this.publish();
    }, COALESCE_MS);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of [this.pending, this.periodic]) if (timer !== null) this.clock.clearTimeout(timer);
    this.pending = this.periodic = null;
  }

  private arm(): void {
    this.periodic = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.publish();
      this.arm();
    }, this.intervalMs);
  }
}
