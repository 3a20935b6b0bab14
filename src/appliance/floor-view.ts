/**
 * The floor as this box sees it: the newest floor it accepted, its site's
 * role in it, and when to ask for the floor again because the conductor's
 * heartbeat shows a newer one.
 */
import type { Floor, Heartbeat } from '../protocol/schemas.js';
import type { SiteRole } from './feature.js';
import { roleIn } from './tally.js';

/**
 * Does the box take `offered` over the newest floor it took, given the
 * newest heartbeat it heard? Pure, so the protocol's fencing rule can take its place.
 */
export type FloorRule = (seen: Floor | null, offered: Floor, heartbeat: Heartbeat | null, recent: readonly Heartbeat[]) => boolean;

/** Safety rule 1: never go back to an older epoch, nor take the same one twice. */
export const acceptsFloor: FloorRule = (seen, offered) => seen === null || offered.epoch > seen.epoch;

/** Is the conductor, by its heartbeat, at a newer floor than the box? Pure, as {@link FloorRule}. */
export type BehindRule = (seen: Floor | null, heartbeat: Heartbeat, recent: readonly Heartbeat[]) => boolean;

export const behindHeartbeat: BehindRule = (seen, heartbeat) => heartbeat.epoch > (seen?.epoch ?? -1);

/**
 * The role a button's `auto` action reads: a site that is next only because
 * the rundown says so has not asked for anything, so its press is a request.
 */
export function buttonRole(role: SiteRole, floor: Floor | null, site: string): SiteRole {
  if (role === 'next' && !floor?.queue.includes(site)) return 'idle';
  return role;
}

export interface FloorChange {
  floor: Floor;
  /** Set when this site's role changed with this floor. */
  role: SiteRole | null;
}

export class FloorView {
  private current: Floor | null = null;
  private currentRole: SiteRole = 'idle';
  private lastCatchUpAt = -Infinity;
  private heartbeat: Heartbeat | null = null;
  /** The last two heartbeats, newest last (the fencing rules read them). */
  private recent: Heartbeat[] = [];

  constructor(
    private readonly site: string,
    private readonly rules: { accept?: FloorRule; behind?: BehindRule } = {},
  ) {}

  get floor(): Floor | null {
    return this.current;
  }

  get role(): SiteRole {
    return this.currentRole;
  }

  /** The epoch of the newest floor taken, -1 before any. */
  get epoch(): number {
    return this.current?.epoch ?? -1;
  }

  /** Takes a floor if the rule accepts it; `null` when it was ignored. */
  offer(floor: Floor): FloorChange | null {
    if (!(this.rules.accept ?? acceptsFloor)(this.current, floor, this.heartbeat, this.recent)) return null;
    this.current = floor;
    const role = roleIn(floor, this.site);
    const changed = role !== this.currentRole;
    this.currentRole = role;
    return { floor, role: changed ? role : null };
  }

  /**
   * The heartbeat carries the conductor's epoch: a box behind it has missed a
   * floor (a message lost while a clustered broker failed over, or a retained
   * copy that lagged). Notes the heartbeat; true when the box should ask for
   * the floor again: it is behind and has not asked within `everyMs`.
   */
  heard(heartbeat: Heartbeat, now: number, everyMs: number): boolean {
    this.heartbeat = heartbeat;
    this.recent = [...this.recent, heartbeat].slice(-2);
    if (!(this.rules.behind ?? behindHeartbeat)(this.current, heartbeat, this.recent) || now - this.lastCatchUpAt < everyMs) return false;
    this.lastCatchUpAt = now;
    return true;
  }
}
