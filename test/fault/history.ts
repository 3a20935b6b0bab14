/**
 * The recorded history of one run: every message the recorder heard on the
 * broker, every operation of the client and the nemesis, and the role changes
 * the conductors logged, each with its local monotonic time (ms since the
 * run started). The checker reads nothing else.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { matchTopic, topicBase, type TopicName } from '../../src/protocol/topics.js';
import { ROOT } from '../helpers/cli.js';

/** A message heard on the broker. `payload` is the parsed JSON, or the text when it is not JSON. */
export interface MessageEntry {
  kind: 'msg';
  t: number;
  /** The topic, cut to 200 characters (a hostile one may be 60 KB). */
  topic: string;
  name: TopicName | null;
  site: string | null;
  payload: unknown;
  retained: boolean;
}

/** Something the client or the nemesis did. */
export interface OpEntry {
  kind: 'op';
  t: number;
  actor: 'client' | 'nemesis';
  /** Client: `control:grant`, `intent:pass`...; nemesis: the fault kind. */
  op: string;
  /** Nemesis: `start` then `heal`; client: `send`. */
  phase: 'send' | 'start' | 'heal';
  detail: Record<string, unknown>;
}

/** A conductor said (in its log) that it became primary or standby. */
export interface RoleEntry {
  kind: 'role';
  t: number;
  conductor: string;
  role: 'primary' | 'standby';
}

export type Entry = MessageEntry | OpEntry | RoleEntry;

/** The history, in the order things happened here (times only grow). */
export class History {
  readonly entries: Entry[] = [];
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  add<E extends Entry>(entry: Omit<E, 't'>): E {
    const full = { ...entry, t: this.now() } as E;
    this.entries.push(full);
    return full;
  }

  /** Writes the history to `test-output/<name>.json` and returns the path. */
  async dump(name: string): Promise<string> {
    const dir = join(ROOT, 'test-output');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify(this.entries));
    return path;
  }
}

function parse(payload: Buffer): unknown {
  const text = payload.toString();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.length > 200 ? text.slice(0, 200) : text;
  }
}

/**
 * The recorder: its own client on the broker (no proxy between), subscribed
 * to everything under the event's base.
 */
export async function startRecorder(url: string, event: string, history: History): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: `fault-recorder-${process.pid}`, reconnectPeriod: 200, clean: true });
  client.on('error', () => undefined);
  client.on('message', (fullTopic, payload, packet) => {
    const match = matchTopic(event, fullTopic);
    history.add<MessageEntry>({
      kind: 'msg',
      topic: fullTopic.length > 200 ? fullTopic.slice(0, 200) : fullTopic,
      name: match?.name ?? null,
      site: match?.site && match.site.length <= 64 ? match.site : match?.site ? `${match.site.slice(0, 16)}…(${match.site.length})` : null,
      payload: parse(payload),
      retained: packet.retain,
    });
  });
  await client.subscribeAsync(`${topicBase(event)}#`, { qos: 1 });
  return client;
}
