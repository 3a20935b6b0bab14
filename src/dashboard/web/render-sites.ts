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
import { feedTroubleOf } from './grant-check.js';
import { displayBlock } from './render-display.js';
import { currentLang, t } from '../../i18n/index.js';
import { formatTimeOfDay } from '../../i18n/time.js';
import { decimal } from '../../i18n/numbers.js';
import { linkWhyText } from '../../i18n/words.js';

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
  return `<svg class="chart" viewBox="0 0 ${CHART_W} ${CHART_H}" width="${CHART_W}" height="${CHART_H}" role="img" aria-label="${esc(t('sites.chart', { n: ENCODER_HISTORY_MS / 60_000 }))}">
    <polyline class="line-kbps" points="${polyline(samples, (s) => s.kbps, maxKbps, end)}"/>
    <polyline class="line-fps" points="${polyline(samples, (s) => s.fps, maxFps, end)}"/>
  </svg>`;
}

function availabilityLine(site: SiteView): string {
  const link = site.state?.tally.link;
  const lost = link === 'lost' ? ` · <strong class="warn-text">${esc(t('sites.linkLost'))}</strong>` : '';
  const seen = site.lastSeen === null ? '' : ` · ${esc(t('sites.seen', { ago: '\u0000' })).replace('\u0000', `<span data-ago="${site.lastSeen}"></span>`)}`;
  return `<div class="avail avail-${site.availability}"><span class="dot" aria-hidden="true"></span>${esc(t(`sites.${site.availability}`))}${seen}${lost}</div>`;
}

/**
 * The switcher's tally per camera, by the lamp rule (src/appliance/camera-tally.ts):
 * red PGM only while this site is on air; a camera on the local program of a
 * site the event is not watching is only "selected here", green like its lamp.
 */
function cameraTallies(site: SiteView, onAir: boolean): string {
  const cameras = site.state?.tally.cameras;
  if (!cameras || Object.keys(cameras).length === 0) return '';
  const unknown = new Set(site.state?.tally.unknown ?? []);
  const chips = Object.entries(cameras).sort(([a], [b]) => a.localeCompare(b)).map(([name, tally]) => {
    const state = tally.program ? (onAir ? 'pgm' : 'pvw') : tally.preview ? 'pvw' : 'off';
    const label = unknown.has(name) ? t('sites.tallyUnknown') : tally.program ? 'PGM' : tally.preview ? 'PVW' : '—';
    return `<span class="cam cam-${state}" title="${esc(name)}: ${esc(label)}"><span class="shape ${state === 'pgm' ? 'shape-filled' : state === 'pvw' ? 'shape-ring' : 'shape-dash'}" aria-hidden="true"></span>${esc(name)} ${label}</span>`;
  });
  // The network switchers the tally comes from: one line each, a warning when one is not connected.
  const sources = (site.state?.tally.sources ?? []).map((src) =>
    src.connected
      ? `<div class="cam-source muted">${esc(src.describe ?? src.kind)}${esc(t('punct.colon'))}${esc(t('sites.sourceConnected'))}</div>`
      : `<div class="cam-source warn-text">${esc(src.describe ?? src.kind)}${esc(t('punct.colon'))}${esc(src.error ?? t('sites.sourceDown'))}</div>`);
  return `<div class="cams">${chips.join('')}</div>${sources.join('')}`;
}

function encoderBlock(site: SiteView): string {
  const enc = encoderView(site.state);
  if (!enc) return `<div class="enc muted">${esc(t('sites.encoderNone'))}</div>`;
  const figures = [enc.fps !== null ? `${enc.fps.toFixed(0)} fps` : null, enc.bitrateKbps !== null ? `${Math.round(enc.bitrateKbps)} kb/s` : null].filter(Boolean).join(' · ');
  return `<div class="enc enc-${esc(enc.state)}"><span>${esc(t('sites.encoder', { state: '\u0000' })).replace('\u0000', `<strong>${esc(enc.state)}</strong>`)}${enc.encoder ? ` (${esc(enc.encoder)})` : ''}${figures ? ` · ${figures}` : ''}${enc.restarts ? ` · ${esc(t('sites.restarts', { n: enc.restarts }))}` : ''}</span>${encoderChart(site.encoderHistory)}</div>`;
}

