/**
 * What the conductor publishes besides the floor (its answers on `events`,
 * the rundown), and the check that keeps unknown sites out of the state file.
 * Pure.
 */
import { withRundown, type FloorCommand, type FloorRules, type FloorState, type RememberedResult, type StepResult } from '../floor/machine.js';
import { scheduleOf } from '../floor/view.js';
import { reason, reasonMessage, type Reason } from '../protocol/reasons.js';
import { RETAINED_ANSWERS, type ConductorAnswers, type EventResult, type RelayStreams, type RundownList } from '../protocol/schemas.js';

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
  const sites = rules.sites.join(', ');
  const why = cmd.site.length <= MAX_ECHOED_SITE ? reason('unknown-site', { site: cmd.site, sites }) : reason('unknown-site-long', { length: cmd.site.length, sites });
  return { kind: 'intent', id: cmd.intent.id, action: cmd.intent.action, site: echoSite(cmd.site), result: 'rejected', ...reasonFields(why), duplicate: false, epoch, at: at.toISOString() };
}

/** `reason` (the English sentence), `code` and `params` of an answer. */
export function reasonFields(why: Reason): Pick<EventResult, 'reason' | 'code' | 'params'> {
  return { reason: reasonMessage(why), code: why.code, params: why.params as Record<string, string | number> };
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
    ...(result.code ? { code: result.code, params: result.params } : {}),
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
  // A warning (`info`) follows an answer with the same id: the answer is what a retry gets.
  if (event.duplicate || event.result === 'info' || (event.kind !== 'intent' && event.kind !== 'control')) return state;
  if (event.kind === 'intent' && !rules.sites.includes(event.site ?? '')) return state;
  const key = event.kind === 'intent' ? `intent:${event.site ?? ''}:${event.id}` : `control:${event.id}`;
  if (state.recent.some((r) => r.key === key)) return state;
  const answer = { key, accepted: event.result === 'accepted', reason: event.reason, epoch: event.epoch, ...(event.code ? { code: event.code, params: event.params ?? {} } : {}) };
  const recent = [...state.recent, answer].slice(-Math.max(1, rules.idWindow));
  return { ...state, recent };
}

/** One remembered answer as it travels on `conductor/answers` and back: reason cut short, parameters only while small. */
function carried(a: RememberedResult): RememberedResult {
  const params = a.code && a.params && JSON.stringify(a.params).length <= 600 ? a.params : undefined;
  return { key: a.key, accepted: a.accepted, reason: a.reason === null ? null : a.reason.slice(0, 300), ...(a.epoch !== undefined ? { epoch: a.epoch } : {}), ...(a.code ? { code: a.code, params: params ?? {} } : {}) };
}

/** Answers of the retained `conductor/answers` this conductor does not know yet, added to its window (about its own sites only). */
export function rememberRetained(state: FloorState, retained: ConductorAnswers, rules: FloorRules): FloorState {
  const known = new Set(state.recent.map((r) => r.key));
  const ours = (key: string): boolean => key.startsWith('control:') || rules.sites.some((site) => key.startsWith(`intent:${site}:`));
  const fresh = retained.answers.filter((a) => !known.has(a.key) && ours(a.key)).map(carried);
  if (fresh.length === 0) return state;
  return { ...state, recent: [...state.recent, ...fresh].slice(-Math.max(1, rules.idWindow)) };
}

/** The retained copy of the primary's latest first answers. */
export function retainedAnswers(state: FloorState, conductor: string): ConductorAnswers {
  return { conductor, term: state.term, epoch: state.epoch, answers: state.recent.slice(-RETAINED_ANSWERS).map(carried) };
}

/**
 * The rundown in play order, each item with its scheduled start (the plan's
 * slot), its shifted start after the delay (`plannedStart`, as before: from
 * the current item on), whether it is skipped, and the minutes added to it.
 */
export function rundownView(given: FloorState, rules: FloorRules): RundownList {
  const state = withRundown(given, rules);
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  const sched = scheduleOf(state, rules);
  const played = new Map(state.played.map((p) => [p.index, p]));
  const items = sched.items.map((s) => ({
    index: s.index,
    ...rules.rundown[s.index]!,
    plannedStart: iso(s.shiftedStart),
    scheduledStart: iso(s.scheduledStart),
    skipped: state.plan.skipped.includes(s.index),
    addedMinutes: s.addedMinutes,
    actualStart: iso(played.get(s.index)?.start ?? null),
    actualEnd: iso(played.get(s.index)?.end ?? null),
    status: s.position < state.cursor || (s.position === state.cursor && state.itemIndex === null) ? ('done' as const) : s.position === state.cursor ? ('playing' as const) : ('upcoming' as const),
  }));
  return { items, delayMinutes: sched.delayMinutes };
}

/** Why the feed of `site` cannot be seen, from the relay's view; null when it can (or the relay reports nothing). */
export function feedTrouble(streams: RelayStreams | null, site: string): Reason | null {
  if (!streams) return null;
  const stream = streams.streams.find((s) => s.site === site);
  if (!stream || stream.status === 'idle') return reason('feed-missing', { site });
  if (stream.status === 'reconnecting') return reason('feed-reconnecting', { site });
  const link = stream.link;
  if (link && (link.verdict === 'down' || link.verdict === 'unwatchable')) {
    const cause = link.whyCode ? { whyCode: link.whyCode, ...link.whyParams } : {};
    return reason('feed-bad', { site, verdict: link.verdict, why: link.why ?? '', ...cause });
  }
  return null;
}

/** The commands that put a site on air when they are accepted. */
const PUTS_ON_AIR = new Set(['grant', 'next', 'pass']);

/**
 * The floor knowing the media: the warning that follows an accepted grant,
 * next or pass when the relay (its newest `relay/streams`) says the feed of
 * the site now on air is not there or not watchable. Same id as the answer,
 * so the sender's control shows it. The floor still changes (a site can
 * speak by phone); the warning says what the other rooms will see.
 */
export function feedWarning(answer: EventResult, onAir: string | null, streams: RelayStreams | null): EventResult | null {
  if (answer.result !== 'accepted' || answer.duplicate || !onAir || !PUTS_ON_AIR.has(answer.action)) return null;
  const trouble = feedTrouble(streams, onAir);
  if (!trouble) return null;
  return { ...answer, result: 'info', site: onAir, ...reasonFields(trouble) };
}
