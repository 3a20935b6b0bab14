/**
 * The floor state machine: who is on air, who waits, where the rundown is.
 * Pure: no MQTT, no timers, no files. The conductor feeds it commands with the
 * current time and persists and publishes what comes out.
 */
import type { Control, Floor, Intent, RundownItemView } from '../protocol/schemas.js';

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
  /** Index of the last rundown item started; -1 before the first. */
  cursor: number;
  recent: RememberedResult[];
}

export type FloorCommand =
  | { kind: 'intent'; site: string; intent: Intent }
  | { kind: 'control'; control: Control };

export interface StepResult {
  state: FloorState;
  accepted: boolean;
  reason: string | null;
  duplicate: boolean;
  /** The epoch of the answer: the new one, or the first answer's for a repeated id. */
  epoch: number;
  /** True when the floor itself changed (and the epoch grew). */
  changed: boolean;
}

export function initialFloorState(): FloorState {
  return { epoch: 0, term: 0, onAir: null, since: null, queue: [], itemIndex: null, cursor: -1, recent: [] };
}

/** Raises the epoch without another change: a restart or a takeover announces itself this way. */
export function bumpEpoch(state: FloorState, atLeast = 0): FloorState {
  return { ...state, epoch: Math.max(state.epoch, atLeast) + 1 };
}

function commandKey(cmd: FloorCommand): string {
  return cmd.kind === 'intent' ? `intent:${cmd.site}:${cmd.intent.id}` : `control:${cmd.control.id}`;
}

/** The rundown item that `next` would start, if any. */
export function upcomingItem(state: FloorState, rules: FloorRules): number | null {
  const index = state.cursor + 1;
  return index < rules.rundown.length ? index : null;
}

/** Which site gets the floor on `next`, `pass` without a target, and where the NEXT lamp lights. */
export function nextSite(state: FloorState, rules: FloorRules): string | null {
  const item = upcomingItem(state, rules);
  const fromRundown = item === null ? null : rules.rundown[item]!.site;
  const fromQueue = state.queue[0] ?? null;
  return rules.nextPolicy === 'rundown' ? fromRundown ?? fromQueue : fromQueue ?? fromRundown;
}

function giveFloor(state: FloorState, rules: FloorRules, site: string, now: number): FloorState {
  const upcoming = upcomingItem(state, rules);
  const advances = upcoming !== null && rules.rundown[upcoming]!.site === site;
  return {
    ...state,
    onAir: site,
    since: now,
    queue: state.queue.filter((s) => s !== site),
    itemIndex: advances ? upcoming : null,
    cursor: advances ? upcoming! : state.cursor,
  };
}

function clearFloor(state: FloorState): FloorState {
  return { ...state, onAir: null, since: null, itemIndex: null };
}

type Outcome = { state: FloorState } | { reject: string };

function unknownSite(site: string, rules: FloorRules): string {
  return `unknown site "${site}" (this event has: ${rules.sites.join(', ')})`;
}

function applyIntent(state: FloorState, rules: FloorRules, site: string, intent: Intent, now: number): Outcome {
  if (!rules.sites.includes(site)) return { reject: unknownSite(site, rules) };
  switch (intent.action) {
    case 'request': {
      if (state.onAir === site) return { reject: `${site} is already on air` };
      const position = state.queue.indexOf(site);
      if (position >= 0) return { reject: `${site} is already in the queue (position ${position + 1})` };
      const queued = { ...state, queue: [...state.queue, site] };
      if (rules.autoGrant && state.onAir === null) return { state: giveFloor(queued, rules, queued.queue[0]!, now) };
      return { state: queued };
    }
    case 'cancel': {
      if (!state.queue.includes(site)) return { reject: `${site} is not in the queue` };
      return { state: { ...state, queue: state.queue.filter((s) => s !== site) } };
    }
    case 'release': {
      if (state.onAir !== site) return { reject: `${site} is not on air, so it cannot release the floor` };
      const released = clearFloor(state);
      if (rules.autoGrant && released.queue.length > 0) return { state: giveFloor(released, rules, released.queue[0]!, now) };
      return { state: released };
    }
    case 'pass': {
      if (state.onAir !== site) return { reject: `${site} is not on air, so it cannot pass the floor` };
      const target = intent.to ?? nextSite(state, rules);
      if (target === null) return { reject: 'nobody to pass to: the queue is empty and the rundown is over' };
      if (!rules.sites.includes(target)) return { reject: unknownSite(target, rules) };
      if (target === site && intent.to !== undefined) return { reject: `${site} cannot pass the floor to itself` };
      return { state: giveFloor(state, rules, target, now) };
    }
  }
}

