/**
 * Bitrate that follows the link (pure): from each interval of a feed's SRT
 * statistics, the bitrate the encoder should use, between a configured floor
 * and ceiling. Down fast, up slowly (as TCP's AIMD, and as SRT's own
 * guidance): one bad interval cuts by `downFactor`; `upAfter` good intervals in
 * a row add `upStepPercent`. A change smaller than `minChangePercent` is not
 * worth a restart of the encoder and is not proposed.
 */
import type { LinkStats } from '../protocol/schemas.js';

export interface BitratePolicy {
  floorKbps: number;
  ceilingKbps: number;
  /** Multiply by this on a bad interval (0.7: 30 % down). */
  downFactor: number;
  /** Good intervals in a row before a step up. */
  upAfter: number;
  upStepPercent: number;
  /** Loss (before retransmission) above which an interval is bad. */
  badLossPercent: number;
  minChangePercent: number;
}

export const DEFAULT_BITRATE_POLICY: Omit<BitratePolicy, 'floorKbps' | 'ceilingKbps'> = {
  downFactor: 0.7,
  upAfter: 5,
  upStepPercent: 10,
  // The sender counts every packet the relay reported lost, resends included: 2 to 5 % per interval on an
  // ordinary link of 1 % loss (80 ms RTT, test/media/rural-day.test.ts), 12 to 20 % at 10 %.
  badLossPercent: 8,
  minChangePercent: 5,
};

export interface BitrateState {
  kbps: number;
  goodStreak: number;
}

/** Why an interval says the link cannot carry the current bitrate; null for a good one. */
export function congestion(stats: LinkStats, _currentKbps: number, policy: BitratePolicy): string | null {
  if (stats.verdict === 'unwatchable' || stats.verdict === 'down') return `link ${stats.verdict}`;
  if (stats.dropped > 0) return `${stats.dropped} packets too late`;
  if (stats.lossPercent > policy.badLossPercent) return `${stats.lossPercent} % loss`;
  // SRT's own estimate of the link's capacity (`bandwidthKbps`) is not a reason: over the emulated rural link
  // it read 170-190 kbit/s, about the sending rate, for minutes after a lossy spell on a path with room to
  // spare, and held the bitrate at its floor (test/media/rural-day.test.ts). Loss and late packets decide.
  return null;
}

/** The next state after one interval, and the bitrate to switch to when it changed enough. */
export function nextBitrate(state: BitrateState, stats: LinkStats, policy: BitratePolicy): { state: BitrateState; changeTo: number | null; why: string | null } {
  const clamp = (kbps: number): number => Math.round(Math.min(policy.ceilingKbps, Math.max(policy.floorKbps, kbps)));
  const why = congestion(stats, state.kbps, policy);
  let target: number;
  let goodStreak: number;
  if (why) {
    target = clamp(state.kbps * policy.downFactor);
    goodStreak = 0;
  } else {
    goodStreak = state.goodStreak + 1;
    target = goodStreak >= policy.upAfter ? clamp(state.kbps * (1 + policy.upStepPercent / 100)) : state.kbps;
    if (goodStreak >= policy.upAfter) goodStreak = 0;
  }
  const worth = Math.abs(target - state.kbps) >= (state.kbps * policy.minChangePercent) / 100;
  if (!worth) return { state: { kbps: state.kbps, goodStreak }, changeTo: null, why };
  return { state: { kbps: target, goodStreak }, changeTo: target, why: why ?? 'link good' };
}