/** SRT link figures, with the verdict in words when the picture is late or broken. */
function linkBlock(site: SiteView): string {
  const link = linkView(site.state, site.relayLink);
  if (!link) return '';
  const bad = link.verdict !== 'good';
  const figures = t('sites.linkFigures', {
    rtt: Math.round(link.rttMs),
    loss: decimal(link.lossPercent, 1),
    resent: link.retransmitted,
    kbps: Math.round(link.receivedKbps || link.sentKbps),
    buffer: Math.round(link.bufferMs),
    latency: Math.round(link.latencyMs),
  });
  const cause = linkWhyText(link);
  const why = cause ? `${t('punct.colon')}${cause}` : '';
  return `<div class="link link-${esc(link.verdict)}"${attrs({ 'data-verdict': link.verdict })}><span class="${bad ? 'warn-text' : 'ok-text'}"><strong>${esc(t(`sites.linkVerdict.${link.verdict}`))}</strong>${esc(why)}</span> <span class="small">SRT ${esc(figures)}</span></div>`;
}

/** A box serving its feed straight to other sites' displays: one line per display, its verdict and figures as the box sends. */
function directBlock(model: DashboardModel, site: SiteView): string {
  const links = site.state?.directLinks ?? [];
  return links
    .map((link) => {
      const figures = t('sites.linkFigures', { rtt: Math.round(link.rttMs), loss: decimal(link.lossPercent, 1), resent: link.retransmitted, kbps: Math.round(link.sentKbps), buffer: Math.round(link.bufferMs), latency: Math.round(link.latencyMs) });
      const bad = link.verdict !== 'good';
      return `<div class="link link-${esc(link.verdict)}"${attrs({ 'data-direct': link.peer, 'data-verdict': link.verdict })}><span>${esc(t('sites.directTo', { site: model.siteName(link.peer) }))}</span> <span class="${bad ? 'warn-text' : 'ok-text'}"><strong>${esc(t(`sites.linkVerdict.${link.verdict}`))}</strong></span> <span class="small">SRT ${esc(figures)}</span></div>`;
    })
    .join('');
}

/** The newest `relais link test --report` of the site: what it measured and the SRT settings it calls for. */
export function linkTestBlock(site: SiteView): string {
  const test = site.state?.linkTest;
  if (!test) return '';
  const figures = t('sites.linkTestFigures', {
    rtt: test.rttMs ? Math.round(test.rttMs.p50) : '-',
    loss: decimal(test.lossPercent, 1),
    capacity: test.throughputKbps === null ? t('sites.linkTestUnknown') : Math.round(test.throughputKbps),
  });
  const advice = t('sites.linkTestAdvice', { latency: test.recommended.latencyMs, bitrate: test.recommended.bitrateKbps });
  return `<div class="link-test small"${attrs({ 'data-link-test': site.id })}><strong>${esc(t('sites.linkTest', { at: formatTimeOfDay(test.at, currentLang()) }))}</strong>${esc(t('punct.colon'))}${esc(figures)} · ${esc(advice)}</div>`;
}

/** Only when something is wrong: a box with a lost I/O board cannot light its lamps or read its button. */
function ioBlock(site: SiteView): string {
  const trouble = siteIoTrouble(site.state);
  return trouble ? `<div class="io warn-text"><strong>${esc(t('sites.ioOut'))}</strong>${esc(t('punct.colon'))}${esc(trouble)}</div>` : '';
}

