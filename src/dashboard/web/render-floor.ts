/**
 * The floor panel (on air, next, queue and the operator's controls) and the
 * rundown. Pure: model and UI state in, HTML out. Clocks are empty spans with
 * data attributes that the page fills every second, so the HTML only changes
 * when the model does.
 */
import type { Floor } from '../../protocol/schemas.js';
import { t } from '../../i18n/index.js';
import { timeOfDay } from './clock.js';
import { attrs, esc, tallyBadge, type TallyRole, type UiState } from './html.js';
import type { DashboardModel } from './model.js';
import { describeStatus, type PendingActions } from './pending.js';

export function tallyRole(floor: Floor | null, site: string): TallyRole {
  if (!floor) return { kind: 'idle' };
  if (floor.onAir === site) return { kind: 'on-air' };
  if (floor.next === site) return { kind: 'next' };
  const position = floor.queue.indexOf(site);
  return position >= 0 ? { kind: 'queued', position: position + 1 } : { kind: 'idle' };
}

/** The result slot beside a control: the newest action's fate. */
export function resultSlot(pending: PendingActions, key: string): string {
  const status = pending.statusFor(key);
  if (!status) return `<output class="result" data-result="${esc(key)}"></output>`;
  return `<output class="result result-${status.phase}" data-result="${esc(key)}" data-action-id="${esc(status.id)}" data-phase="${status.phase}">${esc(describeStatus(status))}</output>`;
}

export function button(label: string, action: string, extra: Record<string, string | number | boolean | null>, ui: UiState, cls = ''): string {
  const key = [action, extra['data-site'], extra['data-camera'], extra['data-preset'], extra['data-direction'], extra['data-item'], extra['data-minutes']].filter((v) => v !== undefined && v !== null).join(':');
  return `<button type="button"${attrs({ class: `act ${cls}`.trim(), 'data-action': action, 'data-key': key, disabled: !ui.canAct, ...extra })}>${label}</button>`;
}

/** A queue row's badge: NEXT for the site `next` names (the rundown may pick one further down), else its place. */
function queueBadge(floor: Floor, site: string, position: number): string {
  return floor.next === site ? `${tallyBadge({ kind: 'next' })}<span class="muted small">#${position}</span>` : tallyBadge({ kind: 'queued', position });
}

function confirmLabel(model: DashboardModel, ui: UiState, action: 'revoke' | 'next'): string | null {
  if (ui.armed !== action || !model.floor) return null;
  const site = action === 'revoke' ? model.floor.onAir : model.floor.next;
  return t(action === 'revoke' ? 'floor.confirmRevoke' : 'floor.confirmNext', { site: site ? model.siteName(site) : t('floor.nobody') });
}

export function renderFloor(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const floor = model.floor;
  const name = (site: string): string => esc(model.siteName(site));
  if (!floor) return `<h2>${esc(t('floor.title'))}</h2><p class="muted">${esc(t('floor.waiting'))}</p>`;
  // A floor the page can no longer hear is not a promise: it says so and its clock stops.
  const stale = !ui.connected ? `<div class="stale-note" role="status">${esc(t('floor.stale'))}</div>` : '';
  const onAir = floor.onAir
    ? `<div class="big-name">${name(floor.onAir)}</div>
       <div class="sub">${esc(t('floor.since', { time: timeOfDay(floor.since), elapsed: '\u0000' })).replace('\u0000', `<span data-clock="elapsed"${attrs({ 'data-since': floor.since })}></span>`)}</div>${stale}`
    : `<div class="big-name muted">${esc(t('floor.nobody'))}</div>`;
  const byRundown = floor.next && floor.queue.length > 0 && floor.queue[0] !== floor.next ? `<div class="sub why-next">${esc(t('floor.nextByRundown'))}</div>` : '';
  const next = floor.next
    ? `<div class="big-name">${name(floor.next)}</div>${floor.nextItem ? `<div class="sub">${esc(floor.nextItem.title)} · ${esc(floor.nextItem.speaker)}</div>` : ''}${byRundown}`
    : `<div class="big-name muted">${esc(t('floor.nobody'))}</div>`;
  const armedNext = confirmLabel(model, ui, 'next');
  const armedRevoke = confirmLabel(model, ui, 'revoke');
  const actions = ui.role === 'operator'
    ? `<div class="floor-actions">
        <span class="control">${button(armedNext ? esc(armedNext) : `${esc(t('floor.next'))} <kbd>N</kbd>`, 'next', { 'data-armed': armedNext ? 'true' : null }, ui, 'primary')}${resultSlot(pending, 'next')}</span>
        <span class="control">${button(armedRevoke ? esc(armedRevoke) : `${esc(t('floor.revoke'))} <kbd>R</kbd>`, 'revoke', { 'data-armed': armedRevoke ? 'true' : null }, ui, 'danger')}${resultSlot(pending, 'revoke')}</span>
      </div>`
    : '';
  const rows = floor.queue.map((site, i) => {
    const controls = ui.role === 'operator'
      ? `<span class="row-actions">
          ${button(`↑<span class="sr">${esc(t('floor.moveUp', { site: model.siteName(site) }))}</span>`, 'queue-up', { 'data-site': site, 'aria-label': t('floor.moveUp', { site: model.siteName(site) }), disabled: !ui.canAct || i === 0 }, ui, 'small')}
          ${button(`↓<span class="sr">${esc(t('floor.moveDown', { site: model.siteName(site) }))}</span>`, 'queue-down', { 'data-site': site, 'aria-label': t('floor.moveDown', { site: model.siteName(site) }), disabled: !ui.canAct || i === floor.queue.length - 1 }, ui, 'small')}
          ${button(esc(t('floor.grant')), 'grant', { 'data-site': site }, ui, 'small')}
        </span>`
      : '';
    return `<li class="queue-row"${attrs({ draggable: ui.canAct ? 'true' : null, 'data-queue-site': site })}>
        ${ui.role === 'operator' ? '<span class="grip" aria-hidden="true">⠿</span>' : ''}${queueBadge(floor, site, i + 1)}
        <span class="queue-site">${name(site)}</span>${controls}</li>`;
  });
  const queue = rows.length
    ? `<ol class="queue" data-queue>${rows.join('')}</ol>${ui.role === 'operator' ? `<div class="control">${resultSlot(pending, 'reorder')}</div>` : ''}`
    : `<p class="muted">${esc(t('floor.queueEmpty'))}</p>`;
  return `<h2>${esc(t('floor.title'))} <span class="epoch">${esc(t('floor.epoch', { epoch: floor.epoch }))}</span></h2>
    <div class="floor-grid">
      <div class="floor-cell onair-cell${floor.onAir ? ' live' : ''}${floor.onAir && !ui.connected ? ' stale' : ''}">${tallyBadge({ kind: 'on-air' }, true)}${onAir}</div>
      <div class="floor-cell next-cell">${tallyBadge({ kind: 'next' }, true)}${next}</div>
    </div>
    ${actions}
    <h3>${esc(t('floor.queue'))}</h3>${queue}`;
}
