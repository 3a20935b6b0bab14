/**
 * The one typed map of topics to payloads. Every publish and subscription in
 * relais goes through it, so a wrong payload is a compile error and a bad
 * inbound one is caught in one place.
 */
import type { z } from 'zod';
import * as s from './schemas.js';

export const PROTOCOL_VERSION = 'v1';

/** `relais/v1/<event>/` */
export function topicBase(event: string): string {
  return `relais/${PROTOCOL_VERSION}/${event}/`;
}

/** Payload encodings: plain strings for availability, JSON for the rest. */
type Codec = 'text' | 'json';

interface TopicSpec<S extends z.ZodType> {
  /** Suffix below the base; `{site}` is a site slug. */
  pattern: string;
  schema: S;
  codec: Codec;
  retain: boolean;
  qos: 0 | 1;
}

function spec<S extends z.ZodType>(pattern: string, schema: S, codec: Codec, retain: boolean, qos: 0 | 1): TopicSpec<S> {
  return { pattern, schema, codec, retain, qos };
}

export const TOPICS = {
  siteAvailability: spec('site/{site}/availability', s.availability, 'text', true, 1),
  siteState: spec('site/{site}/state', s.siteState, 'json', true, 1),
  siteIntent: spec('site/{site}/intent', s.intent, 'json', false, 1),
  floor: spec('floor', s.floor, 'json', true, 1),
  control: spec('control', s.control, 'json', false, 1),
  conductorAvailability: spec('conductor/availability', s.availability, 'text', true, 1),
  conductorState: spec('conductor/state', s.conductorState, 'json', true, 1),
  conductorHeartbeat: spec('conductor/heartbeat', s.heartbeat, 'json', false, 0),
  events: spec('events', s.eventResult, 'json', false, 1),
  rundown: spec('rundown', s.rundownList, 'json', true, 1),
  relayStreams: spec('relay/streams', s.relayStreams, 'json', true, 1),
} as const;

export type TopicName = keyof typeof TOPICS;
export type PayloadOf<T extends TopicName> = z.infer<(typeof TOPICS)[T]['schema']>;

/** The concrete topic for a name: `topic('demo', 'siteIntent', 'saint-camille')`. */
export function topic(event: string, name: TopicName, site?: string): string {
  const pattern = TOPICS[name].pattern;
  if (pattern.includes('{site}')) {
    if (!site) throw new Error(`topic ${name} needs a site`);
    return topicBase(event) + pattern.replace('{site}', site);
  }
  return topicBase(event) + pattern;
}

/** The subscription filter for a name: `{site}` becomes `+`. */
export function topicFilter(event: string, name: TopicName): string {
  return topicBase(event) + TOPICS[name].pattern.replace('{site}', '+');
}

export interface MatchedTopic {
  name: TopicName;
  site: string | null;
}

/** Which named topic a concrete topic is, and its site; `null` when it is none of ours. */
export function matchTopic(event: string, fullTopic: string): MatchedTopic | null {
  const base = topicBase(event);
  if (!fullTopic.startsWith(base)) return null;
  const rest = fullTopic.slice(base.length);
  for (const [name, entry] of Object.entries(TOPICS) as [TopicName, TopicSpec<z.ZodType>][]) {
    if (!entry.pattern.includes('{site}')) {
      if (rest === entry.pattern) return { name, site: null };
      continue;
    }
    const [before, after] = entry.pattern.split('{site}') as [string, string];
    if (rest.startsWith(before) && rest.endsWith(after)) {
      const site = rest.slice(before.length, rest.length - after.length);
      if (site.length > 0 && !site.includes('/')) return { name, site };
    }
  }
  return null;
}

export function encode<T extends TopicName>(name: T, payload: PayloadOf<T>): string {
  return TOPICS[name].codec === 'text' ? String(payload) : JSON.stringify(payload);
}

export type Decoded<T extends TopicName> = { ok: true; value: PayloadOf<T> } | { ok: false; reason: string };

/**
 * Parses and validates an inbound payload. Never throws: a bad payload comes
 * back as a reason a person can read (`not JSON`, `action: Invalid option ...`).
 */
export function decode<T extends TopicName>(name: T, payload: Buffer | string): Decoded<T> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > s.MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload of ${size} bytes is over the ${s.MAX_PAYLOAD_BYTES}-byte limit` };
  const text = payload.toString();
  let raw: unknown = text;
  if (TOPICS[name].codec === 'json') {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
  }
  const parsed = TOPICS[name].schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length ? issue.path.join('.') + ': ' : '';
    return { ok: false, reason: `${where}${issue?.message ?? 'invalid payload'}` };
  }
  return { ok: true, value: parsed.data as PayloadOf<T> };
}

export function publishOptions(name: TopicName): { retain: boolean; qos: 0 | 1 } {
  return { retain: TOPICS[name].retain, qos: TOPICS[name].qos };
}

/** One handler per topic name; each gets the decoded payload and the topic's site (or null). */
export type TopicHandlers = { [T in TopicName]?: (value: PayloadOf<T>, site: string | null) => void };

/**
 * Routes an inbound message to the handler of its topic, decoded and
 * validated. A topic with no handler is ignored before its payload is read
 * (a standby conductor does not even parse intents); a bad payload goes to
 * `onBad` with the reason and reaches no handler.
 */
export function routeMessage(event: string, fullTopic: string, payload: Buffer | string, handlers: TopicHandlers, onBad: (fullTopic: string, reason: string) => void): void {
  const match = matchTopic(event, fullTopic);
  if (!match) return;
  const handler = handlers[match.name] as ((value: unknown, site: string | null) => void) | undefined;
  if (!handler) return;
  const decoded = decode(match.name, payload);
  if (!decoded.ok) return onBad(fullTopic, decoded.reason);
  handler(decoded.value, match.site);
}
