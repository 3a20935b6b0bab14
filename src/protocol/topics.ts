/**
 * The one typed map of topics to payloads. Every publish and subscription in
 * relais goes through it, so a wrong payload is a compile error and a bad
 * inbound one is caught in one place. Environment-neutral: the box, the
 * conductor, the CLI and the dashboard page (in the browser) all decode with
 * it, from a `Uint8Array` or a string.
 */
import { z } from 'zod';
import * as s from './schemas.js';
import { linkTestPart, siteState } from './site-state.js';
import { ptzCommand, ptzResult } from './ptz.js';
import { compileReader, NOT_READ, type Reader } from './fast-read.js';
import { t } from '../i18n/index.js';

export const PROTOCOL_VERSION = 'v1';

/** `relais/v1/<event>/` */
export function topicBase(event: string): string {
  return `relais/${PROTOCOL_VERSION}/${event}/`;
}

/** Payload encodings: plain strings for availability, JSON for the rest. */
type Codec = 'text' | 'json';

/**
 * Who may publish a topic, besides admins: `site` is the site the topic names
 * (a box speaks only for itself), the others are broker roles (`viewer`: a
 * watch-only login, such as a speaker screen's, which may only say it read a
 * message). The embedded
 * broker's ACL, the Mosquitto ACL and the NATS permissions are all this table.
 */
export type TopicWriter = 'site' | 'conductor' | 'operator' | 'viewer';

interface TopicSpec<S extends z.ZodType, P extends string = string> {
  /** Suffix below the base; `{site}` is the topic's one parameter (a site slug, or a probe id). */
  pattern: P;
  schema: S;
  codec: Codec;
  retain: boolean;
  qos: 0 | 1;
  writers: readonly TopicWriter[];
}

function spec<P extends string, S extends z.ZodType>(pattern: P, schema: S, codec: Codec, retain: boolean, qos: 0 | 1, writers: readonly TopicWriter[]): TopicSpec<S, P> {
  return { pattern, schema, codec, retain, qos, writers };
}

export const TOPICS = {
  siteAvailability: spec('site/{site}/availability', s.availability, 'text', true, 1, ['site']),
  siteState: spec('site/{site}/state', siteState, 'json', true, 1, ['site']),
  siteIntent: spec('site/{site}/intent', s.intent, 'json', false, 1, ['site']),
  /** An operator's command to one of the site's cameras; answered on `ptzResult`. */
  ptzCommand: spec('site/{site}/ptz/command', ptzCommand, 'json', false, 1, ['operator']),
  ptzResult: spec('site/{site}/ptz/result', ptzResult, 'json', false, 1, ['site']),
  /** An operator's message to the site's speaker screen, retained until replaced or cleared (empty payload). */
  siteMessage: spec('site/{site}/message', s.siteMessage, 'json', true, 1, ['operator']),
  /** The speaker screen read the message: retained, so the operator's page knows after a reload. */
  siteMessageAck: spec('site/{site}/message/ack', s.messageAck, 'json', true, 1, ['viewer', 'operator']),
  /** `relais link test --report` as the site's user: retained; the box carries it into `state.linkTest`. */
  siteLinkTest: spec('site/{site}/link-test', linkTestPart, 'json', true, 1, ['site']),
  /** A site's technician to the operator (`relais message send --to operator`), retained until replaced; the site's box login writes it. */
  operatorMessage: spec('site/{site}/message/operator', s.siteMessage, 'json', true, 1, ['site']),
  /** The operator read the site's message: retained, so the box and every operator page know. */
  operatorMessageAck: spec('site/{site}/message/operator/ack', s.messageAck, 'json', true, 1, ['operator']),
  /** `relais doctor`'s round trip through the broker, on a topic the site's user may use. */
  siteDoctor: spec('site/{site}/doctor', s.doctorProbe, 'text', false, 1, ['site']),
  /** The same round trip for a doctor that names no site (`{site}` is a probe id). */
  doctorProbe: spec('doctor/{site}', s.doctorProbe, 'text', false, 1, []),
  floor: spec('floor', s.floor, 'json', true, 1, ['conductor']),
  control: spec('control', s.control, 'json', false, 1, ['operator']),
  conductorAvailability: spec('conductor/availability', s.availability, 'text', true, 1, ['conductor']),
  conductorState: spec('conductor/state', s.conductorState, 'json', true, 1, ['conductor']),
  /** The primary's latest first answers, retained, for a conductor that starts as standby (rule 7). */
  conductorAnswers: spec('conductor/answers', s.conductorAnswers, 'json', true, 1, ['conductor']),
  conductorHeartbeat: spec('conductor/heartbeat', s.heartbeat, 'json', false, 0, ['conductor']),
  events: spec('events', s.eventResult, 'json', false, 1, ['conductor']),
  rundown: spec('rundown', s.rundownList, 'json', true, 1, ['conductor']),
  relayStreams: spec('relay/streams', s.relayStreams, 'json', true, 1, ['conductor']),
} as const;

