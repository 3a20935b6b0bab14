/**
 * The floor state machine: who is on air, who waits, where the rundown is.
 * Pure: no MQTT, no timers, no files. The conductor feeds it commands with the
 * current time and persists and publishes what comes out.
 */
import { reason, reasonMessage, type Reason, type ReasonCode } from '../protocol/reasons.js';
import type { Control, Floor, Intent, RundownItemView } from '../protocol/schemas.js';
import * as plans from './plan.js';
import type { PlayedItem, RundownPlan } from './plan.js';

export interface RundownItem {
  title: string;
  speaker: string;
  site: string;
  plannedMinutes: number;
}

export interface FloorRules {
  /** Every site of the event; intents and controls naming another site are rejected. */
  sites: readonly string[];
  rundown: readonly RundownItem[];
  /** When nobody is on air, a request (or a release with people waiting) hands the floor over at once. */
  autoGrant: boolean;
  /** `rundown`: `next` is the next rundown item's site, then the queue; `queue`: the queue first. */
  nextPolicy: 'rundown' | 'queue';
  /** How many recent intent/control ids are remembered for idempotency. */
  idWindow: number;
}

export interface RememberedResult {
  key: string;
  accepted: boolean;
  reason: string | null;
  /** The reason's code and parameters (files before codes: none). */
  code?: string | null;
  params?: Record<string, string | number>;
  /** The epoch the first answer carried; a repeat is answered with it (files before it: the current epoch). */
  epoch?: number;
}

export interface FloorState {
  epoch: number;
  /** The term of the primary that wrote this state (see src/conductor/roles.ts); 0 before terms. */
  term: number;
  onAir: string | null;
  /** ms since the Unix epoch when the on-air site got the floor. */
  since: number | null;
  queue: string[];
  /** Rundown item being played, or null for an unscheduled turn. */
  itemIndex: number | null;
  /** Position (in `plan.order`) of the last rundown item started; -1 before the first. */
  cursor: number;
  recent: RememberedResult[];
  /** The day's changes to the rundown: order, skips, added minutes, the schedule's start. */
  plan: RundownPlan;
  /** When each rundown item started and ended (the planned-vs-actual report). */
  played: PlayedItem[];
}

export type FloorCommand =
  | { kind: 'intent'; site: string; intent: Intent }
  | { kind: 'control'; control: Control };

export interface StepResult {
  state: FloorState;
  accepted: boolean;
  reason: string | null;
  /** The reason's stable code and parameters (null when accepted). */
  code: string | null;
  params: Record<string, string | number>;
  duplicate: boolean;
  /** The epoch of the answer: the new one, or the first answer's for a repeated id. */
  epoch: number;
  /** True when the floor itself changed (and the epoch grew). */
  changed: boolean;
}

export function initialFloorState(rundownLength = 0): FloorState {
  return { epoch: 0, term: 0, onAir: null, since: null, queue: [], itemIndex: null, cursor: -1, recent: [], plan: plans.initialPlan(rundownLength), played: [] };
}

/** A state from a file written before the plan, or for another rundown: the plan fits the rules' rundown. */
export function fitState(state: FloorState, rules: FloorRules): FloorState {
  const plan = plans.fitPlan(state.plan, rules.rundown.length);
  return { ...state, plan, cursor: Math.min(state.cursor, rules.rundown.length - 1), played: (state.played ?? []).slice(-plans.MAX_PLAYED) };
}

/** The state itself when its plan is one of the rules' rundown (the usual case), else fitted. */
export function withRundown(state: FloorState, rules: FloorRules): FloorState {
  return state.plan?.order.length === rules.rundown.length && state.played ? state : fitState(state, rules);
}

/** Raises the epoch without another change: a restart or a takeover announces itself this way. */
export function bumpEpoch(state: FloorState, atLeast = 0): FloorState {
  return { ...state, epoch: Math.max(state.epoch, atLeast) + 1 };
}

function commandKey(cmd: FloorCommand): string {
  return cmd.kind === 'intent' ? `intent:${cmd.site}:${cmd.intent.id}` : `control:${cmd.control.id}`;
}

