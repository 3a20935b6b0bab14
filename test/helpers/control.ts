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
  /** After the first answer, how long to keep collecting answers to late copies (default 0). */
  settleMs?: number;
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
    if (options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
    return answers;
  } finally {
    client.off('message', onMessage);
  }
}
