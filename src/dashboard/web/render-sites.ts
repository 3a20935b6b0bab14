/**
 * Site cards (availability, tally, cameras, encoder chart, box health) and
 * the PTZ panel. Pure: model and UI state in, HTML out. The card's live
 * preview lives in its own element beside this HTML so re-rendering never
 * restarts the video.
 */
import { attrs, esc, tallyBadge, type UiState } from './html.js';
import { ENCODER_HISTORY_MS, type EncoderSample, type SiteView } from './model.js';
import { cameraViews, encoderView, linkView, systemView } from './views.js';
import { button, resultSlot, tallyRole } from './render-floor.js';
import type { DashboardModel } from './model.js';
import type { PendingActions } from './pending.js';
import { siteIoTrouble } from '../../protocol/site-state.js';

const CHART_W = 180;
const CHART_H = 40;

function polyline(samples: EncoderSample[], pick: (s: EncoderSample) => number | null, max: number, end: number): string {
  const points: string[] = [];
  for (const s of samples) {
    const value = pick(s);
    if (value === null) continue;
    const x = CHART_W - ((end - s.at) / ENCODER_HISTORY_MS) * CHART_W;
    const y = CHART_H - 2 - (Math.min(value, max) / max) * (CHART_H - 4);
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  return points.join(' ');
}

/** Bitrate (solid) and fps (dashed) over the last minutes, scaled to their own maxima. */
export function encoderChart(samples: EncoderSample[]): string {
  if (samples.length < 2) return '';
  const end = samples[samples.length - 1]!.at;
  const maxKbps = Math.max(1, ...samples.map((s) => s.kbps ?? 0));
  const maxFps = Math.max(30, ...samples.map((s) => s.fps ?? 0));
  return `<svg class="chart" viewBox="0 0 ${CHART_W} ${CHART_H}" width="${CHART_W}" height="${CHART_H}" role="img" aria-label="bitrate and frame rate over the last ${ENCODER_HISTORY_MS / 60_000} minutes">
    <polyline class="line-kbps" points="${polyline(samples, (s) => s.kbps, maxKbps, end)}"/>
    <polyline class="line-fps" points="${polyline(samples, (s) => s.fps, maxFps, end)}"/>
  </svg>`;
}

function availabilityLine(site: SiteView): string {
  const link = site.state?.tally.link;
  const lost = link === 'lost' ? ' · <strong class="warn-text">box reports link lost</strong>' : '';
  const seen = site.lastSeen === null ? '' : ` · seen <span data-ago="${site.lastSeen}"></span>`;
  return `<div class="avail avail-${site.availability}"><span class="dot" aria-hidden="true"></span>${esc(site.availability)}${seen}${lost}</div>`;
}

function cameraTallies(site: SiteView): string {
  const cameras = site.state?.tally.cameras;
  if (!cameras || Object.keys(cameras).length === 0) return '';
  const unknown = new Set(site.state?.tally.unknown ?? []);
  const chips = Object.entries(cameras).sort(([a], [b]) => a.localeCompare(b)).map(([name, t]) => {
    const state = t.program ? 'pgm' : t.preview ? 'pvw' : 'off';
    const label = unknown.has(name) ? 'tally unknown' : t.program ? 'PGM' : t.preview ? 'PVW' : '—';
    return `<span class="cam cam-${state}" title="${esc(name)}: ${label}"><span class="shape ${state === 'pgm' ? 'shape-filled' : state === 'pvw' ? 'shape-ring' : 'shape-dash'}" aria-hidden="true"></span>${esc(name)} ${label}</span>`;
  });
  // The network switchers the tally comes from: one line each, a warning when one is not connected.
  const sources = (site.state?.tally.sources ?? []).map((src) =>
    src.connected ? `<div class="cam-source muted">${esc(src.describe ?? src.kind)}: connected</div>` : `<div class="cam-source warn-text">${esc(src.describe ?? src.kind)}: ${esc(src.error ?? 'not connected')}</div>`);
  return `<div class="cams">${chips.join('')}</div>${sources.join('')}`;
}

function encoderBlock(site: SiteView): string {
  const enc = encoderView(site.state);
  if (!enc) return `<div class="enc muted">encoder: not reported</div>`;
  const figures = [enc.fps !== null ? `${enc.fps.toFixed(0)} fps` : null, enc.bitrateKbps !== null ? `${Math.round(enc.bitrateKbps)} kb/s` : null].filter(Boolean).join(' · ');
  return `<div class="enc enc-${esc(enc.state)}"><span>encoder <strong>${esc(enc.state)}</strong>${enc.encoder ? ` (${esc(enc.encoder)})` : ''}${figures ? ` · ${figures}` : ''}${enc.restarts ? ` · ${enc.restarts} restarts` : ''}</span>${encoderChart(site.encoderHistory)}</div>`;
}

const VERDICT_TEXT = { good: 'picture on time', late: 'picture late', unwatchable: 'picture unwatchable', down: 'feed down' } as const;

/** SRT link figures, with the verdict in words when the picture is late or broken. */
function linkBlock(site: SiteView): string {
  const link = linkView(site.state, site.relayLink);
  if (!link) return '';
  const bad = link.verdict !== 'good';
  const figures = `RTT ${Math.round(link.rttMs)} ms · loss ${link.lossPercent.toFixed(1)} % · ${link.retransmitted} resent · ${Math.round(link.receivedKbps || link.sentKbps)} kb/s · buffer ${Math.round(link.bufferMs)}/${Math.round(link.latencyMs)} ms`;
  return `<div class="link link-${esc(link.verdict)}"${attrs({ 'data-verdict': link.verdict })}><span class="${bad ? 'warn-text' : 'ok-text'}"><strong>${VERDICT_TEXT[link.verdict]}</strong>${link.why ? `: ${esc(link.why)}` : ''}</span> <span class="small">SRT ${figures}</span></div>`;
}

/** Only when something is wrong: a box with a lost I/O board cannot light its lamps or read its button. */
function ioBlock(site: SiteView): string {
  const trouble = siteIoTrouble(site.state);
  return trouble ? `<div class="io warn-text"><strong>lamps and buttons out</strong>: ${esc(trouble)}</div>` : '';
}

function systemBlock(site: SiteView): string {
  const sys = systemView(site.state);
  if (!sys) return '';
  const hot = sys.temperatureC !== null && sys.temperatureC >= 75;
  const parts = [
    sys.temperatureC !== null ? `<span class="${hot ? 'warn-text' : ''}">${sys.temperatureC.toFixed(0)} °C${hot ? ' (hot)' : ''}</span>` : null,
    sys.load1 !== null ? `load ${sys.load1.toFixed(2)}${sys.cpus ? ` / ${sys.cpus} cpu` : ''}` : null,
  ].filter(Boolean);
  return `<div class="sys">box ${parts.join(' · ')}</div>`;
}

/** The changing part of one site card (the preview sits beside it). */
export function renderSiteBody(model: DashboardModel, site: SiteView, ui: UiState, pending: PendingActions): string {
  const role = tallyRole(model.floor, site.id);
  const grant = ui.role === 'operator' && role.kind !== 'on-air'
    ? `<div class="control">${button('Grant', 'grant', { 'data-site': site.id }, ui, 'small')}${resultSlot(pending, `grant:${site.id}`)}</div>`
    : ui.role === 'operator' ? `<div class="control">${resultSlot(pending, `grant:${site.id}`)}</div>` : '';
  const name = site.state?.name ?? site.id;
  return `<header class="site-head">
      <h3><button type="button" class="select" data-action="select"${attrs({ 'data-site': site.id, 'data-key': `select:${site.id}`, 'aria-pressed': ui.selected === site.id ? 'true' : 'false' })}>${esc(name)}</button></h3>
      ${tallyBadge(role, role.kind === 'on-air' || role.kind === 'next')}
    </header>
    ${availabilityLine(site)}${ioBlock(site)}${cameraTallies(site)}${encoderBlock(site)}${linkBlock(site)}${systemBlock(site)}${grant}`;
}

/** Every camera of every site, as `site/camera` targets for the PTZ panel. */
export function ptzTargets(model: DashboardModel): Array<{ site: string; camera: ReturnType<typeof cameraViews>[number] }> {
  return model.sortedSites().flatMap((site) => cameraViews(site.state).map((camera) => ({ site: site.id, camera })));
}

/** The camera the panel drives: the chosen one if it still exists, else the selected site's first, else the first. */
export function ptzTarget(model: DashboardModel, ui: UiState): { site: string; camera: ReturnType<typeof cameraViews>[number] } | null {
  const targets = ptzTargets(model);
  return targets.find((t) => `${t.site}/${t.camera.name}` === ui.ptzTarget)
    ?? targets.find((t) => t.site === ui.selected)
    ?? targets[0]
    ?? null;
}

export function renderPtz(model: DashboardModel, ui: UiState, pending: PendingActions): string {
  const targets = ptzTargets(model);
  const target = ptzTarget(model, ui);
  if (!target) return `<h2>Cameras</h2><p class="muted">No PTZ camera reported by any site.</p>`;
  const { site, camera: cam } = target;
  const options = targets.map((t) => {
    const value = `${t.site}/${t.camera.name}`;
    return `<option${attrs({ value, selected: t === target })}>${esc(t.site)} · ${esc(t.camera.name)}${t.camera.online === false ? ' (offline)' : ''}</option>`;
  }).join('');
  const base = { 'data-site': site, 'data-camera': cam.name };
  const key = `ptz:${site}:${cam.name}`;
  const status = cam.online === false ? '<span class="warn-text">offline</span>' : cam.online ? '<span class="ok-text">online</span>' : '';
  const controls = ui.role === 'operator'
    ? (() => {
        const presets = cam.presets.length === 0
          ? '<span class="muted">no preset configured for this camera</span>'
          : cam.presets.map((p) => button(esc(p.label), 'ptz-preset', { ...base, 'data-preset': String(p.number), 'aria-pressed': cam.preset === p.number ? 'true' : 'false', 'aria-label': `recall preset ${p.label} (${p.number})` }, ui, 'small preset')).join('');
        const dir = (d: string, label: string): string => button(label, 'ptz-drive', { ...base, 'data-direction': d, 'aria-label': `move ${d} (hold)` }, ui, 'jog');
        return `<div class="presets" aria-label="presets">${presets}</div>
        <div class="ptz-row">
          <div class="jogpad">
            ${dir('up-left', '↖')}${dir('up', '↑')}${dir('up-right', '↗')}
            ${dir('left', '←')}${button('■', 'ptz-stop', { ...base, 'aria-label': 'stop' }, ui, 'jog')}${dir('right', '→')}
            ${dir('down-left', '↙')}${dir('down', '↓')}${dir('down-right', '↘')}
          </div>
          <div class="zoom">
            ${button('Zoom +', 'ptz-zoom', { ...base, 'data-direction': 'in', 'aria-label': 'zoom in (hold)' }, ui)}
            ${button('Zoom −', 'ptz-zoom', { ...base, 'data-direction': 'out', 'aria-label': 'zoom out (hold)' }, ui)}
            <label>speed <input type="range" min="1" max="24" data-ptz-speed${attrs({ value: ui.ptzSpeed, disabled: !ui.canAct })}> <span>${ui.ptzSpeed}</span></label>
          </div>
        </div>
        <div class="control">${resultSlot(pending, key)}</div>`;
      })()
    : '';
  return `<h2>Cameras</h2>
    <label class="ptz-pick">camera <select data-ptz-target aria-label="camera to control">${options}</select></label> ${status}
    ${cam.lastError ? `<p class="warn-text small">${esc(cam.lastError)}</p>` : ''}
    <div class="ptz-cam" data-ptz-site="${esc(site)}" data-ptz-camera="${esc(cam.name)}">${controls}</div>`;
}
