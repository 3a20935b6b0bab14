/**
 * What a site's speaker screen shows, as a pure function of the dashboard
 * model (floor, site states, messages, conductor clock), the link and the
 * time: this site's part in the floor, the running item's countdown and its
 * colour, the next item, the operator's unread message, and whether any of
 * it can still be trusted.
 */
import type { SiteMessage } from '../../protocol/schemas.js';
import type { DashboardModel } from './model.js';

export interface StageThresholds {
  /** Seconds left at which the countdown turns to the wrap-up colour. */
  wrapUpS: number;
  /** Seconds left at which it turns to the danger colour. */
  dangerS: number;
}

export type CountdownPhase = 'normal' | 'wrap-up' | 'danger' | 'overtime';

/** A conductor heard this long ago is no longer a clock to read from (its heartbeat is every second by default). */
export const CONDUCTOR_SILENCE_MS = 10_000;

export interface StageView {
  /** `wait`: another site is on air; `idle`: nobody is, and this site is not in line. */
  role: 'on-air' | 'next' | 'queued' | 'wait' | 'idle';
  position: number | null;
  siteName: string;
  onAirName: string | null;
  item: { title: string; speaker: string } | null;
  /** Remaining time of the running item on the conductor's clock (negative: overtime). */
  remainingMs: number | null;
  phase: CountdownPhase | null;
  plannedEnd: string | null;
  nextItem: { title: string; speaker: string; siteName: string } | null;
  message: SiteMessage | null;
  /** Nothing on screen can be trusted: the broker link is down or the conductor fell silent. */
  stale: boolean;
}

export function countdownPhase(remainingMs: number, thresholds: StageThresholds): CountdownPhase {
  if (remainingMs < 0) return 'overtime';
  if (remainingMs <= thresholds.dangerS * 1000) return 'danger';
  if (remainingMs <= thresholds.wrapUpS * 1000) return 'wrap-up';
  return 'normal';
}

export function stageView(model: DashboardModel, site: string, thresholds: StageThresholds, now: number, linkUp: boolean, acknowledged: ReadonlySet<string> = new Set()): StageView {
  const floor = model.floor;
  const position = floor ? floor.queue.indexOf(site) : -1;
  const role: StageView['role'] = !floor
    ? 'idle'
    : floor.onAir === site
      ? 'on-air'
      : floor.next === site
        ? 'next'
        : position >= 0
          ? 'queued'
          : floor.onAir
            ? 'wait'
            : 'idle';
  const end = floor?.onAir && floor.plannedEnd ? Date.parse(floor.plannedEnd) : NaN;
  const remainingMs = Number.isFinite(end) ? end - (now + model.clockOffsetMs) : null;
  const heardAt = model.conductor.heartbeatAt;
  const conductorSilent = model.conductor.availability === 'offline' || (heardAt !== null && now - heardAt > CONDUCTOR_SILENCE_MS);
  const message = model.unreadMessage(site);
  return {
    role,
    position: position >= 0 ? position + 1 : null,
    siteName: model.siteName(site),
    onAirName: floor?.onAir ? model.siteName(floor.onAir) : null,
    item: floor?.item ? { title: floor.item.title, speaker: floor.item.speaker } : null,
    remainingMs,
    phase: remainingMs === null ? null : countdownPhase(remainingMs, thresholds),
    plannedEnd: floor?.plannedEnd ?? null,
    nextItem: floor?.nextItem ? { title: floor.nextItem.title, speaker: floor.nextItem.speaker, siteName: model.siteName(floor.nextItem.site) } : null,
    message: message && !acknowledged.has(message.id) ? message : null,
    stale: !linkUp || conductorSilent,
  };
}
