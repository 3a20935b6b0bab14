/** The sites' technicians' messages to the operator, for the messages panel. Pure: no DOM. */
import { t } from '../../i18n/index.js';
import { timeOfDay } from './clock.js';
import { esc, type UiState } from './html.js';
import type { DashboardModel } from './model.js';
import { resultSlot } from './render-floor.js';
import type { PendingActions } from './pending.js';

/** The technicians' messages to the operator, one per site, with a "read" button while unread. */
export function renderInbox(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const rows = model.sortedSites().flatMap((site) => {
    const message = model.inbox.get(site.id);
    const throttled = model.inboxThrottled.get(site.id) ?? 0;
    if (!message && throttled === 0) return [];
    const unread = model.unreadInbox(site.id) !== null;
    const ack = model.inboxAcks.get(site.id);
    const state = !message
      ? ''
      : unread
        ? ui.role === 'operator'
          ? `<button type="button" class="small act" data-action="inbox-ack" data-site="${esc(site.id)}" data-key="inbox:${esc(site.id)}"${ui.canAct ? '' : ' disabled'}>${esc(t('message.markRead'))}</button>${resultSlot(pending, `inbox:${site.id}`)}`
          : `<span class="warn-text">${esc(t('message.inboxUnread'))}</span>`
        : `<span class="ok-text">${esc(t('message.acknowledged', { time: timeOfDay(ack?.at) }))}</span>`;
    const text = message ? ` <span class="message-text">${esc(t('message.quoted', { text: message.text }))}</span> <span class="muted small">${esc(timeOfDay(message.at))}</span> ` : ' ';
    const dropped = throttled > 0 ? ` <span class="warn-text small">${esc(t('message.inboxThrottled', { count: throttled }))}</span>` : '';
    return [`<li class="message-row inbox-row${unread ? ' unread' : ' read'}" data-inbox-site="${esc(site.id)}"><strong>${esc(model.siteName(site.id))}</strong>${text}${state}${dropped}</li>`];
  });
  return rows.length ? `<h3 class="inbox-title">${esc(t('message.inboxTitle'))}</h3><ul class="messages inbox">${rows.join('')}</ul>` : '';
}
