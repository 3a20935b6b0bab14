/**
 * The floor panel (on air, next, queue and the operator's controls) and the
 * rundown. Pure: model and UI state in, HTML out. Clocks are empty spans with
 * data attributes that the page fills every second, so the HTML only changes
 * when the model does.
 */
import type { Floor } from '../../protocol/schemas.js';
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
  const key = [action, extra['data-site'], extra['data-camera'], extra['data-preset'], extra['data-direction']].filter((v) => v !== undefined && v !== null).join(':');
  return `<button type="button"${attrs({ class: `act ${cls}`.trim(), 'data-action': action, 'data-key': key, disabled: !ui.canAct, ...extra })}>${label}</button>`;
}

export function renderFloor(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const floor = model.floor;
  if (!floor) return `<h2>Floor</h2><p class="muted">Waiting for the conductor's floor (retained topic <code>floor</code>)…</p>`;
  const onAir = floor.onAir
    ? `<div class="big-name">${esc(floor.onAir)}</div>
       <div class="sub">since ${esc(timeOfDay(floor.since))} · <span data-clock="elapsed"${attrs({ 'data-since': floor.since })}></span> on air</div>`
    : `<div class="big-name muted">nobody</div>`;
  const next = floor.next ? `<div class="big-name">${esc(floor.next)}</div>${floor.nextItem ? `<div class="sub">${esc(floor.nextItem.title)} · ${esc(floor.nextItem.speaker)}</div>` : ''}` : `<div class="big-name muted">nobody</div>`;
  const actions = ui.role === 'operator'
    ? `<div class="floor-actions">
        <span class="control">${button('Next <kbd>N</kbd>', 'next', {}, ui, 'primary')}${resultSlot(pending, 'next')}</span>
        <span class="control">${button('Revoke <kbd>R</kbd>', 'revoke', {}, ui, 'danger')}${resultSlot(pending, 'revoke')}</span>
      </div>`
    : '';
  const rows = floor.queue.map((site, i) => {
    const controls = ui.role === 'operator'
      ? `<span class="row-actions">
          ${button('↑<span class="sr">move up</span>', 'queue-up', { 'data-site': site, 'aria-label': `move ${site} up`, disabled: !ui.canAct || i === 0 }, ui, 'small')}
          ${button('↓<span class="sr">move down</span>', 'queue-down', { 'data-site': site, 'aria-label': `move ${site} down`, disabled: !ui.canAct || i === floor.queue.length - 1 }, ui, 'small')}
          ${button('Grant', 'grant', { 'data-site': site }, ui, 'small')}
        </span>`
      : '';
    return `<li class="queue-row"${attrs({ draggable: ui.canAct ? 'true' : null, 'data-queue-site': site })}>
        ${ui.role === 'operator' ? '<span class="grip" aria-hidden="true">⠿</span>' : ''}${tallyBadge({ kind: 'queued', position: i + 1 })}
        <span class="queue-site">${esc(site)}</span>${controls}</li>`;
  });
  const queue = rows.length
    ? `<ol class="queue" data-queue>${rows.join('')}</ol>${ui.role === 'operator' ? `<div class="control">${resultSlot(pending, 'reorder')}</div>` : ''}`
    : `<p class="muted">Queue is empty.</p>`;
  return `<h2>Floor <span class="epoch">epoch ${floor.epoch}</span></h2>
    <div class="floor-grid">
      <div class="floor-cell onair-cell${floor.onAir ? ' live' : ''}">${tallyBadge({ kind: 'on-air' }, true)}${onAir}</div>
      <div class="floor-cell next-cell">${tallyBadge({ kind: 'next' }, true)}${next}</div>
    </div>
    ${actions}
    <h3>Queue</h3>${queue}`;
}

export function renderRundown(model: DashboardModel): string {
  const floor = model.floor;
  const item = floor?.item ?? null;
  let current: string;
  if (item && floor) {
    current = `<div class="item-now" data-overtime-host>
      <div class="item-title">${esc(item.title)}</div>
      <div class="sub">${esc(item.speaker)} · ${esc(item.site)} · item ${item.index + 1}</div>
      <dl class="clocks">
        <div><dt>planned</dt><dd>${esc(item.plannedMinutes)} min</dd></div>
        <div><dt>started</dt><dd>${esc(timeOfDay(floor.since))}</dd></div>
        <div><dt>planned end</dt><dd>${esc(timeOfDay(floor.plannedEnd))}</dd></div>
        <div><dt>elapsed</dt><dd class="clock" data-clock="elapsed"${attrs({ 'data-since': floor.since })}></dd></div>
        <div><dt data-clock-label>remaining</dt><dd class="clock" data-clock="remaining"${attrs({ 'data-end': floor.plannedEnd })}></dd></div>
      </dl>
      <div class="overtime-label" aria-live="polite">OVERTIME</div>
    </div>`;
  } else if (floor?.onAir) {
    current = `<div class="item-now"><div class="item-title">Unscheduled turn: ${esc(floor.onAir)}</div>
      <div class="sub">since ${esc(timeOfDay(floor.since))} · <span data-clock="elapsed"${attrs({ 'data-since': floor.since })}></span></div></div>`;
  } else {
    current = `<p class="muted">No item on air.</p>`;
  }
  const next = floor?.nextItem
    ? `<p class="item-next"><strong>Next item:</strong> ${esc(floor.nextItem.title)} · ${esc(floor.nextItem.speaker)} · ${esc(floor.nextItem.site)} · ${esc(floor.nextItem.plannedMinutes)} min</p>`
    : '';
  let list = '';
  if (model.rundown) {
    const playing = item?.index ?? -1;
    const upcoming = floor?.nextItem?.index ?? Infinity;
    list = `<ol class="rundown-list">${model.rundown.items.map((entry) => {
      const cls = entry.index === playing ? 'playing' : entry.index < upcoming && entry.index !== playing ? 'done' : '';
      return `<li class="${cls}"><span class="when">${esc(entry.plannedStart ? timeOfDay(entry.plannedStart) : '')}</span> ${esc(entry.title)} <span class="muted">· ${esc(entry.speaker)} · ${esc(entry.site)} · ${esc(entry.plannedMinutes)} min</span></li>`;
    }).join('')}</ol>`;
  }
  return `<h2>Rundown</h2>${current}${next}${list}`;
}
