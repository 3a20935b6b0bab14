/**
 * One running dashboard: the MQTT link, the pending actions, and the glue
 * from the pure model and renderers to the DOM. Everything shown is rebuilt
 * from retained topics, so a reload or a broker restart loses nothing. The
 * page's start-up and login are in main.ts; what operator input does is in
 * operator-input.ts, the listeners in dom-wiring.ts.
 */
import { topic } from '../../protocol/topics.js';
import type { Control, SiteMessage } from '../../protocol/schemas.js';
import { currentLang, t } from '../../i18n/index.js';
import { formatLogTime } from '../../i18n/time.js';
import { reasonText } from '../../i18n/words.js';
import type { DashboardActions } from './actions.js';
import { fillClocks } from './fill-clocks.js';
import type { DashboardPageConfig } from './config.js';
import { ConfirmGate, type ConfirmedAction } from './confirm.js';
import { GrantCheck } from './grant-check.js';
import type { UiState } from './html.js';
import { LogStore } from './log-store.js';
import { fillMessageSites, renderMessages } from './render-message.js';
import { StageLinks } from './stage-links.js';
import { BrokerLink, brokerUrlFor } from './link.js';
import { DashboardModel } from './model.js';
import { PtzJog } from './operator-input.js';
import { describeStatus, PendingActions } from './pending.js';
import { Preview } from './preview.js';
import { renderFloor } from './render-floor.js';
import { renderRundown } from './render-rundown.js';
import { legend, renderLog, renderStatus } from './render-log.js';
import { renderPtz, renderSiteBody } from './render-sites.js';

/** A refused publish closes the link; a reconnect this soon means the broker is fine and said no. */
const REFUSAL_WINDOW_MS = 5000;

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

export class Dashboard implements DashboardActions {
  readonly model: DashboardModel;
  readonly pending = new PendingActions();
  readonly ui: UiState;
  private link: BrokerLink | null = null;
  private readonly previews = new Map<string, Preview>();
  private readonly cards = new Map<string, { body: HTMLElement }>();
  private readonly lastHtml = new Map<HTMLElement, string>();
  private renderQueued = false;
  private downSince: number | null = Date.now();
  private refusalAt: number | null = null;
  private dragging: string | null = null;
  readonly jog = new PtzJog({
    sendPtz: (site, camera, command) => this.sendPtz(site, camera, command),
    linkConnected: () => this.link?.connected ?? false,
    speed: () => this.ui.ptzSpeed,
  });
  private counter = 0;
  private readonly tickTimer: ReturnType<typeof setInterval>;
  private readonly confirm = new ConfirmGate();
  private readonly grantCheck = new GrantCheck();
  /** Each site's speaker-screen link, handed out by the dashboard server to a login the broker accepted. */
  private readonly stageLinks: StageLinks;
  private readonly logStore: LogStore;

  constructor(
    readonly config: DashboardPageConfig,
    readonly username: string | null,
    password: string | null,
    role: UiState['role'],
    /** The broker refused the login: the page shows the login form again with this reason. */
    onLoginRefused: (reason: string) => void,
  ) {
    this.model = new DashboardModel(config.event);
    // The log is the one panel no retained topic rebuilds: this browser keeps it across a reload.
    this.logStore = new LogStore(config.event);
    this.logStore.restore(this.model, Date.now());
    this.ui = { role, canAct: false, connected: false, selected: null, ptzSpeed: 8, ptzTarget: null, armed: null };
    this.stageLinks = new StageLinks(username, password);
    const url = brokerUrlFor(config.brokerWsUrl, location.hostname);
    this.link = new BrokerLink({
      url,
      username,
      password,
      subscriptions: this.model.subscriptions(),
      handlers: {
        up: () => this.linkUp(),
        down: (reason) => this.linkDown(reason),
        loginRefused: (reason) => onLoginRefused(reason),
        message: (t, payload) => {
          const outcome = this.model.apply(t, payload, Date.now());
          if (outcome.kind === 'event' && outcome.result.result === 'info') this.pending.warned(outcome.result.id, reasonText(outcome.result, (site) => this.model.siteName(site)));
          else if (outcome.kind === 'event') this.pending.answered(outcome.result.id, outcome.result.result !== 'rejected', reasonText(outcome.result, (site) => this.model.siteName(site)));
          if (outcome.kind === 'ptz') this.pending.answered(outcome.id, outcome.ok, outcome.error);
          this.scheduleRender();
        },
      },
    });
    $('#banner-text').dataset['url'] = url;
    this.tickTimer = setInterval(() => this.tick(), 1000);
    this.scheduleRender();
  }

