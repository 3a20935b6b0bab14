import type { SiteRole } from './feature.js';

/** The site's role in the floor; the lamp tables that use it are in camera-tally.ts. */
/** This site's role in a floor. */
export function roleIn(floor: { onAir: string | null; next: string | null; queue: readonly string[] } | null, site: string): SiteRole {
  if (!floor) return 'idle';
  if (floor.onAir === site) return 'on-air';
  if (floor.next === site) return 'next';
  if (floor.queue.includes(site)) return 'queued';
  return 'idle';
}
