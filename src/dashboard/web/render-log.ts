/** The event log and the header's status pills. Pure. */
import { timeOfDay } from './clock.js';
import { esc } from './html.js';
import type { DashboardModel } from './model.js';

export function renderLog(model: DashboardModel): string {
  if (model.log.length === 0) return `<h2>Event log</h2><p class="muted">Nothing yet: intents, grants, rejections and links lost and back appear here.</p>`;
  const rows = model.log.map((entry) =>
    `<li class="log-${entry.tone}"><time>${esc(timeOfDay(new Date(entry.at).toISOString()))}</time> <span class="kind">${esc(entry.kind)}</span> ${esc(entry.text)}</li>`,
  );
  return `<h2>Event log</h2><ol class="log">${rows.join('')}</ol>`;
}

export function renderStatus(model: DashboardModel, connected: boolean): string {
  const c = model.conductor;
  const conductor = c.availability === 'online'
    ? `<span class="pill pill-ok">conductor ${esc(c.heartbeat?.conductor ?? '')} online</span>`
    : c.availability === 'offline'
      ? `<span class="pill pill-bad">conductor offline</span>`
      : `<span class="pill">conductor ?</span>`;
  const online = model.sortedSites().filter((s) => s.availability === 'online').length;
  const bad = model.badPayloads ? `<span class="pill pill-warn" title="${esc(model.lastBadPayload)}">${model.badPayloads} bad payloads</span>` : '';
  return `<span class="pill ${connected ? 'pill-ok' : 'pill-bad'}">broker ${connected ? 'connected' : 'down'}</span>${conductor}<span class="pill">${online}/${model.sites.size} sites online</span>${bad}`;
}