/** Only when another box connects with this site's id: the operator must find the duplicate. */
function takenOverBlock(site: SiteView): string {
  const conflict = site.state?.system?.takenOver;
  if (!conflict) return '';
  return `<div class="takeover warn-text" data-taken-over="${conflict.count}"><strong>${esc(t('sites.takenOver', { site: site.id }))}</strong>${esc(t('punct.colon'))}${esc(t('sites.takenOverFix', { count: conflict.count }))}</div>`;
}

/** Only after a run-time fallback: which encoder failed, which one carries the feed now, and why. */
function fallbackBlock(site: SiteView): string {
  const fallback = site.state?.encoder?.fallback;
  if (!fallback) return '';
  return `<div class="enc-fallback warn-text">${esc(t('sites.encoderFallback', { from: fallback.from, to: fallback.to }))}${esc(t('punct.colon'))}${esc(fallback.reason)}</div>`;
}

function systemBlock(site: SiteView): string {
  const sys = systemView(site.state);
  if (!sys) return '';
  const hot = sys.temperatureC !== null && sys.temperatureC >= 75;
  const parts = [
    sys.temperatureC !== null ? `<span class="${hot ? 'warn-text' : ''}">${sys.temperatureC.toFixed(0)} °C${hot ? ` (${esc(t('sites.hot'))})` : ''}</span>` : null,
    sys.load1 !== null ? `${esc(t('sites.load', { load: sys.load1.toFixed(2) }))}${sys.cpus ? ` / ${esc(t('sites.cpus', { n: sys.cpus }))}` : ''}` : null,
  ].filter(Boolean);
  return `<div class="sys">${esc(t('sites.box'))} ${parts.join(' · ')}</div>`;
}

