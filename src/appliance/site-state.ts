/**
 * The site's retained `state`: the parts features report (`encoder`,
 * `cameras`, `tallyIn`, `display`) put together with what the runtime knows
 * (name, role, link, lamps, counters, I/O health), and published at most
 * once per burst of changes plus every `intervalMs`.
 */
import type { SiteParts, SiteState } from '../protocol/site-state.js';
import { VERSION } from '../version.js';
import type { Clock } from './clock.js';
import type { SiteRole } from './feature.js';
import { systemFigures } from './system.js';

/** What the runtime adds to the parts. */
export interface SiteFacts {
  /** The site's display name ("Rivière-du-Loup"). */
  name: string;
  role: SiteRole;
  linkUp: boolean;
  epoch: number;
  /** The term of the floor followed (0 before terms). */
  term: number;
  lamps: SiteState['lamps'];
  counters: SiteState['counters'];
  io: NonNullable<SiteState['io']>;
  /** Another box uses this site id (src/mqtt/takeover.ts), or null. */
  takenOver: NonNullable<SiteState['system']>['takenOver'] | null;
  now: number;
}

export class SiteStateAssembler {
  private readonly parts: Partial<SiteParts> = {};

  set<K extends keyof SiteParts>(key: K, value: SiteParts[K]): void {
    this.parts[key] = value;
  }

  assemble(facts: SiteFacts): SiteState {
    const { encoder, cameras, tallyIn, tallySources, display, link, directLinks, linkTest } = this.parts;
    const tallyCameras = tallyIn || tallySources ? { cameras: { ...tallyIn?.cameras, ...tallySources?.cameras } } : {};
    const { source, sources, unknown } = tallySources ?? {};
    return {
      version: VERSION,
      name: facts.name,
      tally: { role: facts.role, link: facts.linkUp ? 'ok' : 'lost', epoch: facts.epoch, term: facts.term, ...tallyCameras, ...(source ? { source } : {}), ...(sources ? { sources } : {}), ...(unknown ? { unknown } : {}) },
      lamps: facts.lamps,
      encoder: encoder ?? null,
      cameras: cameras ?? [],
      counters: { ...facts.counters },
      system: { ...systemFigures(), ...(facts.takenOver ? { takenOver: facts.takenOver } : {}) },
      io: facts.io,
      ...(display ? { display } : {}),
      ...(link ? { link } : {}),
      ...(directLinks?.length ? { directLinks } : {}),
      ...(linkTest ? { linkTest } : {}),
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
