/**
 * The conductor's broker connection: one persistent session, with or without
 * the Last Will on `conductor/availability`, and publishes that never stall
 * the floor on a slow acknowledgement.
 */
import type { MqttClient } from 'mqtt';
import type { ConductorConfig } from '../config/schema.js';
import { connectBroker } from '../mqtt/connect.js';
import { SubscriptionKeeper } from '../mqtt/subscriptions.js';
import { TopicPublisher } from '../mqtt/publisher.js';
import type { EventResult, Floor, RundownList } from '../protocol/schemas.js';
import { encode, topic, topicFilter, type PayloadOf, type SiteTopicName, type TopicName } from '../protocol/topics.js';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

/** How long the conductor waits for a broker's acknowledgement before going on. */
const PUBLISH_ACK_WAIT_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const FILTERS: TopicName[] = ['floor', 'rundown', 'conductorAnswers', 'conductorHeartbeat', 'conductorAvailability', 'siteIntent', 'siteState', 'control', 'events', 'relayStreams'];

/** What the connection tells its owner; only the current connection's events arrive. */
export interface LinkListener {
  message(fullTopic: string, payload: Buffer): void;
  link(up: boolean): void;
}

/** Encoded messages of one command's outcome, in the order they go. */
export type PreparedOutcome = Array<{ name: 'floor' | 'rundown' | 'events'; body: string }>;

export class ConductorLink {
  private client: MqttClient | null = null;
  private subscriptions: SubscriptionKeeper | null = null;
  /** The last payload handed over per topic without a site (see {@link prepareOutcome}). */
  private readonly lastPublished = new Map<TopicName, string>();
  /** The typed publisher of the current connection. */
  private publisher: { client: MqttClient; topics: TopicPublisher } | null = null;

  constructor(
    private readonly config: ConductorConfig,
    private readonly id: string,
    private readonly log: Logger,
  ) {}

  get hasWill(): boolean {
    return Boolean(this.client?.options.will);
  }

  /** (Re)connects, ending the previous connection cleanly so its Last Will is discarded. */
  async open(withWill: boolean, listener: LinkListener): Promise<void> {
    const old = this.client;
    this.client = null;
    this.subscriptions?.stop();
    this.subscriptions = null;
    // A clean DISCONNECT discards the old connection's Last Will; a forced close would
    // publish "offline" and make a standby (or ourselves) think the primary died.
    if (old) await Promise.race([old.endAsync(false).catch(() => undefined), sleep(2000).then(() => old.end(true))]);
    const event = this.config.event;
    const client = connectBroker(this.config.broker, {
      clientId: `relais-conductor-${event}-${this.id}`.slice(0, 120),
      persistentSession: true,
      will: withWill ? { topic: topic(event, 'conductorAvailability'), payload: 'offline', retain: true, qos: 1 } : undefined,
    });
    this.client = client;
    const current = (): boolean => this.client === client;
    client.on('message', (t, payload) => current() && listener.message(t, payload));
    client.on('error', (err) => this.log.warn(t('logs.brokerError'), { error: err.message }));
    client.on('offline', () => {
      this.log.warn(t('logs.brokerLinkDown'));
      if (current()) listener.link(false);
    });
    client.on('close', () => current() && listener.link(false));
    client.on('connect', () => {
      this.log.info('connected to the broker', { url: this.config.broker.url });
      if (current()) listener.link(true);
    });
    this.subscriptions = new SubscriptionKeeper(client, { log: this.log });
    await this.subscriptions.add(FILTERS.map((n) => topicFilter(event, n)));
  }

  /** Subscribes to `floor` again, so the broker sends its retained copy once more. */
  refreshFloor(): void {
    this.subscriptions?.refresh(topicFilter(this.config.event, 'floor'));
  }

  /**
   * What a command leads to, encoded ahead (while the state is being saved):
   * the new floor and the rundown when it changed the floor, then the answer,
   * and a warning about it (a feed not watchable: answers.ts feedWarning). The
   * rundown is retained and most commands leave it as it was: it goes only
   * when it differs from the last one published.
   */
  prepareOutcome(changed: { floor: Floor; rundown: RundownList } | null, answer: EventResult, warning: EventResult | null = null): PreparedOutcome {
    const out: PreparedOutcome = [];
    if (changed) {
      out.push({ name: 'floor', body: encode('floor', changed.floor) });
      const rundown = encode('rundown', changed.rundown);
      if (this.lastPublished.get('rundown') !== rundown) out.push({ name: 'rundown', body: rundown });
    }
    out.push({ name: 'events', body: encode('events', answer) });
    if (warning) out.push({ name: 'events', body: encode('events', warning) });
    return out;
  }

  /**
   * Sends a prepared outcome: handed to the one connection in that order,
   * which the broker keeps, and none waits for the acknowledgement of the one
   * before it.
   */
  async sendOutcome(outcome: PreparedOutcome): Promise<void> {
    await Promise.all(outcome.map(({ name, body }) => this.send(name, body)));
  }

  /** Publishes one of the event's topics (the conductor writes no site topic) through the box's typed publisher. */
  async publish<T extends Exclude<TopicName, SiteTopicName>>(name: T, payload: PayloadOf<T>): Promise<void> {
    await this.send(name, encode(name, payload));
  }

  private async send(name: Exclude<TopicName, SiteTopicName>, body: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.lastPublished.set(name, body);
    if (this.publisher?.client !== client) this.publisher = { client, topics: new TopicPublisher(client, this.config.event, this.log) };
    const sent = this.publisher.topics.publishEncoded(name, {}, body).then((ok) => {
      // Not on the broker: the next one must not be skipped as unchanged.
      if (!ok && this.lastPublished.get(name) === body) this.lastPublished.delete(name);
    });
    // A broker that is slow to acknowledge must not stall the floor: mqtt.js keeps the
    // message and resends it, and (term, epoch) orders whatever arrives late.
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.warn(t('logs.brokerSlow'), { topic: name });
        resolve();
      }, PUBLISH_ACK_WAIT_MS);
    });
    await Promise.race([sent, slow]);
    clearTimeout(timer);
  }

  /** Ends the connection; a primary first says `offline` itself (a clean stop sends no Will). */
  async close(sayOffline: boolean): Promise<void> {
    const client = this.client;
    this.client = null;
    this.subscriptions?.stop();
    if (!client) return;
    if (sayOffline && client.connected) {
      await client.publishAsync(topic(this.config.event, 'conductorAvailability'), 'offline', { retain: true, qos: 1 }).catch(() => undefined);
    }
    await client.endAsync().catch(() => undefined);
  }
}
