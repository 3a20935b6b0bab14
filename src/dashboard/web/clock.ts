/** Clock text for the floor and rundown timers. Pure. */

/** `12:03`, `1:02:03`, `-0:42`. */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${sign}${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Local wall-clock time `14:02:11` of an ISO stamp, or `-`. */
export function timeOfDay(iso: string | null | undefined): string {
  if (!iso) return '-';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '-';
  return at.toLocaleTimeString('en-GB', { hour12: false });
}

/** `just now`, `12 s ago`, `3 min ago`, `2 h ago`. */
export function ago(ms: number): string {
  if (ms < 1500) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  return `${Math.round(m / 60)} h ago`;
}

export interface ItemClock {
  elapsedMs: number;
  /** Negative when the item runs over. */
  remainingMs: number | null;
  overtime: boolean;
}

/** Elapsed and remaining of the on-air turn at `now` (conductor clock). */
export function itemClock(sinceIso: string | null, plannedEndIso: string | null, now: number): ItemClock | null {
  if (!sinceIso) return null;
  const since = Date.parse(sinceIso);
  if (!Number.isFinite(since)) return null;
  const end = plannedEndIso ? Date.parse(plannedEndIso) : NaN;
  const remainingMs = Number.isFinite(end) ? end - now : null;
  return { elapsedMs: Math.max(0, now - since), remainingMs, overtime: remainingMs !== null && remainingMs < 0 };
}