export type TopicName = keyof typeof TOPICS;
export type PayloadOf<T extends TopicName> = z.infer<(typeof TOPICS)[T]['schema']>;
/** Topic names whose pattern has a `{site}` parameter. */
export type SiteTopicName = { [T in TopicName]: (typeof TOPICS)[T]['pattern'] extends `${string}{site}${string}` ? T : never }[TopicName];

/** The concrete topic for a name: `topic('demo', 'siteIntent', 'saint-camille')`; a site topic needs its site. */
export function topic(event: string, name: SiteTopicName, site: string): string;
export function topic(event: string, name: Exclude<TopicName, SiteTopicName>): string;
export function topic(event: string, name: TopicName, site?: string): string {
  const pattern = TOPICS[name].pattern;
  if (pattern.includes('{site}')) {
    if (!site) throw new Error(`topic ${name} needs a site`);
    return topicBase(event) + pattern.replace('{site}', site);
  }
  return topicBase(event) + pattern;
}

/** {@link topic} for code generic over the name (the typed publisher, a router): a missing site throws. */
export function topicOf(event: string, name: TopicName, site?: string): string {
  return topic(event, name as SiteTopicName, site as string);
}

/** The subscription filter for a name: `{site}` becomes `+`, or the given site. */
export function topicFilter(event: string, name: TopicName, site?: string): string {
  return topicBase(event) + TOPICS[name].pattern.replace('{site}', site ?? '+');
}

/** The filter of every topic of an event (`relais/v1/<event>/#`), or of every event (`relais/v1/+/#`). */
export function eventFilter(event?: string): string {
  return `${topicBase(event ?? '+')}#`;
}

export interface MatchedTopic {
  name: TopicName;
  site: string | null;
}

/** Which named topic a concrete topic is, and its site; `null` when it is none of ours. */
export function matchTopic(event: string, fullTopic: string): MatchedTopic | null {
  const base = topicBase(event);
  if (!fullTopic.startsWith(base)) return null;
  return matchSuffix(fullTopic.slice(base.length));
}

/** Each pattern cut once around its `{site}` (every inbound message is matched against them). */
const PATTERNS = (Object.entries(TOPICS) as [TopicName, TopicSpec<z.ZodType>][]).map(([name, entry]) => {
  const [before, after] = entry.pattern.split('{site}') as [string, string | undefined];
  return { name, before, after };
});
const EXACT = new Map(PATTERNS.filter((p) => p.after === undefined).map((p) => [p.before, p.name]));

/** {@link matchTopic} on the part below `relais/v1/<event>/`. */
export function matchSuffix(rest: string): MatchedTopic | null {
  const exact = EXACT.get(rest);
  if (exact) return { name: exact, site: null };
  for (const { name, before, after } of PATTERNS) {
    if (after === undefined) continue;
    if (rest.length > before.length + after.length && rest.startsWith(before) && rest.endsWith(after)) {
      const site = rest.slice(before.length, rest.length - after.length);
      if (!site.includes('/')) return { name, site };
    }
  }
  return null;
}

/** Splits `relais/v1/<event>/<rest>` into the event and the rest; null for a topic outside the contract. */
export function splitTopic(fullTopic: string): { event: string; rest: string } | null {
  const prefix = `relais/${PROTOCOL_VERSION}/`;
  if (!fullTopic.startsWith(prefix)) return null;
  const slash = fullTopic.indexOf('/', prefix.length);
  if (slash < 0) return null;
  return { event: fullTopic.slice(prefix.length, slash), rest: fullTopic.slice(slash + 1) };
}

