/**
 * The room's lamps as a pure truth table of the site's role in the floor and
 * the health of its link. Documented in hardware/tally.md.
 *
 * | link | role    | ON AIR lamp | NEXT lamp  | button lamp              |
 * |------|---------|-------------|------------|--------------------------|
 * | ok   | on-air  | on          | off        | on                       |
 * | ok   | next    | off         | on         | off (slow-blink if asked)|
 * | ok   | queued  | off         | slow-blink | slow-blink               |
 * | ok   | idle    | off         | off        | off (slow-blink if asked)|
 * | lost | any     | link-lost   | off        | link-lost                |
 *
 * A red ON AIR lamp is a promise: with the link lost it never stays on.
 */
import type { LampPattern } from '../hardware/types.js';
import type { SiteRole } from './feature.js';

export interface RoomLamps {
  onAir: LampPattern;
  next: LampPattern;
  button: LampPattern;
}

export interface TallyInputs {
  role: SiteRole;
  linkUp: boolean;
  /** An intent from this site is on its way (sent or held), not yet reflected in the floor. */
  pending: boolean;
}

export function roomLamps({ role, linkUp, pending }: TallyInputs): RoomLamps {
  if (!linkUp) return { onAir: 'link-lost', next: 'off', button: 'link-lost' };
  switch (role) {
    case 'on-air':
      return { onAir: 'on', next: 'off', button: 'on' };
    case 'next':
      return { onAir: 'off', next: 'on', button: pending ? 'slow-blink' : 'off' };
    case 'queued':
      return { onAir: 'off', next: 'slow-blink', button: 'slow-blink' };
    case 'idle':
      return { onAir: 'off', next: 'off', button: pending ? 'slow-blink' : 'off' };
  }
}

/** This site's role in a floor. */
export function roleIn(floor: { onAir: string | null; next: string | null; queue: readonly string[] } | null, site: string): SiteRole {
  if (!floor) return 'idle';
  if (floor.onAir === site) return 'on-air';
  if (floor.next === site) return 'next';
  if (floor.queue.includes(site)) return 'queued';
  return 'idle';
}
