/**
 * Fills the page's running clocks in place (elapsed, remaining or overtime,
 * "seen ... ago") once a second; the rest of the HTML stays as it is.
 */
import { t } from '../../i18n/index.js';
import { ago, duration, itemClock } from './clock.js';

/** `now` is this browser's clock; `offsetMs` brings it to the conductor's. Without the broker the item clocks stop. */
export function fillClocks(now: number, offsetMs: number, connected: boolean): void {
  const conductorNow = now + offsetMs;
  // Without the broker the floor may have changed: the clocks stop (and say why) instead of looking alive.
  const clocks = connected ? document.querySelectorAll<HTMLElement>('[data-clock]') : [];
  for (const el of clocks) {
    const clock = itemClock(el.dataset['since'] ?? null, el.dataset['end'] ?? null, conductorNow);
    if (el.dataset['clock'] === 'elapsed') el.textContent = clock ? duration(clock.elapsedMs) : '-';
    else if (el.dataset['clock'] === 'remaining') {
      const end = el.dataset['end'] ? Date.parse(el.dataset['end']) : NaN;
      const remaining = Number.isFinite(end) ? end - conductorNow : null;
      const overtime = remaining !== null && remaining < 0;
      el.textContent = remaining === null ? '-' : overtime ? `+${duration(-remaining)}` : duration(remaining);
      const host = el.closest<HTMLElement>('[data-overtime-host]');
      host?.classList.toggle('overtime', overtime);
      const label = host?.querySelector('[data-clock-label]');
      if (label) label.textContent = t(overtime ? 'rundown.overBy' : 'rundown.remaining');
    }
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-ago]')) el.textContent = ago(now - Number(el.dataset['ago']));
}
