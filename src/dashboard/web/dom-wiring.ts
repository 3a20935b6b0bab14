/**
 * Attaches the page's event listeners, once at start-up: the login form,
 * clicks, the keyboard shortcuts, the PTZ panel (press-and-hold, speed,
 * camera choice) and queue drag and drop. Each listener forwards to whichever
 * dashboard is running, so logging in again needs no rewiring.
 */
import type { UiState } from './html.js';
import type { DashboardActions } from './actions.js';
import { dropInQueue, handleClick, handleKey } from './operator-input.js';

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

export interface PageHooks {
  /** The running dashboard, or null while the login form shows. */
  current(): DashboardActions | null;
  login(username: string, password: string, role: UiState['role']): void;
  logout(): void;
}

export function wireDom(hooks: PageHooks): void {
  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const password = $<HTMLInputElement>('#login-password');
    hooks.login($<HTMLInputElement>('#login-user').value.trim(), password.value, $<HTMLSelectElement>('#login-role').value === 'viewer' ? 'viewer' : 'operator');
    password.value = '';
  });
  $('#logout').addEventListener('click', () => hooks.logout());
  $('#message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $<HTMLInputElement>('#message-text');
    if (!text.value.trim()) return;
    hooks.current()?.sendMessage($<HTMLSelectElement>('#message-site').value, text.value);
    text.value = '';
  });
  const app = $('#app');
  app.addEventListener('click', (event) => {
    const el = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
    if (el && (el.dataset['action'] === 'ptz-drive' || el.dataset['action'] === 'ptz-zoom')) return;
    const current = hooks.current();
    if (current) handleClick(current, event.target as HTMLElement);
  });
  app.addEventListener('pointerdown', (event) => {
    const el = (event.target as HTMLElement).closest<HTMLElement>('[data-action="ptz-drive"], [data-action="ptz-zoom"]');
    if (!el || event.button !== 0) return;
    event.preventDefault();
    hooks.current()?.jog.start(el);
  });
  for (const type of ['pointerup', 'pointercancel', 'blur'] as const) window.addEventListener(type, () => hooks.current()?.jog.stop());
  app.addEventListener('keydown', (event) => {
    const el = (event.target as HTMLElement).closest<HTMLElement>('[data-action="ptz-drive"], [data-action="ptz-zoom"]');
    if (el && (event.key === ' ' || event.key === 'Enter') && !event.repeat) {
      event.preventDefault();
      hooks.current()?.jog.start(el);
    }
  });
  app.addEventListener('keyup', (event) => {
    if (event.key === ' ' || event.key === 'Enter') hooks.current()?.jog.stop();
  });
  app.addEventListener('change', (event) => {
    const el = event.target as HTMLSelectElement;
    if (el.matches('[data-ptz-target]')) hooks.current()?.setPtzTarget(el.value);
  });
  app.addEventListener('input', (event) => {
    const el = event.target as HTMLInputElement;
    if (el.matches('[data-ptz-speed]')) {
      hooks.current()?.setSpeed(Number(el.value));
      const out = el.nextElementSibling;
      if (out) out.textContent = el.value;
    }
  });
  document.addEventListener('keydown', (event) => {
    if ($('#app').hidden) return;
    const current = hooks.current();
    if (current) handleKey(current, event);
  });
  // Queue drag and drop (HTML5); the up/down buttons do the same from the keyboard.
  const floorEl = $('#floor');
  floorEl.addEventListener('dragstart', (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-queue-site]');
    const current = hooks.current();
    if (!row || !current) return;
    current.setDragging(row.dataset['queueSite']!);
    event.dataTransfer?.setData('text/plain', row.dataset['queueSite']!);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
    row.classList.add('dragging');
  });
  floorEl.addEventListener('dragover', (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-queue-site]');
    if (!row || !hooks.current()?.draggingSite()) return;
    event.preventDefault();
    floorEl.querySelectorAll('.drop-target').forEach((n) => n.classList.remove('drop-target'));
    row.classList.add('drop-target');
  });
  floorEl.addEventListener('drop', (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-queue-site]');
    const current = hooks.current();
    const site = current?.draggingSite() ?? event.dataTransfer?.getData('text/plain');
    event.preventDefault();
    if (row && site && current) dropInQueue(current, site, row.dataset['queueSite']!);
    current?.setDragging(null);
  });
  floorEl.addEventListener('dragend', () => hooks.current()?.setDragging(null));
}
