/**
 * `relais floor ...`: read the floor and send intents or controls against any
 * broker, waiting for the conductor's answer on `events`.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { brokerFromFlags } from '../mqtt/config.js';
import { connectBroker, waitConnected } from '../mqtt/connect.js';
import type { Control, EventResult, Floor, Intent } from '../protocol/schemas.js';
import { siteIoTrouble } from '../protocol/site-state.js';
import { decode, encode, publishOptions, routeMessage, topic, topicFilter, type TopicHandlers, type TopicName } from '../protocol/topics.js';

export interface FloorClientOptions {
  broker: string;
  event: string;
  username?: string;
  password?: string;
  ca?: string;
  timeoutMs: number;
}

async function open(opts: FloorClientOptions): Promise<MqttClient> {
  const broker = brokerFromFlags(opts, { reconnectMs: 1000 });
  const client = connectBroker(broker, { clientId: `relais-cli-${randomUUID().slice(0, 8)}` });
  client.on('error', () => undefined);
  try {
    await waitConnected(client, broker.url, opts.timeoutMs);
  } catch (err) {
    client.end(true);
    throw err;
  }
  return client;
}

export interface FloorStatus {
  floor: Floor | null;
  conductor: string | null;
  sites: Record<string, { availability: string; role?: string; link?: string; io?: string }>;
}

/** Reads the retained topics: floor, conductor availability, every site's availability and state. */
export async function readStatus(opts: FloorClientOptions): Promise<FloorStatus> {
  const client = await open(opts);
  const status: FloorStatus = { floor: null, conductor: null, sites: {} };
  const site = (id: string | null): FloorStatus['sites'][string] => (status.sites[id!] ??= { availability: 'unknown' });
  const handlers: TopicHandlers = {
    floor: (floor) => {
      status.floor = floor;
    },
    conductorAvailability: (availability) => {
      status.conductor = availability;
    },
    siteAvailability: (availability, id) => {
      site(id).availability = availability;
    },
    siteState: (state, id) => {
      const entry = site(id);
      entry.role = state.tally.role;
      entry.link = state.tally.link;
      const trouble = siteIoTrouble(state);
      if (trouble) entry.io = trouble;
      else delete entry.io;
    },
  };
  client.on('message', (t, payload) => routeMessage(opts.event, t, payload, handlers, () => undefined));
  await client.subscribeAsync((Object.keys(handlers) as TopicName[]).map((name) => topicFilter(opts.event, name)), { qos: 1 });
  // Retained messages follow the subscription at once; a short wait collects them.
  await new Promise((r) => setTimeout(r, 400));
  await client.endAsync();
  return status;
}

export function formatStatus(status: FloorStatus, event: string): string {
  const f = status.floor;
  const lines = [`event ${event}  conductor ${status.conductor ?? 'unknown'}`];
  if (!f) lines.push('no floor published yet (is a conductor running for this event?)');
  else {
    lines.push(`epoch ${f.epoch}  on air: ${f.onAir ?? '-'}${f.since ? ` since ${f.since}` : ''}  next: ${f.next ?? '-'}  queue: ${f.queue.join(', ') || '-'}`);
    if (f.item) lines.push(`item: ${f.item.title} (${f.item.speaker}), planned end ${f.plannedEnd}`);
  }
  for (const [site, s] of Object.entries(status.sites).sort()) {
    const notes = [s.link === 'lost' ? '(link lost)' : '', s.io ? `(lamps and buttons out: ${s.io})` : ''].filter(Boolean).join(' ');
    lines.push(`  ${site.padEnd(20)} ${s.availability.padEnd(8)} ${s.role ?? ''} ${notes}`.trimEnd());
  }
  return lines.join('\n');
}

/** Publishes an intent (as `site`) or a control and waits for its result on `events`. */
/** An intent as a site, or an operator control; the id is added when it is sent. */
export type FloorMessage = { kind: 'intent'; site: string; intent: Omit<Intent, 'id'> } | { kind: 'control'; control: Omit<Control, 'id'> };

export async function sendAndWait(opts: FloorClientOptions, message: FloorMessage): Promise<EventResult> {
  const client = await open(opts);
  const id = `cli-${randomUUID()}`;
  try {
    const result = new Promise<EventResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from the conductor within ${opts.timeoutMs} ms (is one running for event "${opts.event}"?)`)), opts.timeoutMs);
      client.on('message', (_t, payload) => {
        const d = decode('events', payload);
        if (d.ok && d.value.id === id) {
          clearTimeout(timer);
          resolve(d.value);
        }
      });
    });
    await client.subscribeAsync(topicFilter(opts.event, 'events'), { qos: 1 });
    if (message.kind === 'intent') {
      const intent = { ...message.intent, id, origin: 'cli' } as Intent;
      await client.publishAsync(topic(opts.event, 'siteIntent', message.site), encode('siteIntent', intent), publishOptions('siteIntent'));
    } else {
      const control = { ...message.control, id, origin: 'cli' } as Control;
      await client.publishAsync(topic(opts.event, 'control'), encode('control', control), publishOptions('control'));
    }
    return await result;
  } finally {
    await client.endAsync().catch(() => undefined);
  }
}
