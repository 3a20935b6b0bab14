/**
 * The box's inbound side: who subscribed to which named topic, and, for each
 * message from the one `message` listener, the payload decoded once and
 * handed to every subscriber of that topic. Subscriptions belong to an owner
 * (a feature, or the runtime itself) and go with it.
 */
import { decode, matchTopic, topicFilter, type TopicName } from '../protocol/topics.js';
import type { Logger } from '../util/log.js';
import type { Delivery, SubscribeOptions, TopicHandler, TopicParams } from './feature.js';
import { t } from '../i18n/index.js';

interface Entry {
  owner: string;
  name: TopicName;
  site: string | undefined;
  filter: string;
  handler: (value: unknown, from: Delivery) => void;
  onBad: SubscribeOptions['onBad'];
}

export class TopicRouter {
  private entries: Entry[] = [];

  constructor(
    private readonly event: string,
    private readonly log: Logger,
    /** Counts and logs a payload that failed validation. */
    private readonly onBad: (fullTopic: string, reason: string) => void,
  ) {}

  /** Records a subscription; returns the MQTT filter to keep subscribed. */
  add<T extends TopicName>(owner: string, name: T, params: TopicParams, handler: TopicHandler<T>, options: SubscribeOptions = {}): string {
    const { site } = params;
    const filter = topicFilter(this.event, name, site);
    this.entries.push({ owner, name, site, filter, handler: handler as Entry['handler'], onBad: options.onBad });
    return filter;
  }

  /** Forgets every subscription of `owner`. The broker subscription stays; what it brings is ignored. */
  removeOwner(owner: string): void {
    this.entries = this.entries.filter((e) => e.owner !== owner);
  }

  /** Every filter wanted now, once each. */
  filters(): string[] {
    return [...new Set(this.entries.map((e) => e.filter))];
  }

  /** How many subscriptions `owner` holds. */
  count(owner: string): number {
    return this.entries.filter((e) => e.owner === owner).length;
  }

  /** One inbound message. A topic nobody wants is ignored before its payload is read. */
  route(fullTopic: string, payload: Buffer): void {
    const match = matchTopic(this.event, fullTopic);
    if (!match) return;
    const wanting = this.entries.filter((e) => e.name === match.name && (e.site === undefined || e.site === match.site));
    if (wanting.length === 0) return;
    const from: Delivery = { topic: fullTopic, site: match.site };
    const decoded = decode(match.name, payload);
    if (!decoded.ok) {
      this.onBad(fullTopic, decoded.reason);
      const { reason, id, raw } = decoded;
      for (const entry of wanting) this.call(entry, () => entry.onBad?.({ reason, id, raw }, from));
      return;
    }
    for (const entry of wanting) this.call(entry, () => entry.handler(decoded.value, from));
  }

  /** A handler that throws must not stop the others, nor reach mqtt.js. */
  private call(entry: Entry, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(t('logs.subscriberFailed'), { owner: entry.owner, topic: entry.name, error: (err as Error).message });
    }
  }
}
