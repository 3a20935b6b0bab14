/** The event log and the header's status pills. Pure. */
import { currentLang, t } from '../../i18n/index.js';
import { formatLogTime } from '../../i18n/time.js';
import { esc } from './html.js';
import type { DashboardModel } from './model.js';

export function renderLog(model: DashboardModel): string {
  if (model.log.length === 0) return `<h2>${esc(t('log.title'))}</h2><p class="muted">${esc(t('log.empty'))}</p>`;
  const rows = model.log.map((entry) =>
    `<li class="log-${entry.tone}"><time>${esc(formatLogTime(entry.at, currentLang()))}</time> <span class="kind">${esc(t(`log.kind.${entry.kind}`))}</span> ${esc(entry.text)}</li>`,
  );
  return `<h2>${esc(t('log.title'))}</h2><ol class="log">${rows.join('')}</ol>`;
}

export function renderStatus(model: DashboardModel, connected: boolean): string {
  const c = model.conductor;
  const conductor = c.availability === 'online'
    ? `<span class="pill pill-ok">${esc(t('status.conductorOnline', { id: c.heartbeat?.conductor ?? '' }))}</span>`
    : c.availability === 'offline'
      ? `<span class="pill pill-bad">${esc(t('status.conductorOffline'))}</span>`
      : `<span class="pill">${esc(t('status.conductorUnknown'))}</span>`;
  const online = model.sortedSites().filter((s) => s.availability === 'online').length;
  const bad = model.badPayloads ? `<span class="pill pill-warn" title="${esc(model.lastBadPayload)}">${esc(t('status.badPayloads', { n: model.badPayloads }))}</span>` : '';
  const broker = t('status.broker', { state: t(connected ? 'status.brokerUp' : 'status.brokerDown') });
  return `<span class="pill ${connected ? 'pill-ok' : 'pill-bad'}">${esc(broker)}</span>${conductor}<span class="pill">${esc(t('status.sitesOnline', { online, total: model.sites.size }))}</span>${bad}`;
}

/** The header's shortcut legend: a viewer is shown only what a viewer's keys do. */
export function legend(role: 'operator' | 'viewer', sites: number): string {
  const keys = sites > 1 ? `<kbd>1</kbd>–<kbd>${sites}</kbd>` : '<kbd>1</kbd>';
  const fill = (text: string): string => text.replace('{{next}}', '<kbd>N N</kbd>').replace('{{grant}}', '<kbd>G</kbd>').replace('{{revoke}}', '<kbd>R R</kbd>').replace('{{keys}}', keys);
  const raw = role === 'operator' ? t('header.legend', { next: '{{next}}', grant: '{{grant}}', revoke: '{{revoke}}', keys: '{{keys}}' }) : t('header.legendViewer', { keys: '{{keys}}' });
  return `<span class="sr">${esc(t('header.shortcuts'))}: </span>${fill(esc(raw))}`;
}
