/**
 * The dashboard's picture of the event, built only from MQTT messages. No DOM,
 * no timers, no network: `apply()` takes a topic, a payload and the time, so
 * the same model runs in the page and in Node tests. Every payload is
 * decoded and validated by the protocol's own map (the same code as the box
 * and the conductor); a bad one is counted and shown, and changes nothing else.
 */
import type { ConductorState, EventResult, Floor, Heartbeat, LinkStats, MessageAck, RundownList, SiteMessage } from '../../protocol/schemas.js';
import type { PtzResult } from '../../protocol/ptz.js';
import type { SiteState } from '../../protocol/site-state.js';
import { decode, matchTopic, topicFilter, type PayloadOf, type TopicName } from '../../protocol/topics.js';
import { OPERATOR_MESSAGE_RATE, RateLimit } from '../../protocol/rate-limit.js';
import { t } from '../../i18n/index.js';
import { describeEvent, encoderView, type LogTone } from './views.js';

export type { LogTone };

/** How far back the encoder chart reaches. */
export const ENCODER_HISTORY_MS = 5 * 60_000;
/** Entries kept in the event log (older ones fall off). */
export const LOG_LIMIT = 200;

export interface EncoderSample {
  at: number;
  fps: number | null;
  kbps: number | null;
}

export interface SiteView {
  id: string;
  availability: 'online' | 'offline' | 'unknown';
  /** Local time (ms) the availability last changed. */
  availabilityAt: number | null;
  /** Local time (ms) of the newest message from this site. */
  lastSeen: number | null;
  state: SiteState | null;
  encoderHistory: EncoderSample[];
  /** The relay's statistics of this site's incoming SRT feed (`relay/streams`), when it comes over SRT. */
  relayLink?: LinkStats | null;
  /** Whether the relay has this site's feed (`relay/streams[].status`). */
  relayStatus?: 'live' | 'reconnecting' | 'idle';
}

export interface LogEntry {
  at: number;
  kind: 'intent' | 'control' | 'conductor' | 'link' | 'page' | 'ptz' | 'message';
  text: string;
  tone: LogTone;
}

export interface ConductorView {
  availability: 'online' | 'offline' | 'unknown';
  heartbeat: Heartbeat | null;
  heartbeatAt: number | null;
  state: ConductorState | null;
}

/** What `apply()` did with a message. */
export type ApplyOutcome =
  | { kind: 'floor' | 'site' | 'conductor' | 'rundown' | 'log' | 'message' }
  | { kind: 'event'; result: EventResult }
  | { kind: 'ptz'; id: string; ok: boolean; error: string | null }
  | { kind: 'ignored'; reason: string }
  | { kind: 'bad'; reason: string };

/** The topics the page reads, each with what it does with a decoded payload. */
type PageHandlers = { [T in TopicName]?: (value: PayloadOf<T>, site: string | null, now: number) => ApplyOutcome };

export class DashboardModel {
  readonly sites = new Map<string, SiteView>();
  floor: Floor | null = null;
  conductor: ConductorView = { availability: 'unknown', heartbeat: null, heartbeatAt: null, state: null };
  rundown: RundownList | null = null;
  /** The operator's current message to each site (retained), and the screen's read of it. */
  readonly messages = new Map<string, SiteMessage>();
  readonly acks = new Map<string, MessageAck>();
  /** Each site's technician's latest message to the operator (retained), and the operator's read of it. */
  readonly inbox = new Map<string, SiteMessage>();
  readonly inboxAcks = new Map<string, MessageAck>();
  /** Technician messages refused by the rate limit, per site. */
  readonly inboxThrottled = new Map<string, number>();
  private readonly inboxRate = new RateLimit(OPERATOR_MESSAGE_RATE);
  readonly log: LogEntry[] = [];
  badPayloads = 0;
  /** A relay reports on the broker (`relay/streams`): only then can the page tell a missing feed. */
  relayReported = false;
  lastBadPayload: string | null = null;
  /** Conductor clock minus page clock (ms), from heartbeats: timers follow the conductor's clock. */
  clockOffsetMs = 0;
  /** After a (re)connect the retained floor is taken whatever its epoch (a fresh event may start at 1). */
  private acceptAnyEpoch = true;

