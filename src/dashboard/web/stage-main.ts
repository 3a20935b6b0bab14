/**
 * The speaker screen (`/stage/<site>`): a full-screen page for the podium's
 * tablet or the room's second output. It reads the same retained topics as
 * the dashboard, through the same model, and writes one thing: that the
 * speaker read the operator's message.
 */
import { encode, topic } from '../../protocol/topics.js';
import { t } from '../../i18n/index.js';
import { formatLogTime } from '../../i18n/time.js';
import { currentLang } from '../../i18n/index.js';
import type { StagePageConfig } from './config.js';
import { BrokerLink, brokerUrlFor } from './link.js';
import { DashboardModel } from './model.js';
import { applyLang, pageLang, wireLangSwitch } from './page-lang.js';
import { renderStage } from './render-stage.js';
import { stageView } from './stage-view.js';

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

/** The countdown is drawn this often, so a second never shows late by more than a frame or two. */
const TICK_MS = 250;

declare global {
  interface Window {
    /** The running speaker screen, for the browser console and the end-to-end tests. */
    relaisStage?: StageScreen | null;
  }
}

class StageScreen {
  readonly model: DashboardModel;
  private readonly link: BrokerLink;
  private linkUp = false;
  private lostAt: number | null = null;
  private readonly acknowledged = new Set<string>();
  private lastHtml = '';
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(readonly config: StagePageConfig, login: { username: string; password: string } | null, onRefused: (reason: string) => void) {
    this.model = new DashboardModel(config.event);
    this.link = new BrokerLink({
      url: brokerUrlFor(config.brokerWsUrl, location.hostname),
      username: login?.username ?? null,
      password: login?.password ?? null,
      subscriptions: this.model.subscriptions(),
      clientPrefix: 'relais-stage',
      handlers: {
        up: () => {
          this.linkUp = true;
          this.lostAt = null;
          this.model.resubscribed();
          this.draw();
        },
        down: () => {
          if (this.linkUp || this.lostAt === null) this.lostAt = Date.now();
          this.linkUp = false;
          this.draw();
        },
        loginRefused: (reason) => onRefused(reason),
        message: (fullTopic, payload) => {
          this.model.apply(fullTopic, payload, Date.now());
          this.draw();
        },
      },
    });
    this.timer = setInterval(() => this.draw(), TICK_MS);
    document.body.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('[data-action="ack"]')) this.acknowledge();
    });
  }

  /** The speaker read the message: it leaves this screen at once, and the operator's page learns it. */
  acknowledge(): void {
    const message = this.model.unreadMessage(this.config.site);
    if (!message) return;
    this.acknowledged.add(message.id);
    if (this.link.connected) this.link.publish(topic(this.config.event, 'siteMessageAck', this.config.site), encode('siteMessageAck', { id: message.id, at: new Date().toISOString() }), true);
    this.draw();
  }

  draw(): void {
    const now = Date.now();
    const view = stageView(this.model, this.config.site, this.config, now, this.linkUp, this.acknowledged);
    document.body.dataset['role'] = view.role;
    document.body.dataset['phase'] = view.stale ? 'stale' : view.phase ?? 'none';
    document.body.dataset['link'] = this.linkUp ? 'up' : 'down';
    document.title = `${view.siteName} · ${t('stage.title')}`;
    const html = renderStage(view, this.lostAt !== null ? formatLogTime(this.lostAt, currentLang()) : null);
    if (html !== this.lastHtml) {
      $('#stage').innerHTML = html;
      this.lastHtml = html;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.link.close();
  }
}

function showNotice(text: string): void {
  $('#stage').innerHTML = '';
  const notice = $('#stage-notice');
  notice.textContent = text;
  notice.hidden = false;
}

function askLogin(config: StagePageConfig, error: string | null): void {
  const form = $<HTMLFormElement>('#stage-login');
  form.hidden = false;
  $('#stage-login-error').textContent = error ?? '';
  form.onsubmit = (event) => {
    event.preventDefault();
    form.hidden = true;
    start(config, { username: $<HTMLInputElement>('#stage-user').value.trim(), password: $<HTMLInputElement>('#stage-password').value });
  };
}

function start(config: StagePageConfig, login: { username: string; password: string } | null): void {
  window.relaisStage?.close();
  window.relaisStage = new StageScreen(config, login, (reason) => {
    window.relaisStage?.close();
    window.relaisStage = null;
    askLogin(config, t('stage.refused', { reason }));
  });
}

async function boot(): Promise<void> {
  applyLang(pageLang(null));
  wireLangSwitch(() => window.relaisStage?.draw());
  const site = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop() ?? '');
  let config: StagePageConfig;
  try {
    const response = await fetch(`${location.pathname.replace(/\/+$/, '')}/config.json${location.search}`, { cache: 'no-store' });
    if (response.status === 403) return showNotice(t('stage.refused', { reason: t('stage.badToken') }));
    if (response.status === 404) return showNotice(t('stage.refused', { reason: t('stage.wrongSite', { site }) }));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = (await response.json()) as StagePageConfig;
  } catch (err) {
    return showNotice(t('login.noConfig', { reason: (err as Error).message }));
  }
  applyLang(pageLang(config.lang));
  $('#stage').textContent = t('stage.connecting');
  if (config.login) start(config, config.login);
  else askLogin(config, null);
}

void boot();
