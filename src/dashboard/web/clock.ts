/** Clock text for the floor and rundown timers. Pure. */
import { currentLang, t } from '../../i18n/index.js';
import { formatTimeOfDay } from '../../i18n/time.js';

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

/** Local time of day of an ISO stamp in the page's language (`14 h 05`, `14:05`), or `-`. */
export function timeOfDay(iso: string | null | undefined): string {
  return iso ? formatTimeOfDay(iso, currentLang()) : '-';
}

/** `à l’instant`, `il y a 12 s`, `il y a 3 min`, `il y a 2 h` (or the English). */
export function ago(ms: number): string {
  if (ms < 1500) return t('ago.now');
  const s = Math.round(ms / 1000);
  if (s < 90) return t('ago.seconds', { n: s });
  const m = Math.round(s / 60);
  if (m < 90) return t('ago.minutes', { n: m });
  return t('ago.hours', { n: Math.round(m / 60) });
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
