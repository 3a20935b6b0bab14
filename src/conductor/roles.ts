/**
 * The conductor's roles and fencing as a pure machine: no MQTT, no timers, no
 * files. The shell feeds it events stamped with a monotonic time and carries
 * out its decisions. A primary holds a term; terms only grow, and a floor is
 * ordered by (term, epoch), so a primary that was frozen or cut off cannot
 * outrank the one that replaced it.
 */
import { MAX_FENCE } from '../protocol/schemas.js';
import { MAX_TERM_JUMP } from '../protocol/fencing.js';

/** `unsure`: not yet sure whether another conductor holds a newer term; acts on nothing meanwhile. */
export type Role = 'unsure' | 'primary' | 'standby';

export interface RoleConfig {
  id: string;
  leaseMs: number;
  heartbeatMs: number;
  /** The conductor ids of the event; empty: any id is believed (within the term bound). */
  peers: readonly string[];
}

export interface RoleState {
  role: Role;
  /** The highest believed term; the one held while primary. */
  term: number;
  /** Who holds `term`, when known. */
  holder: string | null;
  /** Since when (monotonic ms) an unsure conductor has waited with its link up. */
  unsureSince: number | null;
  /** What an unsure conductor was before its doubt. */
  wasPrimary: boolean;
  lastInputAt: number;
  /** Last sign of life of the primary, for a standby's lease. */
  lastPrimarySeenAt: number;
  /** When `conductor/availability` said `offline` (null once it said `online`). */
  offlineAt: number | null;
  linkUp: boolean;
  linkDownAt: number | null;
  lastBeatAt: number;
  lastRepublishAt: number;
}

export type RoleInput =
  | { kind: 'tick'; at: number }
  | { kind: 'link'; at: number; up: boolean }
  | { kind: 'heartbeat'; at: number; from: string; term: number }
  | { kind: 'floor'; at: number; from: string; term: number; epoch: number; ownEpoch: number }
  | { kind: 'availability'; at: number; value: 'online' | 'offline' }
  /** A payload on `floor` that is not a valid floor (out of bounds, not JSON). */
  | { kind: 'bad-floor'; at: number }
  /** A command (or a publish) wants to go ahead. */
  | { kind: 'command'; at: number };

export type Decision =
  | { kind: 'become-primary'; term: number; why: string }
  | { kind: 'step-down'; term: number; holder: string; why: string }
  | { kind: 'doubt'; why: string }
  | { kind: 'beat' }
  | { kind: 'republish-floor'; why: string }
  | { kind: 'reassert-availability' }
  /** Ask the broker for the retained floor again (an unsure conductor learns the newest term). */
  | { kind: 'refresh-floor' }
  | { kind: 'apply' }
  | { kind: 'hold' }
  | { kind: 'drop'; why: string }
  | { kind: 'release-held' }
  | { kind: 'drop-held' }
  | { kind: 'ignore'; why: string };

export interface RoleStep {
  state: RoleState;
  decisions: Decision[];
}

/**
 * The starting state. A conductor started as primary starts unsure: it applies
 * nothing queued for it until a lease has passed without a newer term.
 */
export function initialRoleState(at: number, options: { standby: boolean; term: number; holder: string | null; leaseMs: number }): RoleState {
  return {
    role: options.standby ? 'standby' : 'unsure',
    term: Math.min(Math.max(0, options.term), MAX_FENCE),
    holder: options.holder,
    unsureSince: null,
    wasPrimary: false,
    lastInputAt: at,
    // A standby started with the primary waits one lease more than the primary's own doubt lasts.
    lastPrimarySeenAt: options.standby ? at + options.leaseMs : at,
    offlineAt: null,
    linkUp: false,
    linkDownAt: at,
    lastBeatAt: -Infinity,
    lastRepublishAt: -Infinity,
  };
}

/** A silence longer than this (frozen process, starved loop, lost link) means the standby may have taken over. */
export function pauseLimit(config: RoleConfig): number {
  return Math.max(config.heartbeatMs, Math.floor(config.leaseMs / 2));
}

/**
 * How long an unsure conductor listens before it acts: long enough for a live
 * primary's heartbeat (every `heartbeatMs`) to reach it twice, never longer
 * than the lease. A newer primary heard meanwhile deposes it.
 */
