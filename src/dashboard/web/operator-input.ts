/**
 * What the operator's input does to a running dashboard: button clicks, the
 * keyboard shortcuts, queue moves (buttons and drag and drop) and the
 * press-and-hold PTZ jog. The listeners that call these are in dom-wiring.ts.
 */
import type { DashboardActions } from './actions.js';
import { t } from '../../i18n/index.js';
import { reportView } from './render-report.js';

/** A jog repeats its drive this often with a dead-man `forMs`, so a lost page cannot leave a camera moving. */
const JOG_REPEAT_MS = 1500;
const JOG_DEADMAN_MS = 2500;

/** What a jog needs from the dashboard that owns it. */
export interface JogHost {
  sendPtz(site: string, camera: string, command: Record<string, unknown>): unknown;
  /** A release while the link is down sends no stop: there is nothing to send it through. */
  linkConnected(): boolean;
  /** The jog pad's pan/tilt speed (1-24), read when a hold starts. */
  speed(): number;
}

/** Press-and-hold: drive (repeated with a dead-man time) until released, then stop. One hold at a time. */
export class PtzJog {
  private held: { stop: () => void } | null = null;

  constructor(private readonly host: JogHost) {}

  start(el: HTMLElement): void {
    const site = el.dataset['site'];
    const camera = el.dataset['camera'];
    const direction = el.dataset['direction'];
    if (!site || !camera || !direction || (el as HTMLButtonElement).disabled) return;
    this.held?.stop();
    const zoom = el.dataset['action'] === 'ptz-zoom';
    const speed = this.host.speed();
    const drive = (): void => {
      if (zoom) this.host.sendPtz(site, camera, { op: 'zoom', direction, speed: Math.max(0, Math.min(7, Math.round((speed / 24) * 7))) });
      else this.host.sendPtz(site, camera, { op: 'drive', direction, panSpeed: speed, tiltSpeed: Math.min(20, speed), forMs: JOG_DEADMAN_MS });
    };
    drive();
    // Zoom has no dead-man time in the protocol, so only the pan/tilt drive repeats.
    const repeat = zoom ? null : setInterval(drive, JOG_REPEAT_MS);
    el.classList.add('held');
    this.held = {
      stop: () => {
        this.held = null;
        if (repeat) clearInterval(repeat);
        el.classList.remove('held');
        if (this.host.linkConnected()) this.host.sendPtz(site, camera, zoom ? { op: 'zoom', direction: 'stop' } : { op: 'stop' });
      },
    };
  }

  stop(): void {
    this.held?.stop();
  }
}

function moveInQueue(dash: DashboardActions, site: string, delta: number): void {
  const queue = [...(dash.model.floor?.queue ?? [])];
  const from = queue.indexOf(site);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= queue.length) return;
  queue.splice(from, 1);
  queue.splice(to, 0, site);
  dash.sendControl({ action: 'reorder', queue });
}

/** Drops `site` where `target` is: before it when moving up, after it when moving down. */
export function dropInQueue(dash: DashboardActions, site: string, target: string): void {
  const queue = [...(dash.model.floor?.queue ?? [])];
  const from = queue.indexOf(site);
  const to = queue.indexOf(target);
  if (from < 0 || to < 0 || from === to) return;
  queue.splice(from, 1);
  queue.splice(to, 0, site);
  dash.sendControl({ action: 'reorder', queue });
}

export function handleClick(dash: DashboardActions, target: HTMLElement): void {
  const el = target.closest<HTMLElement>('[data-action]');
  if (!el || (el as HTMLButtonElement).disabled) return;
  const site = el.dataset['site'];
  const camera = el.dataset['camera'];
  switch (el.dataset['action']) {
    case 'select':
      dash.select(dash.ui.selected === site ? null : site ?? null);
      break;
    case 'grant':
      if (site) dash.requestGrant(site);
      break;
    case 'revoke':
    case 'next':
      dash.confirmControl(el.dataset['action']);
      break;
    case 'stage-qr':
      if (site) dash.showStageQr(site);
      break;
    case 'message-clear':
      if (site) dash.clearMessage(site);
      break;
    case 'inbox-ack':
      if (site) dash.ackInbox(site);
      break;
    case 'adjust': {
      const minutes = Number(el.dataset['minutes']);
      if (Number.isInteger(minutes) && minutes !== 0) dash.sendControl({ action: 'adjust', minutes });
      break;
    }
    case 'skip':
    case 'unskip':
    case 'move': {
      const item = Number(el.dataset['item']);
      const to = Number(el.dataset['to']);
      if (!Number.isInteger(item)) break;
      if (el.dataset['action'] === 'move') {
        if (Number.isInteger(to)) dash.sendControl({ action: 'move', item, to });
      } else dash.sendControl({ action: el.dataset['action'] as 'skip' | 'unskip', item });
      break;
    }
    case 'report-print':
    case 'report-close': {
      const view = document.querySelector<HTMLElement>('#report')!;
      const open = el.dataset['action'] === 'report-print';
      if (open) view.innerHTML = reportView(dash.model);
      view.hidden = !open;
      document.body.classList.toggle('printing-report', open);
      return;
    }
    case 'report-window-print':
      window.print();
      return;
    case 'queue-up':
      if (site) moveInQueue(dash, site, -1);
      break;
    case 'queue-down':
      if (site) moveInQueue(dash, site, 1);
      break;
    case 'ptz-preset': {
      const raw = el.dataset['preset'] ?? '';
      const preset = /^\d+$/.test(raw) ? Number(raw) : raw;
      if (site && camera) dash.sendPtz(site, camera, { op: 'recall', preset });
      break;
    }
    case 'ptz-stop':
      if (site && camera) dash.sendPtz(site, camera, { op: 'stop' });
      break;
    default:
      return;
  }
  dash.scheduleRender();
}

export function handleKey(dash: DashboardActions, event: KeyboardEvent): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement | null;
  if (target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
  const key = event.key.toLowerCase();
  if (/^[1-9]$/.test(key)) {
    const site = dash.model.sortedSites()[Number(key) - 1];
    if (site) dash.select(site.id);
    dash.scheduleRender();
    return;
  }
  if (dash.ui.role !== 'operator' || !dash.ui.canAct) return;
  if (key === 'escape') dash.cancelConfirm();
  else if (key === 'n') dash.confirmControl('next');
  else if (key === 'r') dash.confirmControl('revoke');
  else if (key === 'g') {
    if (dash.ui.selected) dash.requestGrant(dash.ui.selected);
    else dash.model.note('page', t('log.selectFirst'), 'warn', Date.now());
    dash.scheduleRender();
  } else return;
  event.preventDefault();
}
