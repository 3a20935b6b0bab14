/**
 * The day's changes to the rundown, owned by the conductor so every site
 * agrees: minutes added to or taken from the current item, items skipped,
 * items moved, and the schedule they give (planned starts, shifted starts,
 * the running delay). Pure: no clock but the one passed in.
 *
 * The plan is a row of slots: the rundown in play order, each item with its
 * planned minutes, from `dayStart` (fixed when the first item starts). A move
 * changes which item fills which slot; a skipped item keeps its slot empty,
 * so skipping is how a late day catches up. The shifted start of an item is
 * the end of the last item started (its start plus its planned and added
 * minutes), then each item not skipped after it. The delay is the next item's
 * shifted start minus its planned one (or, at the end of the rundown, the
 * last item's expected end minus its slot's end).
 */
import { reason, type Reason } from '../protocol/reasons.js';

export interface PlanItem {
  plannedMinutes: number;
}

export interface RundownPlan {
  /** Rundown indices in play order (a permutation of 0..n-1). */
  order: number[];
  /** Rundown indices skipped (never played unless unskipped first). */
  skipped: number[];
  /** Minutes added (or taken, negative) per rundown index. */
  adjustments: { index: number; minutes: number }[];
  /** ms since the Unix epoch the first slot starts at; null before the first item starts. */
  dayStart: number | null;
}

/** When a rundown item actually started and ended: the planned-vs-actual report. */
export interface PlayedItem {
  index: number;
  start: number;
  end: number | null;
}

/** Most minutes one adjustment may add or take, and most minutes an item may gain in all. */
export const MAX_ADJUST_STEP = 60;
export const MAX_ADDED_MINUTES = 180;
/** Items kept in the report (a rundown holds at most this many). */
export const MAX_PLAYED = 500;

export function initialPlan(count: number): RundownPlan {
  return { order: Array.from({ length: count }, (_, i) => i), skipped: [], adjustments: [], dayStart: null };
}

/** The plan itself when it fits a rundown of `count` items, else a fresh one (the rundown was replaced). */
export function fitPlan(plan: Partial<RundownPlan> | undefined, count: number): RundownPlan {
  const order = plan?.order;
  const isPermutation = Array.isArray(order) && order.length === count && new Set(order).size === count && order.every((i) => Number.isInteger(i) && i >= 0 && i < count);
  if (!plan || !isPermutation) return { ...initialPlan(count), dayStart: plan?.dayStart ?? null };
  const inRange = (i: number): boolean => Number.isInteger(i) && i >= 0 && i < count;
  return {
    order: [...order],
    skipped: (plan.skipped ?? []).filter(inRange),
    adjustments: (plan.adjustments ?? []).filter((a) => inRange(a.index) && Number.isFinite(a.minutes) && a.minutes !== 0),
    dayStart: typeof plan.dayStart === 'number' ? plan.dayStart : null,
  };
}

export function addedMinutes(plan: RundownPlan, index: number): number {
  return plan.adjustments.find((a) => a.index === index)?.minutes ?? 0;
}

/** The item's planned minutes with what was added or taken. */
export function minutesOf(plan: RundownPlan, items: readonly PlanItem[], index: number): number {
  return items[index]!.plannedMinutes + addedMinutes(plan, index);
}

export function isSkipped(plan: RundownPlan, index: number): boolean {
  return plan.skipped.includes(index);
}

/** The first position after `cursor` whose item is not skipped, or null. */
export function upcomingPosition(plan: RundownPlan, cursor: number): number | null {
  for (let p = cursor + 1; p < plan.order.length; p++) if (!isSkipped(plan, plan.order[p]!)) return p;
  return null;
}

type PlanOutcome = { plan: RundownPlan } | { reject: Reason };

/** Adds (or takes) minutes from the item on air, within bounds: at least one minute left, at most {@link MAX_ADDED_MINUTES} added. */
export function adjust(plan: RundownPlan, items: readonly PlanItem[], current: number | null, minutes: number): PlanOutcome {
  if (current === null) return { reject: reason('no-item-on-air') };
  const planned = items[current]!.plannedMinutes;
  const total = addedMinutes(plan, current) + minutes;
  const min = Math.ceil(1 - planned);
  if (total < min || total > MAX_ADDED_MINUTES) return { reject: reason('adjust-out-of-range', { minutes, planned, min, max: MAX_ADDED_MINUTES }) };
  const others = plan.adjustments.filter((a) => a.index !== current);
  return { plan: { ...plan, adjustments: total === 0 ? others : [...others, { index: current, minutes: total }] } };
}

function notPlayed(plan: RundownPlan, cursor: number, index: number): Reason | null {
  if (!Number.isInteger(index) || index < 0 || index >= plan.order.length) return reason('item-unknown', { item: index, count: plan.order.length });
  return plan.order.indexOf(index) <= cursor ? reason('item-started', { item: index }) : null;
}