/** The topic patterns (below the base) a broker role may publish; `{site}` is the site's own slug for `site`. */
export function writableTopics(writer: TopicWriter): string[] {
  return Object.values(TOPICS as Record<TopicName, TopicSpec<z.ZodType>>)
    .filter((entry) => entry.writers.includes(writer))
    .map((entry) => entry.pattern);
}

export function encode<T extends TopicName>(name: T, payload: PayloadOf<T>): string {
  return TOPICS[name].codec === 'text' ? String(payload) : JSON.stringify(payload);
}

/**
 * A decoded payload, or why it is refused: with the message's `id` when it had
 * a readable one (so the sender can be answered), and the parsed JSON when it
 * was JSON at all (to echo a field of it in that answer).
 */
export type Decoded<T extends TopicName> = { ok: true; value: PayloadOf<T> } | { ok: false; reason: string; id?: string; raw?: unknown };

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function byteSize(payload: Uint8Array | string): number {
  if (typeof payload !== 'string') return payload.byteLength;
  // At most 3 bytes per UTF-16 unit: most strings are judged without encoding them.
  return payload.length * 3 <= s.MAX_PAYLOAD_BYTES ? payload.length : utf8Encoder.encode(payload).byteLength;
}

/** The `id` of a refused JSON message, so its sender can be answered; only a plausible one. */
function readableId(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const id = (raw as { id?: unknown }).id;
  return s.messageId.safeParse(id).success ? (id as string) : undefined;
}

const readers = new Map<TopicName, Reader>();
function readerOf(name: TopicName): Reader {
  let reader = readers.get(name);
  if (!reader) readers.set(name, (reader = compileReader(TOPICS[name].schema)));
  return reader;
}

/**
 * Parses and validates an inbound payload. Never throws: a bad payload comes
 * back as a reason a person reads, in the current language (`pas du JSON`,
 * `minutes\u00a0: ne doit pas être 0`).
 */
export function decode<T extends TopicName>(name: T, payload: Uint8Array | string): Decoded<T> {
  const size = byteSize(payload);
  if (size > s.MAX_PAYLOAD_BYTES) return { ok: false, reason: t('payload.tooBig', { size, limit: s.MAX_PAYLOAD_BYTES }) };
  const text = typeof payload === 'string' ? payload : utf8.decode(payload);
  let raw: unknown = text;
  if (TOPICS[name].codec === 'json') {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, reason: t('payload.notJson') };
    }
  }
  // The compiled reader first (the path of every floor and answer); zod for the rest and the reason.
  const quick = readerOf(name)(raw);
  if (quick !== NOT_READ) return { ok: true, value: quick as PayloadOf<T> };
  const parsed = TOPICS[name].schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length ? issue.path.join('.') + t('punct.colon') : '';
    const id = readableId(raw);
    return { ok: false, reason: `${where}${issue?.message ?? t('payload.invalid')}`, raw, ...(id ? { id } : {}) };
  }
  return { ok: true, value: parsed.data as PayloadOf<T> };
}

export function publishOptions(name: TopicName): { retain: boolean; qos: 0 | 1 } {
  return { retain: TOPICS[name].retain, qos: TOPICS[name].qos };
}

/** One handler per topic name; each gets the decoded payload and the topic's site (or null). */
export type TopicHandlers = { [T in TopicName]?: (value: PayloadOf<T>, site: string | null) => void };

/** A refused payload: the topic, why, and the message's id when it had one. */
export type BadPayloadHandler = (fullTopic: string, reason: string, name: TopicName, site: string | null, id?: string) => void;

/**
 * Routes an inbound message to the handler of its topic, decoded and
 * validated. A topic with no handler is ignored before its payload is read
 * (a standby conductor does not even parse intents); a bad payload goes to
 * `onBad` with the reason and reaches no handler.
 */
export function routeMessage(event: string, fullTopic: string, payload: Uint8Array | string, handlers: TopicHandlers, onBad: BadPayloadHandler): void {
  const match = matchTopic(event, fullTopic);
  if (!match) return;
  const handler = handlers[match.name] as ((value: unknown, site: string | null) => void) | undefined;
  if (!handler) return;
  const decoded = decode(match.name, payload);
  if (!decoded.ok) return onBad(fullTopic, decoded.reason, match.name, match.site, decoded.id);
  handler(decoded.value, match.site);
}