/** The changing part of one site card (the preview sits beside it). */
export function renderSiteBody(model: DashboardModel, site: SiteView, ui: UiState, pending: PendingActions, stageLink: string | null = null): string {
  const role = tallyRole(model.floor, site.id);
  const anyway = ui.grantAnyway === site.id ? feedTroubleOf(model, site.id) : null;
  const grant = ui.role === 'operator' && role.kind !== 'on-air'
    ? `<div class="control">${anyway ? `<p class="warn-text small" data-feed-trouble="${esc(anyway)}">${esc(t(`sites.feedTrouble.${anyway}`, { site: model.siteName(site.id) }))}</p>` : ''}${button(esc(t(anyway ? 'floor.grantAnyway' : 'floor.grant')), 'grant', { 'data-site': site.id, 'data-armed': anyway ? 'true' : null }, ui, anyway ? 'small danger' : 'small')}${resultSlot(pending, `grant:${site.id}`)}</div>`
    : ui.role === 'operator' ? `<div class="control">${resultSlot(pending, `grant:${site.id}`)}</div>` : '';
  const name = model.siteName(site.id);
  // The number the 1-9 keys select it by (the terminal demo numbers its sites the same way).
  const index = model.sortedSites().findIndex((s) => s.id === site.id) + 1;
  const key = index >= 1 && index <= 9 ? `<kbd class="site-key" title="${esc(t('header.shortcuts'))}">${index}</kbd> ` : '';
  const stage = stageLink ? `<div class="stage-link"><a href="${esc(stageLink)}" target="_blank" rel="noopener" data-stage-link="${esc(site.id)}">${esc(t('sites.stageLink'))}</a> <button type="button" class="small" data-action="stage-qr"${attrs({ 'data-site': site.id, 'aria-label': t('sites.stageLinkFor', { site: name }) })}>QR</button></div>` : '';
  return `<header class="site-head">
      <h3>${key}<button type="button" class="select" data-action="select"${attrs({ 'data-site': site.id, 'data-key': `select:${site.id}`, 'aria-pressed': ui.selected === site.id ? 'true' : 'false' })}>${esc(name)}</button></h3>
      ${tallyBadge(role, role.kind === 'on-air' || role.kind === 'next')}
    </header>
    ${availabilityLine(site)}${takenOverBlock(site)}${ioBlock(site)}${cameraTallies(site, role.kind === 'on-air')}${encoderBlock(site)}${fallbackBlock(site)}${linkBlock(site)}${directBlock(model, site)}${displayBlock(model, site)}${linkTestBlock(site)}${systemBlock(site)}${grant}${stage}`;
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
  if (!target) return `<h2>${esc(t('ptz.title'))}</h2><p class="muted">${esc(t('ptz.none'))}</p>`;
  const { site, camera: cam } = target;
  const chosen = `${site}/${cam.name}`;
  // By value: each ptzTargets() call makes new objects, so comparing them never matched and the list snapped back.
  const options = targets.map((entry) => {
    const value = `${entry.site}/${entry.camera.name}`;
    return `<option${attrs({ value, selected: value === chosen })}>${esc(model.siteName(entry.site))} · ${esc(entry.camera.name)}${entry.camera.online === false ? ` (${esc(t('ptz.offline'))})` : ''}</option>`;
  }).join('');
  const base = { 'data-site': site, 'data-camera': cam.name };
  const key = `ptz:${site}:${cam.name}`;
  const status = cam.online === false ? `<span class="warn-text">${esc(t('ptz.offline'))}</span>` : cam.online ? `<span class="ok-text">${esc(t('ptz.online'))}</span>` : '';
  const controls = ui.role === 'operator'
    ? (() => {
        const presets = cam.presets.length === 0
          ? `<span class="muted">${esc(t('ptz.noPreset'))}</span>`
          : cam.presets.map((p) => button(esc(p.label), 'ptz-preset', { ...base, 'data-preset': String(p.number), 'aria-pressed': cam.preset === p.number ? 'true' : 'false', 'aria-label': t('ptz.recall', { label: p.label, number: p.number }) }, ui, 'small preset')).join('');
        const dir = (d: string, label: string): string => button(label, 'ptz-drive', { ...base, 'data-direction': d, 'aria-label': t('ptz.move', { direction: d }) }, ui, 'jog');
        return `<div class="presets" aria-label="${esc(t('ptz.presets'))}">${presets}</div>
        <div class="ptz-row">
          <div class="jogpad">
            ${dir('up-left', '↖')}${dir('up', '↑')}${dir('up-right', '↗')}
            ${dir('left', '←')}${button('■', 'ptz-stop', { ...base, 'aria-label': t('ptz.stop') }, ui, 'jog')}${dir('right', '→')}
            ${dir('down-left', '↙')}${dir('down', '↓')}${dir('down-right', '↘')}
          </div>
          <div class="zoom">
            ${button(esc(t('ptz.zoomIn')), 'ptz-zoom', { ...base, 'data-direction': 'in', 'aria-label': t('ptz.zoomInHold') }, ui)}
            ${button(esc(t('ptz.zoomOut')), 'ptz-zoom', { ...base, 'data-direction': 'out', 'aria-label': t('ptz.zoomOutHold') }, ui)}
            <label>${esc(t('ptz.speed'))} <input type="range" min="1" max="24" data-ptz-speed${attrs({ value: ui.ptzSpeed, disabled: !ui.canAct })}> <span>${ui.ptzSpeed}</span></label>
          </div>
        </div>
        <div class="control">${resultSlot(pending, key)}</div>`;
      })()
    : '';
  return `<h2>${esc(t('ptz.title'))}</h2>
    <label class="ptz-pick">${esc(t('ptz.camera'))} <select data-ptz-target aria-label="${esc(t('ptz.cameraToControl'))}">${options}</select></label> ${status}
    ${cam.lastError ? `<p class="warn-text small">${esc(cam.lastError)}</p>` : ''}
    <div class="ptz-cam" data-ptz-site="${esc(site)}" data-ptz-camera="${esc(cam.name)}">${controls}</div>`;
}