function applyControl(state: FloorState, rules: FloorRules, control: Control, now: number): Outcome {
  switch (control.action) {
    case 'grant': {
      const site = control.site!;
      if (!rules.sites.includes(site)) return { reject: unknownSite(site, rules) };
      if (state.onAir === site) return { reject: `${site} is already on air` };
      return { state: giveFloor(state, rules, site, now) };
    }
    case 'revoke': {
      if (state.onAir === null) return { reject: 'nobody is on air' };
      if (control.site && control.site !== state.onAir) return { reject: `${control.site} is not on air (${state.onAir} is)` };
      return { state: clearFloor(state) };
    }
    case 'next': {
      const target = nextSite(state, rules);
      if (target === null) return { reject: 'nothing next: the queue is empty and the rundown is over' };
      return { state: giveFloor(state, rules, target, now) };
    }
    case 'reorder': {
      const queue = control.queue!;
      const seen = new Set<string>();
      for (const site of queue) {
        if (!rules.sites.includes(site)) return { reject: unknownSite(site, rules) };
        if (seen.has(site)) return { reject: `${site} appears twice in the new queue` };
        if (site === state.onAir) return { reject: `${site} is on air and cannot be queued` };
        seen.add(site);
      }
      return { state: { ...state, queue: [...queue] } };
    }
  }
}

function sameFloor(a: FloorState, b: FloorState): boolean {
  return (
    a.onAir === b.onAir &&
    a.since === b.since &&
    a.itemIndex === b.itemIndex &&
    a.cursor === b.cursor &&
    a.queue.length === b.queue.length &&
    a.queue.every((s, i) => b.queue[i] === s)
  );
}

/**
 * Applies one intent or control. A repeated id returns the first result and
 * changes nothing; a rejected command changes nothing but the id window.
 */
export function step(state: FloorState, cmd: FloorCommand, rules: FloorRules, now: number): StepResult {
  const key = commandKey(cmd);
  const seen = state.recent.find((r) => r.key === key);
  if (seen) return { state, accepted: seen.accepted, reason: seen.reason, duplicate: true, epoch: seen.epoch ?? state.epoch, changed: false };

  const outcome = cmd.kind === 'intent'
    ? applyIntent(state, rules, cmd.site, cmd.intent, now)
    : applyControl(state, rules, cmd.control, now);
  const accepted = 'state' in outcome;
  const reason = 'reject' in outcome ? outcome.reject : null;
  const window = (epoch: number): RememberedResult[] => [...state.recent, { key, accepted, reason, epoch }].slice(-Math.max(1, rules.idWindow));
  if (!accepted) return { state: { ...state, recent: window(state.epoch) }, accepted, reason, duplicate: false, epoch: state.epoch, changed: false };

  const changed = !sameFloor(state, outcome.state);
  const epoch = changed ? state.epoch + 1 : state.epoch;
  const next: FloorState = { ...outcome.state, recent: window(epoch), epoch };
  return { state: next, accepted: true, reason: null, duplicate: false, epoch, changed };
}

function itemView(rules: FloorRules, index: number | null): RundownItemView | null {
  if (index === null) return null;
  const item = rules.rundown[index];
  return item ? { index, ...item } : null;
}

/** The retained `floor` payload for a state. */
export function floorView(state: FloorState, rules: FloorRules, conductor: string, now: number): Floor {
  const item = itemView(rules, state.itemIndex);
  const upcoming = upcomingItem(state, rules);
  const next = nextSite(state, rules);
  const nextFromRundown = upcoming !== null && rules.rundown[upcoming]!.site === next;
  return {
    epoch: state.epoch,
    term: state.term,
    onAir: state.onAir,
    next,
    queue: [...state.queue],
    since: state.since === null ? null : new Date(state.since).toISOString(),
    item,
    plannedEnd: item && state.since !== null ? new Date(state.since + item.plannedMinutes * 60_000).toISOString() : null,
    nextItem: nextFromRundown ? itemView(rules, upcoming) : null,
    conductor,
    updatedAt: new Date(now).toISOString(),
  };
}

/** Rebuilds a state from a published floor (a standby taking over has no state file of the primary). */
export function stateFromFloor(floor: Floor, rules: FloorRules): FloorState {
  const since = floor.since ? Date.parse(floor.since) : null;
  const itemIndex = floor.item ? floor.item.index : null;
  let cursor = -1;
  if (floor.item) cursor = floor.item.index;
  else if (floor.nextItem) cursor = floor.nextItem.index - 1;
  else if (rules.rundown.length > 0 && floor.next === null) cursor = rules.rundown.length - 1;
  return {
    epoch: floor.epoch,
    term: floor.term ?? 0,
    onAir: floor.onAir,
    since,
    queue: floor.queue.filter((s) => rules.sites.includes(s) && s !== floor.onAir),
    itemIndex,
    cursor,
    recent: [],
  };
}
