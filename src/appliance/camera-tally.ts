/**
 * What the lamps show, as plain functions of the switcher's tally and the
 * event's floor. No timers, no I/O: the tally-in feature and the appliance
 * runtime feed these and hand the result to `PatternOutput`s. The tables are
 * documented in hardware/tally.md; the tests check them exhaustively.
 *
 * The one rule behind them: red is a promise that the *event* is watching.
 * A camera on the local program while another site has the floor is only
 * "selected here", and a box whose link is lost cannot promise anything.
 */
import type { LampPattern } from '../hardware/types.js';
import type { SiteRole } from './feature.js';

/** One camera's state on the local switcher, from its tally/GPI contacts. */
export interface SwitcherTally {
  program: boolean;
  preview: boolean;
}

/** This site's place in the event, as the box sees it. */
export interface SiteView {
  role: SiteRole;
  /** Broker and conductor heard within the lease. */
  linkUp: boolean;
}

export interface CameraLamps {
  red: LampPattern;
  green: LampPattern;
}

/**
 * Per-camera red/green lamps.
 *
 * | camera        | site on air, link ok | on air, link lost | next         | queued / idle |
 * |---------------|----------------------|-------------------|--------------|---------------|
 * | program       | red on               | red link-lost     | green blink  | green on      |
 * | preview only  | green on             | green on          | green on     | green on      |
 * | neither       | off                  | off               | off          | off           |
 * | unknown       | green link-lost      | green link-lost   | green link-lost | green link-lost |
 *
 * With the link lost the role is stale: only "on air" is treated specially
 * (the red promise is withdrawn); the other columns show the local switcher.
 * `null` is "tally unknown": a network switcher silent past its trust window
 * (src/tally/trust.ts). Red stays dark, green flashes the link-lost pattern.
 */
export function cameraLamps(tally: SwitcherTally | null, site: SiteView): CameraLamps {
  if (tally === null) return { red: 'off', green: 'link-lost' };
  if (tally.program) {
    if (site.role === 'on-air') return { red: site.linkUp ? 'on' : 'link-lost', green: 'off' };
    // Selected here but not seen by the event; when next, it is about to be.
    return { red: 'off', green: site.role === 'next' && site.linkUp ? 'slow-blink' : 'on' };
  }
  if (tally.preview) return { red: 'off', green: 'on' };
  return { red: 'off', green: 'off' };
}

export interface RoomLamps {
  onAir: LampPattern;
  next: LampPattern;
}

/**
 * The room's ON AIR and NEXT lamps.
 *
 * | role    | link ok: ON AIR / NEXT | link lost: ON AIR / NEXT |
 * |---------|------------------------|--------------------------|
 * | on-air  | on / off               | link-lost / off          |
 * | next    | off / on               | link-lost / off          |
 * | queued  | off / slow-blink       | link-lost / off          |
 * | idle    | off / off              | link-lost / off          |
 *
 * ON AIR is never steady red without a live link; NEXT goes dark because a
 * stale "you are next" would send a speaker to the podium for nothing.
 */
export function roomLamps(site: SiteView): RoomLamps {
  if (!site.linkUp) return { onAir: 'link-lost', next: 'off' };
  switch (site.role) {
    case 'on-air':
      return { onAir: 'on', next: 'off' };
    case 'next':
      return { onAir: 'off', next: 'on' };
    case 'queued':
      return { onAir: 'off', next: 'slow-blink' };
    case 'idle':
      return { onAir: 'off', next: 'off' };
  }
}

/**
 * The podium button's own lamp (steady part). Play `flash3` over it when a
 * press is rejected or made while the link is down.
 *
 * | state                                  | lamp       |
 * |----------------------------------------|------------|
 * | on air (floor granted), link ok        | on         |
 * | on air, last minute of the item        | fast-blink |
 * | on air, item over its planned end      | overtime-pulse |
 * | request pending, or queued / next      | slow-blink |
 * | idle, nothing pending                  | off        |
 * | link lost                              | off        |
 */
export function buttonLamp(site: SiteView, requestPending: boolean, cue: CountdownCue = 'none'): LampPattern {
  if (!site.linkUp) return 'off';
  if (site.role === 'on-air') return cue === 'overtime' ? 'overtime-pulse' : cue === 'last-minute' ? 'fast-blink' : 'on';
  if (requestPending || site.role === 'queued' || site.role === 'next') return 'slow-blink';
  return 'off';
}

/** The last stretch of an item in which the button lamp blinks faster. */
export const LAST_MINUTE_MS = 60_000;

/** Where the on-air item is in its time: the button lamp's cue for a speaker without a screen. */
export type CountdownCue = 'none' | 'last-minute' | 'overtime';

/**
 * The cue at `now` for an item that should end at `plannedEnd` (ms), and
 * when the cue changes next (ms), or null when it will not (overtime, or no
 * planned end).
 */
export function countdownCue(plannedEnd: number | null, now: number): { cue: CountdownCue; changesAt: number | null } {
  if (plannedEnd === null || !Number.isFinite(plannedEnd)) return { cue: 'none', changesAt: null };
  if (now >= plannedEnd) return { cue: 'overtime', changesAt: null };
  if (now >= plannedEnd - LAST_MINUTE_MS) return { cue: 'last-minute', changesAt: plannedEnd };
  return { cue: 'none', changesAt: plannedEnd - LAST_MINUTE_MS };
}
