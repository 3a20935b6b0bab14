/**
 * The floor as the conductor publishes it (the retained `floor` payload), and
 * back: a standby that takes over rebuilds the state, the rundown plan
 * included, from the newest floor it saw. Pure.
 */
import type { Floor, RundownItemView, RundownList } from '../protocol/schemas.js';
import { nextSite, upcomingItem, withRundown, type FloorRules, type FloorState } from './machine.js';
import * as plans from './plan.js';

/** Upcoming items a floor lists with their shifted starts (the `rundown` topic lists them all). */
export const FLOOR_UPCOMING = 20;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function itemView(rules: FloorRules, index: number | null): RundownItemView | null {
  if (index === null) return null;
  const item = rules.rundown[index];
  return item ? { index, ...item } : null;
}

/** The report's entry of the last item started, if it is the one at the cursor. */
function lastPlayed(state: FloorState): plans.PlayedItem | null {
  const last = state.played[state.played.length - 1];
  return last && state.cursor >= 0 && last.index === state.plan.order[state.cursor] ? last : null;
}

/** The day's schedule for a state: planned and shifted starts, the running delay. */
export function scheduleOf(given: FloorState, rules: FloorRules): plans.Schedule {
  const state = withRundown(given, rules);
  const start = state.itemIndex !== null ? state.since : lastPlayed(state)?.start ?? null;
  return plans.schedule(state.plan, rules.rundown, state.cursor, start);
}

/** The retained `floor` payload for a state. */
export function floorView(given: FloorState, rules: FloorRules, conductor: string, now: number): Floor {
  const state = withRundown(given, rules);
  const item = itemView(rules, state.itemIndex);
  const upcoming = upcomingItem(state, rules);
  const next = nextSite(state, rules);
  const nextFromRundown = upcoming !== null && rules.rundown[upcoming]!.site === next;
  const sched = scheduleOf(state, rules);
  const last = lastPlayed(state);
  const minutes = item ? plans.minutesOf(state.plan, rules.rundown, item.index) : 0;
  return {
    epoch: state.epoch,
    term: state.term,
    onAir: state.onAir,
    next,
    queue: [...state.queue],
    since: iso(state.since),
    item,
    plannedEnd: item && state.since !== null ? iso(state.since + minutes * 60_000) : null,
    nextItem: nextFromRundown ? itemView(rules, upcoming) : null,
    conductor,
    updatedAt: new Date(now).toISOString(),
    addedMinutes: item ? plans.addedMinutes(state.plan, item.index) : 0,
    delayMinutes: sched.delayMinutes,
    upcoming: sched.items
      .filter((s) => s.position > state.cursor)
      .slice(0, FLOOR_UPCOMING)
      .map((s) => ({ index: s.index, scheduledStart: iso(s.scheduledStart), shiftedStart: iso(s.shiftedStart), skipped: s.skipped })),
    schedule: {
      dayStart: iso(state.plan.dayStart),
      position: state.cursor,
      order: [...state.plan.order],
      skipped: [...state.plan.skipped],
      adjustments: state.plan.adjustments.map((a) => ({ ...a })),
      last: last ? { index: last.index, start: iso(last.start)!, end: iso(last.end) } : null,
    },
  };
}

const parsed = (at: string | null | undefined): number | null => {
  const ms = at ? Date.parse(at) : NaN;
  return Number.isFinite(ms) ? ms : null;
};

/** Rebuilds a state from a published floor (a standby taking over has no state file of the primary). */
export function stateFromFloor(floor: Floor, rules: FloorRules): FloorState {
  const since = parsed(floor.since);
  const itemIndex = floor.item ? floor.item.index : null;
  const sched = floor.schedule;
  const plan = plans.fitPlan(
    sched ? { order: sched.order, skipped: sched.skipped, adjustments: sched.adjustments, dayStart: parsed(sched.dayStart) } : undefined,
    rules.rundown.length,
  );
  // A floor of an older conductor has no schedule: the cursor comes from its items, in rundown order.
  let cursor = -1;
  if (sched && sched.position < plan.order.length) cursor = sched.position;
  else if (floor.item) cursor = floor.item.index;
  else if (floor.nextItem) cursor = floor.nextItem.index - 1;
  else if (rules.rundown.length > 0 && floor.next === null) cursor = rules.rundown.length - 1;
  const last = sched?.last ? { index: sched.last.index, start: parsed(sched.last.start), end: parsed(sched.last.end) } : null;
  const played: plans.PlayedItem[] = last && last.start !== null ? [{ index: last.index, start: last.start, end: last.end }] : [];
  return {
    epoch: floor.epoch,
    term: floor.term ?? 0,
    onAir: floor.onAir,
    since,
    queue: floor.queue.filter((s) => rules.sites.includes(s) && s !== floor.onAir),
    itemIndex,
    cursor,
    recent: [],
    plan,
    played,
  };
}

/**
 * The report's entries a retained `rundown` carries (each item's actual
 * start and end): what a standby that takes over keeps of the day before it.
 */
export function playedFromRundown(list: RundownList | null, rules: FloorRules): plans.PlayedItem[] {
  if (!list) return [];
  const played: plans.PlayedItem[] = [];
  for (const item of list.items) {
    const start = parsed(item.actualStart);
    if (start === null || !Number.isInteger(item.index) || item.index < 0 || item.index >= rules.rundown.length) continue;
    played.push({ index: item.index, start, end: parsed(item.actualEnd) });
  }
  return played.sort((a, b) => a.start - b.start).slice(-plans.MAX_PLAYED);
}
