/**
 * Times of day in the 24-hour style of each language. French follows the
 * Office québécois de la langue française: hours 0 to 23, the symbol `h`
 * between spaces, minutes on two digits (`14 h 05`), an exact hour without
 * zeros (`14 h`); the colon (`14:05:11`) is kept for tables and logs, where
 * the Office accepts it. English writes `14:05`. Pure; local time.
 */
import type { Lang } from './index.js';

/** No line break inside a time: `14 h 05` stays whole on the speaker screen. */
const NBSP = '\u00a0';

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `14 h 05` / `14:05` of a moment, or `-` for none. */
export function formatTimeOfDay(at: Date | string | number | null | undefined, lang: Lang): string {
  if (at === null || at === undefined) return '-';
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return '-';
  const h = date.getHours();
  const m = date.getMinutes();
  if (lang === 'en') return `${two(h)}:${two(m)}`;
  return m === 0 ? `${h}${NBSP}h` : `${h}${NBSP}h${NBSP}${two(m)}`;
}

/** `14:05:11` for a log column, in both languages. */
export function formatLogTime(at: Date | string | number, _lang: Lang): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return '-';
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