/** The rundown item that `next` would start, if any: the first one after the cursor not skipped. */
export function upcomingItem(given: FloorState, rules: FloorRules): number | null {
  const { plan, cursor } = withRundown(given, rules);
  const position = plans.upcomingPosition(plan, cursor);
  return position === null ? null : plan.order[position]!;
}

/** Which site gets the floor on `next`, `pass` without a target, and where the NEXT lamp lights. */
export function nextSite(state: FloorState, rules: FloorRules): string | null {
  const item = upcomingItem(state, rules);
  const fromRundown = item === null ? null : rules.rundown[item]!.site;
  const fromQueue = state.queue[0] ?? null;
  return rules.nextPolicy === 'rundown' ? fromRundown ?? fromQueue : fromQueue ?? fromRundown;
}

function giveFloor(state: FloorState, rules: FloorRules, site: string, now: number): FloorState {
  const position = plans.upcomingPosition(state.plan, state.cursor);
  const upcoming = position === null ? null : state.plan.order[position]!;
  const advances = upcoming !== null && rules.rundown[upcoming]!.site === site;
  const dayStart = advances && state.plan.dayStart === null ? plans.dayStartFor(state.plan, rules.rundown, position!, now) : state.plan.dayStart;
  return {
    ...state,
    onAir: site,
    since: now,
    queue: state.queue.filter((s) => s !== site),
    itemIndex: advances ? upcoming : null,
    cursor: advances ? position! : state.cursor,
    plan: dayStart === state.plan.dayStart ? state.plan : { ...state.plan, dayStart },
    played: advances ? plans.recordStart(state.played, upcoming, now) : plans.recordEnd(state.played, now),
  };
}

function clearFloor(state: FloorState, now: number): FloorState {
  return { ...state, onAir: null, since: null, itemIndex: null, played: plans.recordEnd(state.played, now) };
}

type Outcome = { state: FloorState } | { reject: Reason };

function unknownSite(site: string, rules: FloorRules): Reason {
  return reason('unknown-site', { site, sites: rules.sites.join(', ') });
}

function applyIntent(state: FloorState, rules: FloorRules, site: string, intent: Intent, now: number): Outcome {
  if (!rules.sites.includes(site)) return { reject: unknownSite(site, rules) };
  switch (intent.action) {
    case 'request': {
      if (state.onAir === site) return { reject: reason('already-on-air', { site }) };
      const position = state.queue.indexOf(site);
      if (position >= 0) return { reject: reason('already-queued', { site, position: position + 1 }) };
      const queued = { ...state, queue: [...state.queue, site] };
      if (rules.autoGrant && state.onAir === null) return { state: giveFloor(queued, rules, queued.queue[0]!, now) };
      return { state: queued };
    }
    case 'cancel': {
      if (!state.queue.includes(site)) return { reject: reason('not-queued', { site }) };
      return { state: { ...state, queue: state.queue.filter((s) => s !== site) } };
    }
    case 'release': {
      if (state.onAir !== site) return { reject: reason('release-not-on-air', { site }) };
      const released = clearFloor(state, now);
      if (rules.autoGrant && released.queue.length > 0) return { state: giveFloor(released, rules, released.queue[0]!, now) };
      return { state: released };
    }
    case 'pass': {
      if (state.onAir !== site) return { reject: reason('pass-not-on-air', { site }) };
      const target = intent.to ?? nextSite(state, rules);
      if (target === null) return { reject: reason('nobody-to-pass-to') };
      if (!rules.sites.includes(target)) return { reject: unknownSite(target, rules) };
      if (target === site && intent.to !== undefined) return { reject: reason('pass-to-self', { site }) };
      return { state: giveFloor(state, rules, target, now) };
    }
  }
}

