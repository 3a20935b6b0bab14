/**
 * The fencing rules every client can check (docs/protocol.md, "Fencing").
 * Pure: the box, the dashboard, the conductor and other people's tools apply
 * the same functions to what they receive.
 */
import { MAX_FENCE, type Floor, type Heartbeat } from './schemas.js';

/** The ordering key of a floor: term first, then epoch. */
export interface FenceKey {
  term: number;
  epoch: number;
}

/**
 * How far above the newest term a client knows a new term may be and still be
 * believed. Takeovers raise the term by at most the number of conductors; a
 * term thousands above is a forgery or a stale file from another event.
 */
export const MAX_TERM_JUMP = 1000;

/**
 * How far above its own epoch a conductor believes another's floor. A day of
 * events changes the floor thousands of times, not millions; a floor near
 * 2^31 would leave no room to grow.
 */
export const MAX_EPOCH_JUMP = 1_000_000;

/** The key of a floor or heartbeat; a payload without `term` is term 0 (contract v1). */
export function fenceKey(message: Pick<Floor, 'epoch' | 'term'> | Pick<Heartbeat, 'epoch' | 'term'>): FenceKey {
  return { term: message.term ?? 0, epoch: message.epoch };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareFence(a: FenceKey, b: FenceKey): number {
  return a.term !== b.term ? a.term - b.term : a.epoch - b.epoch;
}

/** True when a key is inside the contract's bounds. */
export function fenceInBounds(key: FenceKey): boolean {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= MAX_FENCE;
  return ok(key.term) && ok(key.epoch);
}

export type FloorVerdict = { accept: true } | { accept: false; reason: 'older' | 'out-of-bounds' | 'term-jump' };

/**
 * Whether a box follows a floor. It follows a floor newer by (term, epoch)
 * than the newest it follows. Once it has heard a heartbeat, a floor of a term
 * above the heartbeat's waits until a heartbeat of that term arrives (the box
 * then asks for the retained floor again): a new primary heartbeats before it
 * publishes its first floor, a forged floor has no heartbeat behind it.
 */
export function judgeFloor(newest: FenceKey | null, floor: FenceKey, heartbeatTerm: number | null): FloorVerdict {
  if (!fenceInBounds(floor)) return { accept: false, reason: 'out-of-bounds' };
  if (heartbeatTerm !== null && floor.term > heartbeatTerm) return { accept: false, reason: 'term-jump' };
  if (newest !== null && compareFence(floor, newest) <= 0) return { accept: false, reason: 'older' };
  return { accept: true };
}

/** One heartbeat as a box remembers it. */
export interface BeatSeen {
  from: string;
  term: number;
}

/**
 * The key a box follows after a heartbeat. When the last two heartbeats come
 * from one conductor, in a term below the followed floor's, that floor is not
 * the live primary's (a forgery that slipped in, a primary that lost its term
 * and was never heard again): the box follows that conductor's term again,
 * from its next floor. Otherwise the key stays.
 */
export function rebaseOnHeartbeats(followed: FenceKey | null, lastTwo: readonly BeatSeen[]): FenceKey | null {
  const [a, b] = lastTwo;
  if (!followed || !a || !b || a.from !== b.from || a.term !== b.term || a.term >= followed.term) return followed;
  return { term: a.term, epoch: -1 };
}

const beatsSeen = (recent: readonly Heartbeat[]): BeatSeen[] => recent.slice(-2).map((b) => ({ from: b.conductor, term: b.term ?? 0 }));

/**
 * The box's floor rule as one call: does a box that follows `seen`, and has
 * heard `recent` heartbeats (the newest last), follow `offered`?
 */
export function followsFloor(seen: Floor | null, offered: Floor, heartbeat: Heartbeat | null, recent: readonly Heartbeat[] = []): boolean {
  const followed = rebaseOnHeartbeats(seen ? fenceKey(seen) : null, beatsSeen(recent));
  return judgeFloor(followed, fenceKey(offered), heartbeat ? heartbeat.term ?? 0 : null).accept;
}

/** Is the conductor, by its heartbeat's (term, epoch), at a newer floor than the one the box follows? */
export function behindConductor(seen: Floor | null, heartbeat: Heartbeat, recent: readonly Heartbeat[] = []): boolean {
  const followed = rebaseOnHeartbeats(seen ? fenceKey(seen) : null, beatsSeen(recent));
  return followed === null || compareFence(fenceKey(heartbeat), followed) > 0;
}

/** What a box knows about its link to the conductor. Times are on one clock, in ms. */
export interface LinkFacts {
  now: number;
  /** The broker connection is up. */
  mqttUp: boolean;
  /** The box's lease (`link.leaseMs`). */
  leaseMs: number;
  /** When the last heartbeat arrived (-Infinity before the first). */
  lastHeartbeatAt: number;
  /** Time between the last two heartbeats, or null before the second. */
  heartbeatGapMs: number | null;
  /** When `conductor/availability` last turned `offline`; null while it says `online` (or nothing). */
  offlineSince: number | null;
}

/**
 * Whether a box shows its link up. The heartbeat is the proof of a live
 * primary: an `offline` on `conductor/availability` (a Last Will, perhaps of a
 * primary already replaced) counts only when no heartbeat follows it within
 * two heartbeat intervals. Without an `offline`, the lease decides.
 */
export function conductorLinkUp(facts: LinkFacts): boolean {
  if (!facts.mqttUp) return false;
  if (facts.now - facts.lastHeartbeatAt > facts.leaseMs) return false;
  if (facts.offlineSince === null || facts.lastHeartbeatAt > facts.offlineSince) return true;
  const grace = facts.heartbeatGapMs === null ? 0 : Math.min(facts.leaseMs, 2 * facts.heartbeatGapMs);
  return facts.now - facts.offlineSince < grace;
}
