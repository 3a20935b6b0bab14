/**
 * Pure helpers of the conductor shell: the floor rules from the config, and
 * the state a conductor starts a term with.
 */
import type { ConductorConfig } from '../config/schema.js';
import { bumpEpoch, stateFromFloor, type FloorRules, type FloorState } from '../floor/machine.js';
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
 * the new term.
 */
export function stateForTerm(own: FloorState, seen: Floor | null, term: number, rules: FloorRules): FloorState {
  let state = own;
  if (seen && compareFence(fenceKey(seen), { term: own.term, epoch: own.epoch }) > 0) state = { ...stateFromFloor(seen, rules), recent: own.recent };
  return { ...bumpEpoch(state, seen?.epoch ?? 0), term };
}