function applyControl(state: FloorState, rules: FloorRules, control: Control, now: number): Outcome {
  switch (control.action) {
    case 'grant': {
      const site = control.site!;
      if (!rules.sites.includes(site)) return { reject: unknownSite(site, rules) };
      if (state.onAir === site) return { reject: reason('already-on-air', { site }) };
      return { state: giveFloor(state, rules, site, now) };
    }
    case 'revoke': {
      if (state.onAir === null) return { reject: reason('nobody-on-air') };
      if (control.site && control.site !== state.onAir) return { reject: reason('other-on-air', { site: control.site, onAir: state.onAir }) };
      return { state: clearFloor(state, now) };
    }
    case 'next': {
      const target = nextSite(state, rules);
      if (target === null) return { reject: reason('nothing-next') };
      return { state: giveFloor(state, rules, target, now) };
    }
    case 'reorder': {
      const queue = control.queue!;
      const seen = new Set<string>();
      for (const site of queue) {
        if (!rules.sites.includes(site)) return { reject: unknownSite(site, rules) };
        if (seen.has(site)) return { reject: reason('queued-twice', { site }) };
        if (site === state.onAir) return { reject: reason('on-air-not-queueable', { site }) };
        seen.add(site);
      }
      return { state: { ...state, queue: [...queue] } };
    }
    case 'adjust':
      return withPlan(state, plans.adjust(state.plan, rules.rundown, state.itemIndex, control.minutes!));
    case 'skip':
      return withPlan(state, plans.skip(state.plan, state.cursor, control.item!));
    case 'unskip':
      return withPlan(state, plans.unskip(state.plan, state.cursor, control.item!));
    case 'move':
      return withPlan(state, plans.move(state.plan, state.cursor, control.item!, control.to!));
  }
}

function withPlan(state: FloorState, outcome: { plan: RundownPlan } | { reject: Reason }): Outcome {
  return 'reject' in outcome ? outcome : { state: { ...state, plan: outcome.plan } };
}

function sameFloor(a: FloorState, b: FloorState): boolean {
  return (
    a.onAir === b.onAir &&
    a.since === b.since &&
    a.itemIndex === b.itemIndex &&
    a.cursor === b.cursor &&
    a.queue.length === b.queue.length &&
    a.queue.every((s, i) => b.queue[i] === s) &&
    JSON.stringify(a.plan) === JSON.stringify(b.plan)
  );
}

/**
 * Applies one intent or control. A repeated id returns the first result and
 * changes nothing; a rejected command changes nothing but the id window.
 */
export function step(given: FloorState, cmd: FloorCommand, rules: FloorRules, now: number): StepResult {
  const state = withRundown(given, rules);
  const key = commandKey(cmd);
  const seen = state.recent.find((r) => r.key === key);
  if (seen) return { state, accepted: seen.accepted, reason: seen.reason, code: seen.code ?? null, params: seen.params ?? {}, duplicate: true, epoch: seen.epoch ?? state.epoch, changed: false };

  const outcome = cmd.kind === 'intent'
    ? applyIntent(state, rules, cmd.site, cmd.intent, now)
    : applyControl(state, rules, cmd.control, now);
  const accepted = 'state' in outcome;
  const why = 'reject' in outcome ? outcome.reject : null;
  const text = why ? reasonMessage(why) : null;
  const code: ReasonCode | null = why?.code ?? null;
  const params = (why?.params ?? {}) as Record<string, string | number>;
  const remembered = (epoch: number): RememberedResult => (why ? { key, accepted, reason: text, code, params, epoch } : { key, accepted, reason: null, epoch });
  const window = (epoch: number): RememberedResult[] => [...state.recent, remembered(epoch)].slice(-Math.max(1, rules.idWindow));
  if (!accepted) return { state: { ...state, recent: window(state.epoch) }, accepted, reason: text, code, params, duplicate: false, epoch: state.epoch, changed: false };

  const changed = !sameFloor(state, outcome.state);
  const epoch = changed ? state.epoch + 1 : state.epoch;
  const next: FloorState = { ...outcome.state, recent: window(epoch), epoch };
  return { state: next, accepted: true, reason: null, code: null, params: {}, duplicate: false, epoch, changed };
}
