/**
 * The dashboard's picture of the event, built only from MQTT messages. No DOM,
 * no timers, no network: `apply()` takes a topic, a payload and the time, so
 * the same model runs in the page and in Node tests. Every payload is
 * validated with the protocol's schemas; a bad one is counted and shown, and
 * changes nothing else.
 */
import { z } from 'zod';
import {
  availability,
  conductorState,
  eventResult,
  floor as floorSchema,
  heartbeat,
  rundownItem,
  siteState,
  MAX_PAYLOAD_BYTES,
  type ConductorState,
  type EventResult,
  type Floor,
  type Heartbeat,
  type SiteState,
} from '../../protocol/schemas.js';
import { matchTopic, topicBase, topicFilter, type TopicName } from '../../protocol/topics.js';

/** How far back the encoder chart reaches. */
export const ENCODER_HISTORY_MS = 5 * 60_000;
/** Entries kept in the event log (older ones fall off). */
export const LOG_LIMIT = 200;

/** Suffix of the optional retained rundown list (published by the conductor when available). */
export const RUNDOWN_SUFFIX = 'rundown';

/** The full rundown, when a conductor publishes it. */
export const rundownList = z.object({
  items: z.array(rundownItem.extend({ plannedStart: z.string().nullable().optional() })).max(500),
});
export type RundownList = z.infer<typeof rundownList>;

/** Encoder figures the page reads from `state.encoder` (the media part's `EncoderFigures`). */
export interface EncoderView {
  state: string;
  fps: number | null;
  bitrateKbps: number | null;
  encoder: string | null;
  restarts: number | null;
}

export interface EncoderSample {
  at: number;
  fps: number | null;
  kbps: number | null;
}

/** Box health the page reads from `state.system`, when a box reports it. */
export interface SystemView {
  temperatureC: number | null;
  load1: number | null;
  cpus: number | null;
}

/** One PTZ camera as listed in `state.cameras`. */
export interface CameraView {
  name: string;
  online: boolean | null;
  lastError: string | null;
  preset: number | null;
  /** Preset buttons: from the camera's status when it lists them, else 1-6. */
  presets: Array<number | string>;
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
}

export type LogTone = 'ok' | 'bad' | 'info' | 'warn';

