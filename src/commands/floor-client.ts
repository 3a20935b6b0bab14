/**
 * `relais floor ...`: read the floor and send intents or controls against any
 * broker, waiting for the conductor's answer on `events`.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { brokerFromFlags } from '../mqtt/config.js';
import { connectBroker, waitConnected } from '../mqtt/connect.js';
import type { Control, EventResult, Floor, Intent, RundownList } from '../protocol/schemas.js';
import { siteIoTrouble } from '../protocol/site-state.js';
import { decode, encode, publishOptions, routeMessage, topic, topicFilter, type TopicHandlers, type TopicName } from '../protocol/topics.js';
import { currentLang, t } from '../i18n/index.js';
import { formatTimeOfDay } from '../i18n/time.js';
import { actionWord, delayLabel, reasonText } from '../i18n/words.js';
import { EXIT, UserError } from '../util/errors.js';

/** The broker would not take the message: the person's login may not write that topic. */
export class PublishRefusedError extends UserError {
  override name = 'PublishRefusedError';
  constructor(readonly topic: string, readonly user: string) {
    super(t('cli.publishRefused', { topic, user }), EXIT.failure);
  }
}

/** Nobody answered on `events`: no conductor runs for the event, or it is stuck. */
export class NoAnswerError extends UserError {
  override name = 'NoAnswerError';
  constructor(ms: number, event: string) {
    super(t('cli.noAnswer', { ms, event }), EXIT.failure);
  }
}

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
  /** The retained rundown (with the report's actual times). */
  rundown?: RundownList | null;
  conductor: string | null;
  sites: Record<string, { availability: string; name?: string; role?: string; link?: string; io?: string }>;
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
    rundown: (rundown) => {
      status.rundown = rundown;
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
      if (state.name) entry.name = state.name;
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

/** `relais floor status` for a person: in the CLI's language, sites by their display names, 24-hour times. */
export function formatStatus(status: FloorStatus, event: string): string {
  const f = status.floor;
  const lang = currentLang();
  const name = (site: string | null): string => (site ? status.sites[site]?.name ?? site : '-');
  const lines = [t('cli.floorEvent', { event, conductor: status.conductor ?? t('cli.unknown') })];
  if (!f) lines.push(t('cli.floorNone'));
  else {
    const since = f.since ? t('cli.floorSince', { time: formatTimeOfDay(f.since, lang) }) : '';
    lines.push(t('cli.floorLine', { epoch: f.epoch, onAir: name(f.onAir), since, next: name(f.next), queue: f.queue.map(name).join(', ') || '-' }));
    if (f.item) lines.push(t('cli.floorItem', { title: f.item.title, speaker: f.item.speaker, time: formatTimeOfDay(f.plannedEnd, lang) }));
    if (f.delayMinutes !== null && f.delayMinutes !== undefined) lines.push(t('cli.floorDelay', { delay: delayLabel(f.delayMinutes), added: f.addedMinutes ? t('cli.floorAdded', { n: `${f.addedMinutes > 0 ? '+' : '−'}${Math.abs(f.addedMinutes)}` }) : '' }));
    const upcoming = (f.upcoming ?? []).map((u) => `${u.index + 1} ${u.skipped ? t('rundown.skipped') : formatTimeOfDay(u.shiftedStart, lang)}`);
    if (upcoming.length > 0) lines.push(t('cli.floorUpcoming', { items: upcoming.join(', ') }));
  }
  for (const [site, s] of Object.entries(status.sites).sort()) {
    const notes = [s.link === 'lost' ? t('cli.linkLost') : '', s.io ? t('cli.ioOut', { detail: s.io }) : ''].filter(Boolean).join(' ');
    const availability = s.availability === 'online' || s.availability === 'offline' ? t(`sites.${s.availability}`) : t('cli.unknown');
    const role = s.role === 'on-air' || s.role === 'next' || s.role === 'queued' || s.role === 'idle' ? t(`demo.role.${s.role}`) : '';
    lines.push(`  ${name(site).padEnd(20)} ${availability.padEnd(10)} ${role} ${notes}`.trimEnd());
  }
  return lines.join('\n');
}

/** One line for the conductor's answer to an intent or a control. */
export function formatResult(result: EventResult): string {
  const action = actionWord(result.action);
  const key = result.result === 'accepted' ? 'cli.resultAccepted' : result.result === 'rejected' ? 'cli.resultRejected' : 'cli.resultInfo';
  return t(key, { action, reason: reasonText(result) ?? t('log.noReason'), epoch: result.epoch, dup: result.duplicate ? t('log.repeat') : '' });
}

/** Publishes an intent (as `site`) or a control and waits for its result on `events`. */
/** An intent as a site, or an operator control; the id is added when it is sent. */
export type FloorMessage = { kind: 'intent'; site: string; intent: Omit<Intent, 'id'> } | { kind: 'control'; control: Omit<Control, 'id'> };

/**
 * Publishes an intent (as `site`) or a control and waits for its result on
 * `events`. A broker that refuses the publish says so one of two ways: an
 * MQTT 5 reason code (135, not authorized), or by closing the connection
 * (the embedded broker, Mosquitto with MQTT 3.1.1 drops it silently and the
 * wait ends in {@link NoAnswerError}). Either way the refusal is named, not
 * blamed on the conductor.
 */
export async function sendAndWait(opts: FloorClientOptions, message: FloorMessage): Promise<EventResult> {
  const client = await open(opts);
  const id = `cli-${randomUUID()}`;
  const fullTopic = message.kind === 'intent' ? topic(opts.event, 'siteIntent', message.site) : topic(opts.event, 'control');
  const refused = (): PublishRefusedError => new PublishRefusedError(fullTopic, opts.username ?? t('header.anonymous'));
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = new Promise<EventResult>((resolve, reject) => {
      timer = setTimeout(() => reject(new NoAnswerError(opts.timeoutMs, opts.event)), opts.timeoutMs);
      client.on('message', (_t, payload) => {
        const d = decode('events', payload);
        if (d.ok && d.value.id === id) resolve(d.value);
      });
      // Closed by the broker after our publish and before any answer: it refused the publish.
      client.once('close', () => reject(refused()));
    });
    // Settled from here on whatever happens below, so a rejection is never left unhandled.
    result.catch(() => undefined);
    await client.subscribeAsync(topicFilter(opts.event, 'events'), { qos: 1 });
    const payload = message.kind === 'intent'
      ? encode('siteIntent', { ...message.intent, id, origin: 'cli' } as Intent)
      : encode('control', { ...message.control, id, origin: 'cli' } as Control);
    const sent = client.publishAsync(fullTopic, payload, publishOptions(message.kind === 'intent' ? 'siteIntent' : 'control')).then(
      () => null,
      (err: Error & { code?: number }) => (err.code === 135 || /not authori[sz]ed/i.test(err.message) ? refused() : err),
    );
    const first = await Promise.race([sent, result.then(() => null, () => null)]);
    if (first) throw first;
    return await result;
  } finally {
    clearTimeout(timer);
    client.removeAllListeners('close');
    await client.endAsync(true).catch(() => undefined);
  }
}
