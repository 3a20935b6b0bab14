/**
 * The dashboard page's start-up: reads config.json, shows the login form,
 * wires the DOM once, and starts a {@link Dashboard} for each login.
 */
import type { DashboardPageConfig } from './config.js';
import { Dashboard } from './dashboard.js';
import { wireDom } from './dom-wiring.js';
import type { UiState } from './html.js';
import { t } from '../../i18n/index.js';
import { applyLang, pageLang, wireLangSwitch } from './page-lang.js';

const REMEMBER_KEY = 'relais.dashboard.login';

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

interface Remembered {
  username: string;
  role: UiState['role'];
}

function remembered(): Remembered | null {
  try {
    const raw = JSON.parse(localStorage.getItem(REMEMBER_KEY) ?? 'null') as Partial<Remembered> | null;
    if (raw && typeof raw.username === 'string') return { username: raw.username, role: raw.role === 'viewer' ? 'viewer' : 'operator' };
  } catch {
    // Nothing usable remembered.
  }
  return null;
}

let current: Dashboard | null = null;
let pageConfig: DashboardPageConfig | null = null;

declare global {
  interface Window {
    /** The running dashboard, for the browser console and the end-to-end tests. */
    relaisDashboard?: Dashboard | null;
  }
}

function showLogin(error: string | null): void {
  current?.close();
  current = null;
  window.relaisDashboard = null;
  $('#app').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = error ?? '';
  $('#login-error').hidden = !error;
  const saved = remembered();
  if (saved) {
    $<HTMLInputElement>('#login-user').value = saved.username;
    $<HTMLSelectElement>('#login-role').value = saved.role;
    $<HTMLInputElement>('#login-password').focus();
  } else $<HTMLInputElement>('#login-user').focus();
}

function startDashboard(username: string, password: string, role: UiState['role']): void {
  if (!pageConfig) return;
  localStorage.setItem(REMEMBER_KEY, JSON.stringify({ username, role }));
  $('#login').hidden = true;
  $('#app').hidden = false;
  for (const id of ['#sites']) $(id).querySelectorAll('article').forEach((n) => n.remove());
  current = new Dashboard(pageConfig, username || null, password || null, role, (reason) => showLogin(t('login.refused', { reason })));
  window.relaisDashboard = current;
}

function fillEventText(): void {
  if (!pageConfig) return;
  $('#login-intro').textContent = t('login.intro', { event: pageConfig.title === pageConfig.event ? pageConfig.event : `${pageConfig.title} (${pageConfig.event})` });
}

async function boot(): Promise<void> {
  applyLang(pageLang(null));
  wireDom({ current: () => current, login: startDashboard, logout: () => showLogin(null) });
  wireLangSwitch(() => {
    fillEventText();
    current?.languageChanged();
  });
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    pageConfig = (await response.json()) as DashboardPageConfig;
  } catch (err) {
    $('#login-error').textContent = t('login.noConfig', { reason: (err as Error).message });
    $('#login-error').hidden = false;
    return;
  }
  applyLang(pageLang(pageConfig.lang));
  document.title = `${pageConfig.title} · relais`;
  for (const el of document.querySelectorAll('[data-title]')) el.textContent = pageConfig.title;
  fillEventText();
  $('#version').textContent = pageConfig.version;
  showLogin(null);
}

void boot();
