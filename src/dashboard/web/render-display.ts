/**
 * The room display's line on a site card: what the room's screen shows (a
 * site, or the slate and why), and with the switcher which feeds it can cut
 * to at once (`ready`) and which it lost. From `state.display`
 * (docs/protocol.md); nothing for a box that does not report one.
 */
import { esc } from './html.js';
import type { DashboardModel, SiteView } from './model.js';
import { t } from '../../i18n/index.js';

export function displayBlock(model: DashboardModel, site: SiteView): string {
  const display = site.state?.display;
  if (!display) return '';
  const names = (ids: readonly string[]): string => ids.map((id) => model.siteName(id)).join(', ');
  const shows = display.playing
    ? t('sites.display.shows', { site: model.siteName(display.playing) })
    : t(`sites.display.slate.${display.slate ?? 'waitingFeed'}`);
  const parts = [`<span data-display-shows="${esc(display.playing ?? 'slate')}">${esc(shows)}</span>`];
  if (display.mode === 'switcher') {
    const ready = display.ready ?? [];
    parts.push(ready.length > 0
      ? `<span class="ok-text" data-display-ready="${esc(ready.join(' '))}">${esc(t('sites.display.ready', { sites: names(ready) }))}</span>`
      : `<span class="warn-text" data-display-ready="">${esc(t('sites.display.notReady'))}</span>`);
  }
  const lost = display.lost ?? [];
  if (lost.length > 0) parts.push(`<strong class="warn-text" data-display-lost="${esc(lost.join(' '))}">${esc(t('sites.display.lost', { sites: names(lost) }))}</strong>`);
  return `<div class="display small"><span>${esc(t('sites.display.title'))}${esc(t('punct.colon'))}</span>${parts.join(' · ')}</div>`;
}
