/**
 * The rundown panel: the current item with its clocks and the operator's
 * minute buttons, the running delay (« +7 min »), and every item in play
 * order with its shifted start, skipped items marked, and for items not yet
 * played the skip and move buttons. Pure: model and UI state in, HTML out.
 */
import type { RundownList } from '../../protocol/schemas.js';
import { t } from '../../i18n/index.js';
import { delayLabel } from '../../i18n/words.js';
import { timeOfDay } from './clock.js';
import { attrs, esc, type UiState } from './html.js';
import type { DashboardModel } from './model.js';
import type { PendingActions } from './pending.js';
import { button, resultSlot } from './render-floor.js';
import { reportLinks } from './render-report.js';

function delayBadge(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '';
  const tone = minutes > 0 ? 'late' : minutes < 0 ? 'early' : 'on-time';
  return ` <span${attrs({ class: `delay delay-${tone}`, 'data-delay': minutes, title: t('rundown.delay') })}><span class="sr">${esc(t('rundown.delay'))} </span>${esc(delayLabel(minutes))}</span>`;
}

function plannedMinutes(planned: number, added: number): string {
  if (!added) return t('rundown.minutes', { n: planned });
  return t('rundown.added', { planned, sign: added > 0 ? '+' : '−', n: Math.abs(added) });
}

type Entry = RundownList['items'][number];

function entryControls(items: readonly Entry[], position: number, ui: UiState): string {
  const entry = items[position]!;
  if (ui.role !== 'operator' || entry.status !== 'upcoming') return '';
  const title = entry.title;
  const up = position > 0 && items[position - 1]!.status === 'upcoming';
  const down = position < items.length - 1;
  const move = (dir: -1 | 1, enabled: boolean): string => button(
    `${dir < 0 ? '↑' : '↓'}<span class="sr">${esc(t(dir < 0 ? 'rundown.moveUp' : 'rundown.moveDown', { title }))}</span>`,
    'move', { 'data-item': entry.index, 'data-to': position + dir, 'data-direction': dir < 0 ? 'up' : 'down', 'aria-label': t(dir < 0 ? 'rundown.moveUp' : 'rundown.moveDown', { title }), disabled: !ui.canAct || !enabled }, ui, 'small');
  const skip = entry.skipped
    ? button(esc(t('rundown.unskip')), 'unskip', { 'data-item': entry.index, 'aria-label': t('rundown.unskipLabel', { title }) }, ui, 'small')
    : button(esc(t('rundown.skip')), 'skip', { 'data-item': entry.index, 'aria-label': t('rundown.skipLabel', { title }) }, ui, 'small');
  return `<span class="row-actions">${move(-1, up)}${move(1, down)}${skip}</span>`;
}

function renderList(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const rundown = model.rundown;
  if (!rundown) return '';
  const floor = model.floor;
  const playing = floor?.item?.index ?? -1;
  const upcoming = floor?.nextItem?.index ?? Infinity;
  const rows = rundown.items.map((entry, position) => {
    // A conductor without the schedule sends no status: the old reading, by index.
    const status = entry.status ?? (entry.index === playing ? 'playing' : entry.index < upcoming ? 'done' : 'upcoming');
    const cls = [status === 'playing' ? 'playing' : status === 'done' ? 'done' : '', entry.skipped ? 'skipped' : ''].filter(Boolean).join(' ');
    const when = entry.plannedStart ? timeOfDay(entry.plannedStart) : '';
    const moved = entry.scheduledStart && entry.plannedStart && timeOfDay(entry.scheduledStart) !== when && status === 'upcoming'
      ? ` <span class="was muted small">${esc(t('rundown.scheduledAt', { time: timeOfDay(entry.scheduledStart) }))}</span>`
      : '';
    const skipped = entry.skipped ? ` <span class="skipped-mark">${esc(t('rundown.skipped'))}</span>` : '';
    return `<li${attrs({ class: cls || null, 'data-item': entry.index, 'data-status': status, 'data-skipped': entry.skipped ? 'true' : null })}><span class="when" data-when>${esc(when)}</span>${moved} <span class="item-text">${esc(entry.title)}</span>${skipped} <span class="muted">· ${esc(entry.speaker)} · ${esc(model.siteName(entry.site))} · ${esc(plannedMinutes(entry.plannedMinutes, entry.addedMinutes ?? 0))}</span>${entryControls(rundown.items, position, ui)}</li>`;
  });
  const slots = ui.role === 'operator' ? `<div class="control">${resultSlot(pending, 'skip')}${resultSlot(pending, 'unskip')}${resultSlot(pending, 'move')}</div>` : '';
  return `<ol class="rundown-list">${rows.join('')}</ol>${slots}`;
}

