/**
 * What the conductor publishes besides the floor (its answers on `events`,
 * the rundown), and the check that keeps unknown sites out of the state file.
 * Pure.
 */
import type { FloorCommand, FloorRules, FloorState, StepResult } from '../floor/machine.js';
import type { EventResult, RundownList } from '../protocol/schemas.js';

/** Longest site name an answer repeats; a longer one is cut and marked. */
export const MAX_ECHOED_SITE = 64;

/** A name from a topic, cut to what an answer may repeat. */
export function echoSite(site: string): string {
  return site.length <= MAX_ECHOED_SITE ? site : `${site.slice(0, MAX_ECHOED_SITE)}… (${site.length} characters, cut)`;
}

/**
 * The answer to an intent on the topic of a site the event does not have, or
 * null for a known site. It is answered without touching the floor state:
 * no id of it is remembered, so nothing of the name reaches the state file.
 */
export function unknownSiteAnswer(cmd: FloorCommand, rules: FloorRules, epoch: number, at: Date): EventResult | null {
  if (cmd.kind !== 'intent' || rules.sites.includes(cmd.site)) return null;
  const reason = cmd.site.length <= MAX_ECHOED_SITE
    ? `unknown site "${cmd.site}" (this event has: ${rules.sites.join(', ')})`
    : `unknown site (a name of ${cmd.site.length} characters; this event has: ${rules.sites.join(', ')})`;
  return { kind: 'intent', id: cmd.intent.id, action: cmd.intent.action, site: echoSite(cmd.site), result: 'rejected', reason, duplicate: false, epoch, at: at.toISOString() };
}

/** The answer to an applied (or repeated) command: a repeat carries the first answer's result, reason and epoch. */
export function answerFor(cmd: FloorCommand, result: StepResult, at: Date): EventResult {
  return {
    kind: cmd.kind,
    id: cmd.kind === 'intent' ? cmd.intent.id : cmd.control.id,
    action: cmd.kind === 'intent' ? cmd.intent.action : cmd.control.action,
    site: cmd.kind === 'intent' ? cmd.site : cmd.control.site ?? null,
    result: result.accepted ? 'accepted' : 'rejected',
    reason: result.reason,
    duplicate: result.duplicate,
    epoch: result.epoch,
    at: at.toISOString(),
  };
}

/**
 * A standby learns the primary's answers (result, reason and epoch), so a
 * retry after a takeover is answered as the first time. Only answers about
 * the event's own sites are kept: the window's keys stay bounded.
 */
export function rememberAnswer(state: FloorState, event: EventResult, rules: FloorRules): FloorState {
  if (event.duplicate || (event.kind !== 'intent' && event.kind !== 'control')) return state;
  if (event.kind === 'intent' && !rules.sites.includes(event.site ?? '')) return state;
  const key = event.kind === 'intent' ? `intent:${event.site ?? ''}:${event.id}` : `control:${event.id}`;
  if (state.recent.some((r) => r.key === key)) return state;
  const recent = [...state.recent, { key, accepted: event.result === 'accepted', reason: event.reason, epoch: event.epoch }].slice(-Math.max(1, rules.idWindow));
  return { ...state, recent };
}

/** The rundown with each item's planned start, counted from the current item's start when there is one. */
export function rundownView(state: FloorState, rules: FloorRules): RundownList {
  const current = state.itemIndex;
  let clock = current !== null && state.since !== null ? state.since : null;
  const items = rules.rundown.map((item, index) => ({ index, ...item, plannedStart: null as string | null }));
  if (clock !== null && current !== null) {
    for (let i = current; i < items.length; i++) {
      items[i]!.plannedStart = new Date(clock).toISOString();
      clock += items[i]!.plannedMinutes * 60_000;
    }
  }
  return { items };
}