export interface LogEntry {
  at: number;
  kind: 'intent' | 'control' | 'conductor' | 'link' | 'page' | 'ptz';
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
  | { kind: 'floor' | 'site' | 'conductor' | 'rundown' | 'log' }
  | { kind: 'event'; result: EventResult }
  | { kind: 'ptz'; id: string; ok: boolean; error: string | null }
  | { kind: 'ignored'; reason: string }
  | { kind: 'bad'; reason: string };

function toNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function field(source: unknown, ...names: string[]): unknown {
  if (!source || typeof source !== 'object') return undefined;
  for (const name of names) {
    const value = (source as Record<string, unknown>)[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Reads encoder figures if the site reports them; null when absent or unrecognisable. */
export function encoderView(state: SiteState | null): EncoderView | null {
  const raw = state?.encoder;
  if (!raw || typeof raw !== 'object') return null;
  const status = field(raw, 'state', 'status');
  return {
    state: typeof status === 'string' ? status : 'unknown',
    fps: toNumber(field(raw, 'fps')),
    bitrateKbps: toNumber(field(raw, 'bitrateKbps', 'kbps')),
    encoder: typeof field(raw, 'encoder') === 'string' ? (field(raw, 'encoder') as string) : null,
    restarts: toNumber(field(raw, 'restarts')),
  };
}

/** Reads box health if present: `temperatureC`, `load1` (or `loadavg[0]`), `cpus`. */
export function systemView(state: SiteState | null): SystemView | null {
  const raw = state?.system;
  if (!raw || typeof raw !== 'object') return null;
  const loadavg = field(raw, 'loadavg');
  const load1 = toNumber(field(raw, 'load1', 'load')) ?? (Array.isArray(loadavg) ? toNumber(loadavg[0]) : null);
  const view = { temperatureC: toNumber(field(raw, 'temperatureC', 'tempC', 'temperature')), load1, cpus: toNumber(field(raw, 'cpus')) };
  return view.temperatureC === null && view.load1 === null ? null : view;
}

export const DEFAULT_PRESETS = [1, 2, 3, 4, 5, 6];

/** The cameras a site lists in `state.cameras` (array of `{ name, ... }`); others are skipped. */
export function cameraViews(state: SiteState | null): CameraView[] {
  const raw = state?.cameras;
  if (!Array.isArray(raw)) return [];
  const cameras: CameraView[] = [];
  for (const entry of raw) {
    const name = field(entry, 'name');
    if (typeof name !== 'string' || name.length === 0) continue;
    const online = field(entry, 'online');
    const lastError = field(entry, 'lastError');
    const presets = field(entry, 'presets');
    const listed = Array.isArray(presets) ? presets.filter((p): p is number | string => typeof p === 'number' || typeof p === 'string').slice(0, 16) : [];
    cameras.push({
      name,
      online: typeof online === 'boolean' ? online : null,
      lastError: typeof lastError === 'string' ? lastError : null,
      preset: toNumber(field(entry, 'preset')),
      presets: listed.length > 0 ? listed : DEFAULT_PRESETS,
    });
  }
  return cameras;
}

function describeEvent(result: EventResult): { text: string; tone: LogTone } {
  const who = result.site ? ` ${result.site}` : '';
  const dup = result.duplicate ? ' (repeat)' : '';
  if (result.result === 'info') return { text: `${result.kind} ${result.action}${who}${result.reason ? `: ${result.reason}` : ''}`, tone: 'info' };
  if (result.result === 'accepted') return { text: `${result.kind} ${result.action}${who} accepted${dup}, epoch ${result.epoch}`, tone: 'ok' };
  return { text: `${result.kind} ${result.action}${who} rejected${dup}: ${result.reason ?? 'no reason given'}`, tone: 'bad' };
}

/** Parses text or JSON from raw bytes, bounded like every relais process does. */
function decodePayload(payload: Uint8Array, json: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (payload.length > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload of ${payload.length} bytes is over the ${MAX_PAYLOAD_BYTES}-byte limit` };
  const text = new TextDecoder().decode(payload);
  if (!json) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') + ': ' : '';
  return `${where}${issue?.message ?? 'invalid payload'}`;
}

const SCHEMAS: Partial<Record<TopicName, z.ZodType>> = {
  siteAvailability: availability,
  siteState,
  floor: floorSchema,
  conductorAvailability: availability,
  conductorState,
  conductorHeartbeat: heartbeat,
  events: eventResult,
};

export class DashboardModel {
  readonly sites = new Map<string, SiteView>();
  floor: Floor | null = null;
  conductor: ConductorView = { availability: 'unknown', heartbeat: null, heartbeatAt: null, state: null };
  rundown: RundownList | null = null;
  readonly log: LogEntry[] = [];
  badPayloads = 0;
  lastBadPayload: string | null = null;
  /** Conductor clock minus page clock (ms), from heartbeats: timers follow the conductor's clock. */
  clockOffsetMs = 0;
  /** After a (re)connect the retained floor is taken whatever its epoch (a fresh event may start at 1). */
  private acceptAnyEpoch = true;

  constructor(readonly event: string) {}

  /** The filters the page subscribes to. */
  subscriptions(): string[] {
    return [
      topicFilter(this.event, 'siteAvailability'),
      topicFilter(this.event, 'siteState'),
      topicFilter(this.event, 'floor'),
      topicFilter(this.event, 'events'),
      topicFilter(this.event, 'conductorAvailability'),
      topicFilter(this.event, 'conductorState'),
      topicFilter(this.event, 'conductorHeartbeat'),
      topicBase(this.event) + RUNDOWN_SUFFIX,
      topicBase(this.event) + 'site/+/ptz/result',
    ];
  }

  /** Call on every (re)connect: the retained snapshot that follows is the truth. */
  resubscribed(): void {
    this.acceptAnyEpoch = true;
  }

  sortedSites(): SiteView[] {
    return [...this.sites.values()].sort((a, b) => a.id.localeCompare(b.id));
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
    this.note('page', `dropped a bad payload on ${topic}: ${reason}`, 'warn', now);
    return { kind: 'bad', reason };
  }

  /** Folds one MQTT message into the model. Never throws. */
  apply(fullTopic: string, payload: Uint8Array, now: number): ApplyOutcome {
    const base = topicBase(this.event);
    if (fullTopic === base + RUNDOWN_SUFFIX) {
      if (payload.length === 0) {
        this.rundown = null;
        return { kind: 'rundown' };
      }
      const raw = decodePayload(payload, true);
      if (!raw.ok) return this.bad(fullTopic, raw.reason, now);
      const parsed = rundownList.safeParse(raw.value);
      if (!parsed.success) return this.bad(fullTopic, firstIssue(parsed.error), now);
      this.rundown = parsed.data;
      return { kind: 'rundown' };
    }
    const ptz = /^site\/([a-z0-9-]+)\/ptz\/result$/.exec(fullTopic.startsWith(base) ? fullTopic.slice(base.length) : '');
    if (ptz) return this.applyPtzResult(ptz[1]!, fullTopic, payload, now);

    const match = matchTopic(this.event, fullTopic);
    if (!match) return { kind: 'ignored', reason: `not a dashboard topic: ${fullTopic}` };
    const schema = SCHEMAS[match.name];
    if (!schema) return { kind: 'ignored', reason: `not shown: ${match.name}` };
    // An empty retained payload clears a topic: nothing to parse.
    if (payload.length === 0) return { kind: 'ignored', reason: 'cleared retained topic' };
    const json = match.name !== 'siteAvailability' && match.name !== 'conductorAvailability';
    const raw = decodePayload(payload, json);
    if (!raw.ok) return this.bad(fullTopic, raw.reason, now);
    const parsed = schema.safeParse(raw.value);
    if (!parsed.success) return this.bad(fullTopic, firstIssue(parsed.error), now);
    const value: unknown = parsed.data;

    switch (match.name) {
      case 'siteAvailability': {
        const site = this.site(match.site!);
        const next = value as 'online' | 'offline';
        if (site.availability !== next) {
          if (site.availability !== 'unknown' || next === 'offline') {
            this.note('link', next === 'online' ? `${site.id} is back online` : `${site.id} lost its link (offline)`, next === 'online' ? 'ok' : 'bad', now);
          }
          site.availability = next;
          site.availabilityAt = now;
        }
        if (next === 'online') site.lastSeen = now;
        return { kind: 'site' };
      }
      case 'siteState': {
        const site = this.site(match.site!);
        site.state = value as SiteState;
        site.lastSeen = now;
        const encoder = encoderView(site.state);
        if (encoder) {
          site.encoderHistory.push({ at: now, fps: encoder.fps, kbps: encoder.bitrateKbps });
          const cutoff = now - ENCODER_HISTORY_MS;
          while (site.encoderHistory.length > 0 && site.encoderHistory[0]!.at < cutoff) site.encoderHistory.shift();
          // Bounded even if a box publishes far more often than expected.
          if (site.encoderHistory.length > 600) site.encoderHistory.splice(0, site.encoderHistory.length - 600);
        }
        return { kind: 'site' };
      }
      case 'floor': {
        const next = value as Floor;
        if (!this.acceptAnyEpoch && this.floor && next.epoch < this.floor.epoch) {
          return { kind: 'ignored', reason: `floor epoch ${next.epoch} is older than ${this.floor.epoch}` };
        }
        this.acceptAnyEpoch = false;
        this.floor = next;
        return { kind: 'floor' };
      }
      case 'conductorAvailability': {
        const next = value as 'online' | 'offline';
        if (this.conductor.availability !== next && (this.conductor.availability !== 'unknown' || next === 'offline')) {
          this.note('conductor', next === 'online' ? 'conductor is online' : 'conductor is offline: the floor cannot change', next === 'online' ? 'ok' : 'bad', now);
        }
        this.conductor.availability = next;
        return { kind: 'conductor' };
      }
      case 'conductorHeartbeat': {
        const beat = value as Heartbeat;
        this.conductor.heartbeat = beat;
        this.conductor.heartbeatAt = now;
        const at = Date.parse(beat.at);
        if (Number.isFinite(at)) this.clockOffsetMs = at - now;
        return { kind: 'conductor' };
      }
      case 'conductorState':
        this.conductor.state = value as ConductorState;
        return { kind: 'conductor' };
      case 'events': {
        const result = value as EventResult;
        const { text, tone } = describeEvent(result);
        this.note(result.kind, text, tone, now);
        return { kind: 'event', result };
      }
      default:
        return { kind: 'ignored', reason: `not shown: ${match.name}` };
    }
  }

  private applyPtzResult(site: string, fullTopic: string, payload: Uint8Array, now: number): ApplyOutcome {
    const raw = decodePayload(payload, true);
    if (!raw.ok) return this.bad(fullTopic, raw.reason, now);
    const parsed = ptzResultView.safeParse(raw.value);
    if (!parsed.success) return this.bad(fullTopic, firstIssue(parsed.error), now);
    const r = parsed.data;
    // Only failures are worth a line: a jog sends many commands.
    if (!r.ok) this.note('ptz', `${site} camera ${r.camera} ${r.op} failed: ${r.error ?? 'no reason given'}`, 'bad', now);
    return { kind: 'ptz', id: r.id, ok: r.ok, error: r.error };
  }
}

/** The part of a PTZ result the page reads (see src/protocol/ptz.ts). */
export const ptzResultView = z.object({ id: z.string(), camera: z.string(), op: z.string(), ok: z.boolean(), error: z.string().nullable() });