export function renderRundown(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const floor = model.floor;
  const item = floor?.item ?? null;
  const minutes = (n: number): string => esc(t('rundown.minutes', { n }));
  let current: string;
  if (item && floor) {
    const timer = ui.role === 'operator'
      ? `<div class="timer-actions control">${button(esc(t('rundown.removeMinute')), 'adjust', { 'data-minutes': -1, 'aria-label': t('rundown.removeMinuteLabel') }, ui, 'small')}${button(esc(t('rundown.addMinute')), 'adjust', { 'data-minutes': 1, 'aria-label': t('rundown.addMinuteLabel') }, ui, 'small')}${resultSlot(pending, 'adjust')}</div>`
      : '';
    current = `<div class="item-now" data-overtime-host>
      <div class="item-title">${esc(item.title)}</div>
      <div class="sub">${esc(item.speaker)} · ${esc(model.siteName(item.site))} · ${esc(t('rundown.item', { n: item.index + 1 }))}</div>
      <dl class="clocks">
        <div><dt>${esc(t('rundown.planned'))}</dt><dd data-planned>${esc(plannedMinutes(item.plannedMinutes, floor.addedMinutes ?? 0))}</dd></div>
        <div><dt>${esc(t('rundown.started'))}</dt><dd>${esc(timeOfDay(floor.since))}</dd></div>
        <div><dt>${esc(t('rundown.plannedEnd'))}</dt><dd data-planned-end>${esc(timeOfDay(floor.plannedEnd))}</dd></div>
        <div><dt>${esc(t('rundown.elapsed'))}</dt><dd class="clock" data-clock="elapsed"${attrs({ 'data-since': floor.since })}></dd></div>
        <div><dt data-clock-label>${esc(t('rundown.remaining'))}</dt><dd class="clock" data-clock="remaining"${attrs({ 'data-end': floor.plannedEnd })}></dd></div>
      </dl>
      ${timer}
      <div class="overtime-label" aria-live="polite">${esc(t('rundown.overtime'))}</div>
    </div>`;
  } else if (floor?.onAir) {
    current = `<div class="item-now"><div class="item-title">${esc(t('rundown.unscheduled', { site: model.siteName(floor.onAir) }))}</div>
      <div class="sub">${esc(timeOfDay(floor.since))} · <span data-clock="elapsed"${attrs({ 'data-since': floor.since })}></span></div></div>`;
  } else {
    current = `<p class="muted">${esc(t('rundown.nothing'))}</p>`;
  }
  const next = floor?.nextItem
    ? `<p class="item-next"><strong>${esc(t('rundown.nextItem'))}</strong> ${esc(floor.nextItem.title)} · ${esc(floor.nextItem.speaker)} · ${esc(model.siteName(floor.nextItem.site))} · ${minutes(floor.nextItem.plannedMinutes)}</p>`
    : '';
  return `<h2>${esc(t('rundown.title'))}${delayBadge(floor?.delayMinutes)}</h2>${current}${next}${renderList(model, ui, pending)}${reportLinks(model)}`;
}
