/**
 * The messages panel's lists: the sites' technicians' messages to the operator,
 * then each site's current message to its speaker screen, read or not. Pure.
 */
import { t } from '../../i18n/index.js';
import { timeOfDay } from './clock.js';
import { esc, type UiState } from './html.js';
import type { DashboardModel } from './model.js';
import { resultSlot } from './render-floor.js';
import { renderInbox } from './render-inbox.js';
import type { PendingActions } from './pending.js';

export function renderMessages(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const rows = model.sortedSites().flatMap((site) => {
    const message = model.messages.get(site.id);
    if (!message) return [];
    const ack = model.acks.get(site.id);
    const read = ack?.id === message.id;
    const clear = ui.role === 'operator'
      ? `<button type="button" class="small act" data-action="message-clear" data-site="${esc(site.id)}" data-key="message-clear:${esc(site.id)}"${ui.canAct ? '' : ' disabled'}>${esc(t('message.clear'))}</button>`
      : '';
    return [`<li class="message-row${read ? ' read' : ''}" data-message-site="${esc(site.id)}">
      <strong>${esc(model.siteName(site.id))}</strong> <span class="message-text">${esc(t('message.quoted', { text: message.text }))}</span>
      <span class="${read ? 'ok-text' : 'warn-text'}">${esc(read ? t('message.acknowledged', { time: timeOfDay(ack.at) }) : t('message.pendingAck'))}</span> ${clear}</li>`];
  });
  const slot = ui.role === 'operator' ? resultSlot(pending, 'message') : '';
  return `${renderInbox(model, ui, pending)}${slot}${rows.length ? `<ul class="messages">${rows.join('')}</ul>` : ''}`;
}

/** The message form's site list: rebuilt only when the sites change, so a choice in progress stays. */
export function fillMessageSites(model: DashboardModel): void {
  const select = document.querySelector<HTMLSelectElement>('#message-site');
  const input = document.querySelector<HTMLInputElement>('#message-text');
  if (!select || !input) return;
  const wanted: Array<[string, string]> = [['*', t('message.allSites')], ...model.sortedSites().map((s): [string, string] => [s.id, model.siteName(s.id)])];
  const have = [...select.options].map((o) => [o.value, o.text]);
  input.placeholder = t('message.placeholder');
  if (JSON.stringify(have) === JSON.stringify(wanted)) return;
  const value = select.value;
  select.replaceChildren(...wanted.map(([v, text]) => new Option(text, v)));
  if (wanted.some(([v]) => v === value)) select.value = value;
}