export function doubtMs(config: RoleConfig): number {
  return Math.min(config.leaseMs, 2 * config.heartbeatMs + 250);
}

/**
 * The next term this conductor may take above `known`. With a peer list each
 * conductor owns the terms congruent to its rank, so two conductors that take
 * over at the same moment never hold the same term.
 */
export function nextTerm(known: number, config: RoleConfig): number {
  const ranks = [...config.peers].sort();
  const rank = ranks.indexOf(config.id);
  if (rank < 0) return Math.min(known + 1, MAX_FENCE);
  let term = known + 1;
  while (term % ranks.length !== rank) term += 1;
  return Math.min(term, MAX_FENCE);
}

/**
 * Without a peer list, standbys left without a primary at the same moment
 * would all take the same next term: each waits an extra 0 to 3 heartbeats,
 * drawn from its id, so one usually goes first and the others hear it.
 */
export function takeoverStagger(config: RoleConfig): number {
  if (config.peers.length > 0) return 0;
  let hash = 0x811c9dc5;
  for (const ch of config.id) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (hash % 4) * config.heartbeatMs;
}

/** A term from another conductor is believed when it comes from a peer and does not jump too far. */
export function credible(from: string, term: number, state: RoleState, config: RoleConfig): boolean {
  if (from === config.id) return false;
  if (config.peers.length > 0 && !config.peers.includes(from)) return false;
  return term <= state.term + MAX_TERM_JUMP;
}

function doubt(state: RoleState, at: number, why: string, out: Decision[]): RoleState {
  out.push({ kind: 'doubt', why }, { kind: 'refresh-floor' });
  return { ...state, role: 'unsure', wasPrimary: true, unsureSince: state.linkUp ? at : null };
}

function stepDown(state: RoleState, at: number, term: number, holder: string, why: string, out: Decision[]): RoleState {
  if (state.role === 'unsure') out.push({ kind: 'drop-held' });
  if (state.role !== 'standby') out.push({ kind: 'step-down', term, holder, why });
  return { ...state, role: 'standby', term, holder, unsureSince: null, wasPrimary: false, lastPrimarySeenAt: at, offlineAt: null };
}

function becomePrimary(state: RoleState, at: number, config: RoleConfig, why: string, out: Decision[]): RoleState {
  // A conductor that held the newest term and saw nobody newer goes on in it; anyone else takes a new one.
  const term = state.holder === config.id ? state.term : nextTerm(state.term, config);
  // The term first: held commands are applied in it, after it is saved and announced.
  out.push({ kind: 'become-primary', term, why }, { kind: 'beat' });
  if (state.role === 'unsure') out.push({ kind: 'release-held' });
  return { ...state, role: 'primary', term, holder: config.id, unsureSince: null, wasPrimary: false, lastBeatAt: at, offlineAt: null };
}

/** A gap in the inputs or a link that was down: the standby may have taken over meanwhile. */
function afterSilence(state: RoleState, at: number, silentFor: number, config: RoleConfig, out: Decision[]): RoleState {
  if (silentFor <= pauseLimit(config)) return state;
  if (state.role === 'primary') return doubt(state, at, `silent for ${Math.round(silentFor)} ms`, out);
  // A standby gives the primary one lease from now, or it would take over at once after its own pause.
  if (state.role === 'standby') return { ...state, lastPrimarySeenAt: at };
  return { ...state, unsureSince: state.linkUp ? at : null };
}

function onTick(state: RoleState, at: number, config: RoleConfig, out: Decision[]): RoleState {
  if (!state.linkUp) return state;
  if (state.role === 'unsure') {
    if (state.unsureSince === null || at - state.unsureSince < doubtMs(config)) return state;
    return becomePrimary(state, at, config, state.wasPrimary ? 'no newer term in one lease: going on' : 'no other primary in one lease', out);
  }
  if (state.role === 'standby') {
    const silent = at - state.lastPrimarySeenAt;
    if (silent > config.leaseMs + takeoverStagger(config)) return becomePrimary(state, at, config, `took over: no heartbeat from the primary for ${Math.round(silent)} ms`, out);
    if (state.offlineAt !== null && at - state.offlineAt >= config.heartbeatMs) return becomePrimary(state, at, config, 'took over: the primary went offline', out);
    return state;
  }
  if (at - state.lastBeatAt >= config.heartbeatMs) {
    out.push({ kind: 'beat' });
    return { ...state, lastBeatAt: at };
  }
  return state;
}

