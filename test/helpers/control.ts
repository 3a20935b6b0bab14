/**
 * An operator that insists: publishes a control, and again with the same id
 * every few seconds, until the conductor answers it on `events` (the id makes
 * it apply once). For brokers that may lose a QoS 1 publish while they fail over.
 */
import type { MqttClient } from 'mqtt';
import type { EventResult } from '../../src/protocol/schemas.js';
import { decode, topic } from '../../src/protocol/topics.js';
import { waitFor } from './wait.js';

export interface InsistOptions {
  /** Gives up after this long with an error naming the control. */
  timeoutMs: number;
  /** How long to wait for an answer before sending again (default 3 s). */
  everyMs?: number;
  /**
   * After the first answer, keep collecting answers to late copies until the
   * conductor has answered a marker sent after them (see `conductorMarker`).
   */
  collectLate?: boolean;
}

/**
 * Resolves with every answer to `body.id` seen. `client` must already be
 * subscribed to the event's `events` topic.
 */
export async function controlUntilAnswered(client: MqttClient, event: string, body: { id: string } & Record<string, unknown>, options: InsistOptions): Promise<EventResult[]> {
  const answers: EventResult[] = [];
  const onMessage = (_t: string, payload: Buffer): void => {
    const d = decode('events', payload);
    if (d.ok && d.value.id === body.id) answers.push(d.value);
  };
  client.on('message', onMessage);
  const deadline = Date.now() + options.timeoutMs;
  try {
    while (answers.length === 0) {
      if (Date.now() > deadline) throw new Error(`no answer to control ${body.id} within ${options.timeoutMs} ms`);
      client.publish(topic(event, 'control'), JSON.stringify(body), { qos: 1 });
      await waitFor(`an answer to ${body.id}`, () => answers.length > 0, options.everyMs ?? 3000).catch(() => undefined);
    }
    if (options.collectLate) await conductorMarker(client, event, client, 10_000);
    return answers;
  } finally {
    client.off('message', onMessage);
  }
}

let markers = 0;

/**
 * A marker for negative checks against the conductor: a control it must
 * reject (a grant to a site no event has) sent by `from`, and its answer seen
 * on `events` by `listen`. The conductor handles one publisher's messages in
 * order and publishes what it does (a floor) before the answer, so once the
 * answer is in, everything `from` sent earlier has been handled and its
 * effect, if any, has reached `listen`.
 */
export async function conductorMarker(from: MqttClient, event: string, listen: MqttClient = from, timeoutMs = 5000): Promise<EventResult> {
  const id = `marker-${++markers}`;
  let answer: EventResult | null = null;
  const onMessage = (t: string, payload: Buffer): void => {
    const d = decode('events', payload);
    if (t === topic(event, 'events') && d.ok && d.value.id === id) answer = d.value;
  };
  listen.on('message', onMessage);
  try {
    await listen.subscribeAsync(topic(event, 'events'), { qos: 1 });
    await from.publishAsync(topic(event, 'control'), JSON.stringify({ id, action: 'grant', site: 'no-such-site' }), { qos: 1 });
    await waitFor(`the conductor's answer to ${id}`, () => answer !== null, timeoutMs);
    return answer!;
  } finally {
    listen.off('message', onMessage);
  }
}