  constructor(readonly event: string) {}

  /** The filters the page subscribes to: one per topic it reads. */
  subscriptions(): string[] {
    return (Object.keys(this.handlers) as TopicName[]).map((name) => topicFilter(this.event, name));
  }

  /** Call on every (re)connect: the retained snapshot that follows is the truth. */
  resubscribed(): void {
    this.acceptAnyEpoch = true;
  }

  sortedSites(): SiteView[] {
    return [...this.sites.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** A site's display name with its accents (from its state), else its slug. */
  siteName(id: string): string {
    return this.sites.get(id)?.state?.name ?? id;
  }

  site(id: string): SiteView {
    let view = this.sites.get(id);
    if (!view) {
      view = { id, availability: 'unknown', availabilityAt: null, lastSeen: null, state: null, encoderHistory: [] };
      this.sites.set(id, view);
    }
    return view;
  }

  note(kind: LogEntry['kind'], text: string, tone: LogTone, now: number): void {
    this.log.unshift({ at: now, kind, text, tone });
    if (this.log.length > LOG_LIMIT) this.log.length = LOG_LIMIT;
  }

  private bad(topic: string, reason: string, now: number): ApplyOutcome {
    this.badPayloads += 1;
    this.lastBadPayload = `${topic}: ${reason}`;
    this.note('page', t('log.badPayload', { topic, reason }), 'warn', now);
    return { kind: 'bad', reason };
  }

  /** Folds one MQTT message into the model. Never throws. */
  apply(fullTopic: string, payload: Uint8Array, now: number): ApplyOutcome {
    const match = matchTopic(this.event, fullTopic);
    if (!match) return { kind: 'ignored', reason: `not a dashboard topic: ${fullTopic}` };
    const handler = this.handlers[match.name] as ((value: unknown, site: string | null, now: number) => ApplyOutcome) | undefined;
    if (!handler) return { kind: 'ignored', reason: `not shown: ${match.name}` };
    // An empty retained payload clears a topic: nothing to parse.
    if (payload.length === 0) {
      const cleared = { siteMessage: this.messages, siteMessageAck: this.acks, operatorMessage: this.inbox, operatorMessageAck: this.inboxAcks }[match.name as string];
      if (cleared) {
        cleared.delete(match.site!);
        return { kind: 'message' };
      }
      if (match.name !== 'rundown') return { kind: 'ignored', reason: 'cleared retained topic' };
      this.rundown = null;
      return { kind: 'rundown' };
    }
    const decoded = decode(match.name, payload);
    if (!decoded.ok) return this.bad(fullTopic, decoded.reason, now);
    return handler(decoded.value, match.site, now);
  }

  private readonly handlers: PageHandlers = {
    siteAvailability: (next, id, now) => {
      const site = this.site(id!);
      if (site.availability !== next) {
        if (site.availability !== 'unknown' || next === 'offline') {
          this.note('link', t(next === 'online' ? 'log.siteOnline' : 'log.siteOffline', { site: this.siteName(site.id) }), next === 'online' ? 'ok' : 'bad', now);
        }
        site.availability = next;
        site.availabilityAt = now;
      }
      if (next === 'online') site.lastSeen = now;
      return { kind: 'site' };
    },
    siteState: (state, id, now) => {
      const site = this.site(id!);
      site.state = state;
      site.lastSeen = now;
      const encoder = encoderView(state);
      if (encoder) {
        site.encoderHistory.push({ at: now, fps: encoder.fps, kbps: encoder.bitrateKbps });
        const cutoff = now - ENCODER_HISTORY_MS;
        while (site.encoderHistory.length > 0 && site.encoderHistory[0]!.at < cutoff) site.encoderHistory.shift();
        // Bounded even if a box publishes far more often than expected.
        if (site.encoderHistory.length > 600) site.encoderHistory.splice(0, site.encoderHistory.length - 600);
      }
      return { kind: 'site' };
    },
    floor: (next) => {
      if (!this.acceptAnyEpoch && this.floor && next.epoch < this.floor.epoch) {
        return { kind: 'ignored', reason: `floor epoch ${next.epoch} is older than ${this.floor.epoch}` };
      }
      this.acceptAnyEpoch = false;
      this.floor = next;
      return { kind: 'floor' };
    },
    events: (result, _site, now) => {
      const { text, tone } = describeEvent(result, (id) => this.siteName(id));
      this.note(result.kind, text, tone, now);
      return { kind: 'event', result };
    },
    conductorAvailability: (next, _site, now) => {
      if (this.conductor.availability !== next && (this.conductor.availability !== 'unknown' || next === 'offline')) {
        this.note('conductor', t(next === 'online' ? 'log.conductorOnline' : 'log.conductorOffline'), next === 'online' ? 'ok' : 'bad', now);
      }
      this.conductor.availability = next;
      return { kind: 'conductor' };
    },
    conductorState: (state) => {
      this.conductor.state = state;
      return { kind: 'conductor' };
    },
    conductorHeartbeat: (beat, _site, now) => {
      this.conductor.heartbeat = beat;
      this.conductor.heartbeatAt = now;
      const at = Date.parse(beat.at);
      if (Number.isFinite(at)) this.clockOffsetMs = at - now;
      return { kind: 'conductor' };
    },
    rundown: (list) => {
      this.rundown = list;
      return { kind: 'rundown' };
    },
    ptzResult: (result, site, now) => this.applyPtzResult(site!, result, now),
    relayStreams: (snapshot) => {
      for (const stream of snapshot.streams) {
        // Only sites the page already knows: the relay's list is not who takes part.
        const site = this.sites.get(stream.site);
        if (!site) continue;
        site.relayLink = stream.link ?? null;
        site.relayStatus = stream.status;
      }
      this.relayReported = true;
      return { kind: 'site' };
    },
    siteMessage: (message, site) => {
      this.messages.set(site!, message);
      return { kind: 'message' };
    },
    siteMessageAck: (ack, site, now) => {
      const had = this.acks.get(site!);
      this.acks.set(site!, ack);
      if (had?.id !== ack.id && this.messages.get(site!)?.id === ack.id) this.note('message', t('log.messageAck', { site: this.siteName(site!) }), 'ok', now);
      return { kind: 'message' };
    },
    operatorMessage: (message, site, now) => {
      // The retained copy again after a reconnect: already shown, not counted.
      if (this.inbox.get(site!)?.id === message.id) return { kind: 'message' };
      const verdict = this.inboxRate.take(site!, now);
      if (!verdict.ok) {
        this.inboxThrottled.set(site!, (this.inboxThrottled.get(site!) ?? 0) + 1);
        this.note('message', t('log.inboxThrottled', { site: this.siteName(site!), s: Math.ceil(verdict.retryInMs / 1000) }), 'warn', now);
        return { kind: 'ignored', reason: `too many messages from ${site!}` };
      }
      this.inbox.set(site!, message);
      this.note('message', t('log.inbox', { site: this.siteName(site!), text: message.text }), 'warn', now);
      return { kind: 'message' };
    },
    operatorMessageAck: (ack, site) => {
      this.inboxAcks.set(site!, ack);
      return { kind: 'message' };
    },
  };

  /** A site's technician message the operator has not marked read, else null. */
  unreadInbox(site: string): SiteMessage | null {
    const message = this.inbox.get(site);
    if (!message) return null;
    return this.inboxAcks.get(site)?.id === message.id ? null : message;
  }

  /** The site's message while its screen has not read it, else null. */
  unreadMessage(site: string): SiteMessage | null {
    const message = this.messages.get(site);
    if (!message) return null;
    return this.acks.get(site)?.id === message.id ? null : message;
  }

  private applyPtzResult(site: string, r: PtzResult, now: number): ApplyOutcome {
    // Only failures are worth a line: a jog sends many commands.
    if (!r.ok) this.note('ptz', t('log.ptzFailed', { site: this.siteName(site), camera: r.camera || '?', op: r.op || '?', reason: r.error ?? t('log.noReason') }), 'bad', now);
    return { kind: 'ptz', id: r.id, ok: r.ok, error: r.error };
  }
}