export function skip(plan: RundownPlan, cursor: number, index: number): PlanOutcome {
  const bad = notPlayed(plan, cursor, index);
  if (bad) return { reject: bad };
  if (isSkipped(plan, index)) return { reject: reason('item-skipped', { item: index }) };
  return { plan: { ...plan, skipped: [...plan.skipped, index] } };
}

export function unskip(plan: RundownPlan, cursor: number, index: number): PlanOutcome {
  const bad = notPlayed(plan, cursor, index);
  if (bad) return { reject: bad };
  if (!isSkipped(plan, index)) return { reject: reason('item-not-skipped', { item: index }) };
  return { plan: { ...plan, skipped: plan.skipped.filter((i) => i !== index) } };
}

/** Moves an item not yet played to position `to` of the play order (among the positions not yet played). */
export function move(plan: RundownPlan, cursor: number, index: number, to: number): PlanOutcome {
  const bad = notPlayed(plan, cursor, index);
  if (bad) return { reject: bad };
  const first = cursor + 1;
  const last = plan.order.length - 1;
  if (!Number.isInteger(to) || to < first || to > last) return { reject: reason('position-out-of-range', { to, first, last }) };
  const order = plan.order.filter((i) => i !== index);
  order.splice(to, 0, index);
  return { plan: { ...plan, order } };
}

/** Where the first slot starts, for an item starting now at `position`. */
export function dayStartFor(plan: RundownPlan, items: readonly PlanItem[], position: number, now: number): number {
  return now - slotOffset(plan, items, position);
}

/** ms from `dayStart` to the slot at `position`: every slot before it, skipped ones included, at its planned minutes. */
function slotOffset(plan: RundownPlan, items: readonly PlanItem[], position: number): number {
  let ms = 0;
  for (let p = 0; p < position; p++) ms += items[plan.order[p]!]!.plannedMinutes * 60_000;
  return ms;
}

export interface ScheduledItem {
  index: number;
  position: number;
  /** The slot's start in the plan; null before the day starts. */
  scheduledStart: number | null;
  /** When the item should start now, after the delay; null for a skipped item, an item played, or before the day starts. */
  shiftedStart: number | null;
  skipped: boolean;
  addedMinutes: number;
}

export interface Schedule {
  items: ScheduledItem[];
  /** Minutes (signed, rounded) the rest of the rundown runs late; null before the day starts. */
  delayMinutes: number | null;
  /** Expected end of the last item started (its start plus its minutes with what was added). */
  expectedEnd: number | null;
}

/** The schedule of the day, from the plan, the last item started (position `cursor`) and when it started. */
export function schedule(plan: RundownPlan, items: readonly PlanItem[], cursor: number, lastStart: number | null): Schedule {
  const day = plan.dayStart;
  let clock = cursor >= 0 && lastStart !== null ? lastStart + minutesOf(plan, items, plan.order[cursor]!) * 60_000 : null;
  const expectedEnd = clock;
  let slot = day;
  const list: ScheduledItem[] = plan.order.map((index, position) => {
    const skipped = isSkipped(plan, index) && position > cursor;
    const entry: ScheduledItem = { index, position, scheduledStart: slot, shiftedStart: null, skipped, addedMinutes: addedMinutes(plan, index) };
    if (slot !== null) slot += items[index]!.plannedMinutes * 60_000;
    if (position === cursor) entry.shiftedStart = lastStart;
    if (position > cursor && !skipped && clock !== null) {
      entry.shiftedStart = clock;
      clock += minutesOf(plan, items, index) * 60_000;
    }
    return entry;
  });
  let delayMs: number | null = null;
  const next = upcomingPosition(plan, cursor);
  const upcoming = next === null ? null : list[next]!;
  if (upcoming && upcoming.shiftedStart !== null && upcoming.scheduledStart !== null) delayMs = upcoming.shiftedStart - upcoming.scheduledStart;
  else if (!upcoming && expectedEnd !== null && day !== null && cursor >= 0) delayMs = expectedEnd - (day + slotOffset(plan, items, cursor + 1));
  return { items: list, delayMinutes: delayMs === null ? null : Math.round(delayMs / 60_000) + 0, expectedEnd };
}

/** The report after the item at `index` starts at `now`: the previous one ends, this one opens (bounded). */
export function recordStart(played: readonly PlayedItem[], index: number | null, now: number): PlayedItem[] {
  const closed = recordEnd(played, now);
  return index === null ? closed : [...closed, { index, start: now, end: null }].slice(-MAX_PLAYED);
}

/** The report after the floor leaves the item that was playing. */
export function recordEnd(played: readonly PlayedItem[], now: number): PlayedItem[] {
  const last = played[played.length - 1];
  if (!last || last.end !== null) return [...played];
  return [...played.slice(0, -1), { ...last, end: now }];
}
