/**
 * Publishes named topics of the contract: the topic from its name and site,
 * the payload through the topic's encoder, retain and QoS from the map. A
 * failure is logged and reported as `false`, never thrown: a box or a
 * conductor that cannot publish one message keeps running.
 */
import type { MqttClient } from 'mqtt';
import { encode, publishOptions, topicOf, type PayloadOf, type SiteTopicName, type TopicName } from '../protocol/topics.js';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

/** What fills a topic's pattern: a `site/{site}/...` topic needs its site (a compile error without), the others take none. */
export type TopicParams<T extends TopicName = TopicName> = T extends SiteTopicName ? { site: string } : { site?: undefined };

export class TopicPublisher {
  constructor(
    private readonly client: Pick<MqttClient, 'publishAsync'>,
    private readonly event: string,
    private readonly log: Logger,
  ) {}

  /** Resolves `true` once the broker has the message (QoS 1) or it is written (QoS 0); `false` on failure. */
  async publish<T extends TopicName>(name: T, params: TopicParams<T>, payload: PayloadOf<T>): Promise<boolean> {
    let body: string;
    try {
      body = encode(name, payload);
    } catch (err) {
      this.log.warn(t('logs.notPublished'), { topic: name, error: (err as Error).message });
      return false;
    }
    return this.publishEncoded(name, params, body);
  }

  /** The same, for a payload already encoded by `encode(name, ...)` (a caller that prepared it ahead). */
  async publishEncoded<T extends TopicName>(name: T, params: TopicParams<T>, body: string): Promise<boolean> {
    let full: string;
    try {
      full = topicOf(this.event, name, params.site);
    } catch (err) {
      this.log.warn(t('logs.notPublished'), { topic: name, error: (err as Error).message });
      return false;
    }
    try {
      await this.client.publishAsync(full, body, publishOptions(name));
      return true;
    } catch (err) {
      this.log.warn(t('logs.publishFailed'), { topic: full, error: (err as Error).message });
      return false;
    }
  }
}