  private linkUp(): void {
    this.downSince = null;
    this.ui.connected = true;
    this.model.resubscribed();
    if (this.refusalAt !== null && Date.now() - this.refusalAt < REFUSAL_WINDOW_MS && this.ui.role === 'operator') {
      this.ui.role = 'viewer';
      this.model.note('page', t('log.refusedWatchOnly', { user: this.username ?? t('header.anonymous') }), 'bad', Date.now());
    }
    this.refusalAt = null;
    this.scheduleRender();
  }

  private linkDown(reason: string | null): void {
    if (this.ui.connected) this.downSince = Date.now();
    this.ui.connected = false;
    this.jog.stop();
    const dropped = this.pending.linkClosed();
    for (const action of dropped) {
      if (action.messageId !== null) this.link?.withdraw(action.messageId);
      this.model.note('page', t('log.lostOnClose', { label: action.label }), 'bad', Date.now());
    }
    if (dropped.length > 0) this.refusalAt = Date.now();
    if (reason) $('#banner-reason').textContent = reason;
    this.scheduleRender();
  }

  private nextId(kind: string): string {
    this.counter += 1;
    return `dash-${kind}-${Date.now().toString(36)}-${this.counter}`;
  }

  /** Publishes an action and tracks its fate under `key`. The role is not checked here: the broker decides. */
  private send(key: string, label: string, fullTopic: string, payload: Record<string, unknown> & { id: string }, retain = false): string {
    const now = Date.now();
    if (!this.link || !this.link.connected) {
      const status = this.pending.start(payload.id, key, label, now);
      this.pending.failed(payload.id, t('pending.linkDown'));
      this.model.note('page', t('log.notSent', { label }), 'bad', now);
      this.scheduleRender();
      return status.id;
    }
    const { messageId, acked } = this.link.publish(fullTopic, JSON.stringify(payload), retain);
    this.pending.start(payload.id, key, label, now, messageId);
    acked.then(
      () => {
        this.pending.acknowledged(payload.id);
        // A message has no conductor to answer it: the broker's acknowledgement is its result.
        if (key === 'message' || key.startsWith('inbox:')) this.pending.answered(payload.id, true, null);
        this.scheduleRender();
      },
      (err: Error) => {
        this.pending.failed(payload.id, err.message);
        this.scheduleRender();
      },
    );
    this.scheduleRender();
    return payload.id;
  }

  /** Sends a floor control; its result (from `events`, by id) shows beside the control. */
  sendControl(control: Omit<Control, 'id' | 'origin'>): string {
    const full: Control = { id: this.nextId(control.action), origin: 'dashboard', ...control };
    const key = control.action === 'grant' ? `grant:${control.site}` : control.action;
    const label = `${t('log.kind.control')} ${t(`log.action.${control.action}`)}${control.site ? ` ${this.model.siteName(control.site)}` : ''}`;
    return this.send(key, label, topic(this.config.event, 'control'), full);
  }

  requestGrant(site: string): void {
    if (this.grantCheck.press(this.model, site, Date.now())) this.sendControl({ action: 'grant', site });
    this.scheduleRender();
  }

  /** Revoke and Next take a live site off air: the first press arms them, the second sends (confirm.ts). */
  confirmControl(action: ConfirmedAction): void {
    if (this.confirm.press(action, Date.now())) this.sendControl({ action });
    this.scheduleRender();
  }