function onPeer(state: RoleState, input: Extract<RoleInput, { kind: 'heartbeat' | 'floor' }>, config: RoleConfig, out: Decision[]): RoleState {
  const { at, from, term } = input;
  if (from === config.id) {
    // Our own floor: one of an older life, or forged with our id, is replaced by the current one.
    if (input.kind === 'floor' && state.role === 'primary' && (term !== state.term || input.epoch !== input.ownEpoch)) return republish(state, at, config, 'a floor under our id that is not ours', out);
    return state;
  }
  if (!credible(from, term, state, config)) {
    out.push({ kind: 'ignore', why: `${input.kind} of term ${term} from "${from.slice(0, 64)}" is not credible` });
    return input.kind === 'floor' && state.role === 'primary' ? republish(state, at, config, 'a floor that is not credible', out) : state;
  }
  const newer = term > state.term;
  // Same term: only with a peer list are terms owned; without one, the larger id wins a tie.
  const tie = term === state.term && input.kind === 'heartbeat' && config.peers.length === 0 && from > config.id;
  if (newer || tie) {
    const next = stepDown(state, at, term, from, `${from} holds term ${term}`, out);
    return input.kind === 'heartbeat' ? next : { ...next, lastPrimarySeenAt: state.role === 'standby' ? state.lastPrimarySeenAt : at };
  }
  if (term < state.term || state.role === 'primary') {
    // An older term (a deposed primary, a stale retained copy) or a floor of our term under another id.
    if (state.role === 'primary' && input.kind === 'floor') return republish(state, at, config, `a floor of term ${term} from ${from}`, out);
    out.push({ kind: 'ignore', why: `${input.kind} of term ${term} from ${from} is not newer than term ${state.term}` });
    return state;
  }
  // The holder of our term: a standby counts its heartbeats; an unsure conductor learns it is not alone.
  if (input.kind === 'heartbeat') {
    if (state.role === 'unsure') return stepDown(state, at, term, from, `${from} is alive in term ${term}`, out);
    return { ...state, holder: from, lastPrimarySeenAt: at, offlineAt: null };
  }
  if (state.role === 'unsure' && state.holder !== config.id) return stepDown(state, at, term, from, `${from} published term ${term}`, out);
  return state;
}

function republish(state: RoleState, at: number, config: RoleConfig, why: string, out: Decision[]): RoleState {
  if (at - state.lastRepublishAt < config.heartbeatMs) return state;
  out.push({ kind: 'republish-floor', why });
  return { ...state, lastRepublishAt: at };
}

/** One input in, the next state and what to do out. */
export function roleStep(state: RoleState, input: RoleInput, config: RoleConfig): RoleStep {
  const out: Decision[] = [];
  const at = Math.max(input.at, state.lastInputAt);
  let next = afterSilence(state, at, at - state.lastInputAt, config, out);
  next = { ...next, lastInputAt: at };
  switch (input.kind) {
    case 'tick':
      next = onTick(next, at, config, out);
      break;
    case 'link':
      if (!input.up) {
        next = { ...next, linkUp: false, linkDownAt: next.linkDownAt ?? at, unsureSince: null };
        break;
      }
      if (next.linkUp) break;
      next = afterSilence({ ...next, linkUp: true }, at, at - (next.linkDownAt ?? at), config, out);
      next = { ...next, linkDownAt: null, unsureSince: next.role === 'unsure' ? at : next.unsureSince };
      if (next.role === 'unsure') out.push({ kind: 'refresh-floor' });
      break;
    case 'heartbeat':
    case 'floor':
      next = onPeer(next, input, config, out);
      break;
    case 'availability':
      if (input.value === 'online') next = { ...next, offlineAt: null };
      else if (next.role === 'primary') out.push({ kind: 'reassert-availability' });
      else next = { ...next, offlineAt: at };
      break;
    case 'bad-floor':
      if (next.role === 'primary') next = republish(next, at, config, 'the retained floor is not a valid floor', out);
      break;
    case 'command':
      if (next.role === 'primary') out.push({ kind: 'apply' });
      else if (next.role === 'unsure') out.push({ kind: 'hold' });
      else out.push({ kind: 'drop', why: 'standby: the primary answers' });
      break;
  }
  return { state: next, decisions: out };
}
