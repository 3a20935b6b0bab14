/**
 * Helpers of the conductor shell: the floor rules from the config, the state
 * a conductor starts a term with (both pure), and how often it publishes the
 * floor again for a box that is behind.
 */
import type { ConductorConfig } from '../config/schema.js';
import { bumpEpoch, type FloorRules, type FloorState } from '../floor/machine.js';
import { MAX_PLAYED, type PlayedItem } from '../floor/plan.js';
import { stateFromFloor } from '../floor/view.js';
import { compareFence, fenceKey, MAX_EPOCH_JUMP } from '../protocol/fencing.js';
import type { Floor } from '../protocol/schemas.js';
import { credible, type RoleConfig, type RoleState } from './roles.js';

export function rulesFromConfig(config: ConductorConfig): FloorRules {
  return {
    sites: config.sites.map((s) => s.id),
    rundown: config.rundown.map((r) => ({ title: r.title, speaker: r.speaker, site: r.site, plannedMinutes: r.minutes })),
    autoGrant: config.conductor.autoGrant,
    nextPolicy: config.conductor.nextPolicy,
    idWindow: config.conductor.idWindow,
  };
}

/**
 * Whether a floor seen on the broker may carry over into our next term: ours,
 * or a believed peer's, and not so far ahead of our epoch that it would leave
 * no room to grow (a forged epoch near 2^31).
 */
export function believableFloor(floor: Floor, own: FloorState, roles: RoleState, config: RoleConfig): boolean {
  const term = floor.term ?? 0;
  const from = floor.conductor === config.id || credible(floor.conductor, term, roles, config);
  return from && floor.epoch <= own.epoch + MAX_EPOCH_JUMP;
}

/**
 * The state a conductor holds `term` with: the newest believable floor seen
 * carries over when it is newer than our own (another conductor's, or our file
 * was lost), the id window stays ours, and the epoch grows once to announce
 * the new term. `seenPlayed` is the report the retained `rundown` carried
 * (the items the other conductor saw start and end).
 */
export function stateForTerm(own: FloorState, seen: Floor | null, term: number, rules: FloorRules, seenPlayed: readonly PlayedItem[] = []): FloorState {
  let state = own;
  if (seen && compareFence(fenceKey(seen), { term: own.term, epoch: own.epoch }) > 0) {
    const carried = stateFromFloor(seen, rules);
    // The report: what we recorded ourselves (an earlier term), then the rundown's, then the floor's last item; one entry per item, the later source winning.
    const byIndex = new Map<number, PlayedItem>();
    for (const p of [...own.played, ...seenPlayed, ...carried.played]) byIndex.set(p.index, p);
    const played = [...byIndex.values()].sort((a, b) => a.start - b.start).slice(-MAX_PLAYED);
    state = { ...carried, recent: own.recent, played };
  }
  return { ...bumpEpoch(state, seen?.epoch ?? 0), term };
}

/**
 * When the floor goes out again for a box whose state reports an older one:
 * at most once per three heartbeats (1 s at least), and not in the first such
 * interval after a change (the box's state may simply predate it). On the
 * wall clock given.
 */
export class RepublishLimit {
  private readonly everyMs: number;
  private changedAt = -Infinity;
  private lastAt = -Infinity;

  constructor(heartbeatMs: number, private readonly now: () => number) {
    this.everyMs = Math.max(1000, 3 * heartbeatMs);
  }

  /** A new floor went out. */
  changed(): void {
    this.changedAt = this.now();
  }

  /** A box is behind: true when the floor may go again now (and counts as gone). */
  allow(): boolean {
    const now = this.now();
    if (now - this.changedAt < this.everyMs || now - this.lastAt < this.everyMs) return false;
    this.lastAt = now;
    return true;
  }
}