  cancelConfirm(): void {
    this.confirm.cancel();
    this.grantCheck.cancel();
    this.scheduleRender();
  }

  /** Writes the operator's message to one site's speaker screen (`*`: every site), retained until replaced or cleared. */
  sendMessage(site: string, text: string): void {
    const sites = site === '*' ? this.model.sortedSites().map((s) => s.id) : [site];
    for (const id of sites) {
      const message: SiteMessage = { id: this.nextId('msg'), text: text.trim(), from: this.username ?? 'dashboard', at: new Date().toISOString() };
      this.send('message', t('log.message', { site: this.model.siteName(id), text: message.text }), topic(this.config.event, 'siteMessage', id), { ...message }, true);
      this.model.note('message', t('log.message', { site: this.model.siteName(id), text: message.text }), 'info', Date.now());
    }
  }

  /** Marks a site's technician message read (retained, so every operator page and the box see it). */
  ackInbox(site: string): void {
    const message = this.model.inbox.get(site);
    if (!message) return;
    this.send(`inbox:${site}`, t('log.inboxAck', { site: this.model.siteName(site) }), topic(this.config.event, 'operatorMessageAck', site), { id: message.id, at: new Date().toISOString() }, true);
  }

  clearMessage(site: string): void {
    if (!this.link?.connected) return;
    this.link.publish(topic(this.config.event, 'siteMessage', site), '', true);
  }

  /** Shows a site's speaker-screen link and its QR code in a dialog. */
  showStageQr(site: string): void {
    this.stageLinks.showQr(site, this.model.siteName(site));
  }

  /** The page switched language: everything is drawn again in it. */
  languageChanged(): void {
    this.scheduleRender();
  }

  sendPtz(site: string, camera: string, command: Record<string, unknown>): string {
    const payload = { id: this.nextId('ptz'), camera, origin: 'dashboard', ...command };
    return this.send(`ptz:${site}:${camera}`, `ptz ${String(command['op'])} ${site}/${camera}`, topic(this.config.event, 'ptzCommand', site), payload);
  }

  setDragging(site: string | null): void {
    this.dragging = site;
    if (site === null) this.scheduleRender();
  }

  draggingSite(): string | null {
    return this.dragging;
  }

  /** Selects a site (G grants it) and points the PTZ panel at its cameras. */
  select(site: string | null): void {
    this.ui.selected = site;
    if (site && !this.ui.ptzTarget?.startsWith(`${site}/`)) this.ui.ptzTarget = null;
  }

  setPtzTarget(value: string): void {
    this.ui.ptzTarget = value;
    this.scheduleRender();
  }

  setSpeed(value: number): void {
    this.ui.ptzSpeed = Math.max(1, Math.min(24, Math.round(value)));
  }

  scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  /** Replaces a section's HTML only when it changed, keeping keyboard focus on the same control. */
  private patch(el: HTMLElement, html: string): void {
    if (this.lastHtml.get(el) === html) return;
    const active = document.activeElement as HTMLElement | null;
    const focused = active && el.contains(active) ? { key: active.dataset['key'], site: active.dataset['site'] } : null;
    el.innerHTML = html;
    this.lastHtml.set(el, html);
    if (!focused?.key) return;
    // The same control if it can still take focus, else another one of the same site (a row moved to the end).
    const same = el.querySelector<HTMLButtonElement>(`[data-key="${CSS.escape(focused.key)}"]`);
    const fallback = focused.site ? el.querySelector<HTMLElement>(`[data-site="${CSS.escape(focused.site)}"]:not(:disabled)`) : null;
    (same && !same.disabled ? same : fallback)?.focus();
  }

