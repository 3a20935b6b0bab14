/** The speaker screen's HTML, from its {@link StageView}. Pure. */
import { t } from '../../i18n/index.js';
import { duration, timeOfDay } from './clock.js';
import { esc } from './html.js';
import type { StageView } from './stage-view.js';

function roleBanner(view: StageView): string {
  switch (view.role) {
    case 'on-air':
      return `<div class="stage-role role-on-air"><span class="shape shape-filled" aria-hidden="true"></span>${esc(t('stage.onAir'))}</div>`;
    case 'next':
      return `<div class="stage-role role-next"><span class="shape shape-ring" aria-hidden="true"></span>${esc(t('stage.next'))}</div>`;
    case 'queued':
      return `<div class="stage-role role-queued"><span class="shape shape-square" aria-hidden="true"></span>${esc(t('stage.queued', { position: view.position ?? 0 }))}</div>`;
    case 'wait':
      return `<div class="stage-role role-wait">${esc(t('stage.wait'))}<div class="stage-role-sub">${esc(t('stage.waitSub', { site: view.onAirName ?? '' }))}</div></div>`;
    case 'idle':
      return `<div class="stage-role role-idle">${esc(view.onAirName ? t('stage.wait') : t('stage.nobodyOnAir'))}</div>`;
  }
}

function countdown(view: StageView): string {
  if (view.remainingMs === null || view.phase === null) return '';
  // A clock that cannot be trusted shows no digits at all: a frozen one would look alive.
  if (view.stale) return `<div class="countdown countdown-stale" data-phase="stale">--:--</div>`;
  const over = view.phase === 'overtime';
  const text = over ? `+${duration(-view.remainingMs)}` : duration(Math.ceil(view.remainingMs / 1000) * 1000);
  const label = over ? t('stage.overtime') : view.phase === 'normal' ? t('stage.remaining') : t('stage.wrapUp');
  return `<div class="countdown-label" data-phase="${view.phase}">${esc(label)}</div>
    <div class="countdown phase-${view.phase}" data-phase="${view.phase}" role="timer">${esc(text)}</div>
    ${view.plannedEnd ? `<div class="planned-end">${esc(t('stage.plannedEnd', { time: timeOfDay(view.plannedEnd) }))}</div>` : ''}`;
}

export function renderStage(view: StageView, lostSince: string | null): string {
  const item = view.item
    ? `<div class="stage-item"><div class="stage-title">${esc(view.item.title)}</div><div class="stage-speaker">${esc(view.item.speaker)}</div></div>`
    : view.onAirName ? `<div class="stage-item"><div class="stage-title">${esc(t('stage.noItem'))}</div></div>` : '';
  const next = view.nextItem ? `<div class="stage-next">${esc(t('stage.nextItem', { title: view.nextItem.title, speaker: view.nextItem.speaker, site: view.nextItem.siteName }))}</div>` : '';
  const message = view.message
    ? `<div class="stage-message" role="alert" data-message-id="${esc(view.message.id)}"><span class="stage-message-text">${esc(view.message.text)}</span><button type="button" class="stage-ack" data-action="ack">${esc(t('stage.ack'))}</button></div>`
    : '';
  const lost = view.stale
    ? `<div class="stage-lost" role="alert"><strong>${esc(t('stage.linkLost'))}</strong>${lostSince ? `<div>${esc(t('stage.linkLostSince', { time: lostSince }))}</div>` : ''}</div>`
    : '';
  return `${lost}<header class="stage-head"><span class="stage-site">${esc(view.siteName)}</span></header>
    ${roleBanner(view)}${item}${countdown(view)}${message}${next}`;
}