  render(): void {
    const ui = this.ui;
    ui.canAct = ui.role === 'operator' && ui.connected;
    ui.armed = this.confirm.armedAction(Date.now());
    ui.grantAnyway = this.grantCheck.armedSite(Date.now());
    document.body.dataset['role'] = ui.role;
    document.body.dataset['link'] = ui.connected ? 'up' : 'down';
    $('#banner').hidden = ui.connected;
    $('#conductor-banner').hidden = !(ui.connected && this.model.conductor.availability === 'offline');
    $('#whoami').textContent = `${this.username ?? t('header.anonymous')} · ${t(ui.role === 'operator' ? 'header.roleOperator' : 'header.roleViewer')}`;
    this.patch($('#legend'), legend(ui.role, Math.min(9, this.model.sites.size)));
    this.patch($('#message-list'), renderMessages(this.model, ui, this.pending));
    fillMessageSites(this.model);
    this.logStore.save(this.model);
    if (ui.connected) this.stageLinks.ask(this.model.sortedSites().map((s) => s.id), () => this.scheduleRender());
    this.patch($('#status'), renderStatus(this.model, ui.connected));
    if (this.dragging === null) this.patch($('#floor'), renderFloor(this.model, ui, this.pending));
    this.patch($('#rundown'), renderRundown(this.model, ui, this.pending));
    this.patch($('#ptz'), renderPtz(this.model, ui, this.pending));
    this.patch($('#log'), renderLog(this.model));
    const grid = $('#sites');
    for (const site of this.model.sortedSites()) {
      let card = this.cards.get(site.id);
      if (!card) {
        const article = document.createElement('article');
        article.className = 'site';
        article.dataset['site'] = site.id;
        const body = document.createElement('div');
        body.className = 'site-body';
        const slot = document.createElement('div');
        slot.className = 'preview';
        article.append(body, slot);
        grid.append(article);
        card = { body };
        this.cards.set(site.id, card);
        const preview = new Preview(slot, site.id, this.config.relayHttpBase, this.config.relayWhepBase ?? null);
        this.previews.set(site.id, preview);
        preview.start();
        // Keep the cards in id order as sites appear.
        [...grid.children].sort((a, b) => ((a as HTMLElement).dataset['site'] ?? '').localeCompare((b as HTMLElement).dataset['site'] ?? '')).forEach((n) => grid.append(n));
      }
      const article = card.body.parentElement!;
      article.classList.toggle('selected', ui.selected === site.id);
      article.dataset['availability'] = site.availability;
      this.patch(card.body, renderSiteBody(this.model, site, ui, this.pending, this.stageLinks.url(site.id)));
    }
    $('#sites-empty').hidden = this.model.sites.size > 0;
    this.tickClocks();
  }

  private tick(): void {
    if (this.pending.expire(Date.now()).length > 0) this.scheduleRender();
    // An armed Revoke or Next falls back to its plain label when its window ends.
    if (this.ui.armed && this.confirm.armedAction(Date.now()) === null) this.scheduleRender();
    if (this.ui.grantAnyway && this.grantCheck.armedSite(Date.now()) === null) this.scheduleRender();
    this.tickClocks();
  }

  /** Fills the clock and "seen … ago" spans; the rest of the HTML stays as it is. */
  private tickClocks(): void {
    fillClocks(Date.now(), this.model.clockOffsetMs, this.ui.connected);
    if (this.downSince !== null) $('#banner-text').textContent = t('banner.down', { since: formatLogTime(this.downSince, currentLang()), url: $('#banner-text').dataset['url'] ?? '' });
    for (const out of document.querySelectorAll<HTMLElement>('output[data-action-id]')) {
      const status = this.pending.get(out.dataset['actionId']!);
      if (status && out.dataset['phase'] !== status.phase) out.textContent = describeStatus(status);
    }
  }

  close(): void {
    clearInterval(this.tickTimer);
    this.jog.stop();
    for (const preview of this.previews.values()) preview.stop();
    this.link?.close();
    this.link = null;
  }

  /** The MQTT client, for diagnostics from the browser console. */
  client(): BrokerLink['client'] | null {
    return this.link?.client ?? null;
  }
}

