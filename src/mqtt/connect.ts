/**
 * Builds mqtt.js connections from a broker config: TLS files, a server list
 * for clusters, the Last Will, persistent sessions.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { BrokerConfig } from './config.js';
import { t } from '../i18n/index.js';
import { EXIT, UserError } from '../util/errors.js';

export interface ConnectOptions {
  clientId: string;
  /** Keep subscriptions and queued QoS 1 messages across reconnects. */
  persistentSession?: boolean;
  will?: { topic: string; payload: string; retain: boolean; qos: 0 | 1 };
}

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UserError(t('errors.brokerFile', { key: what, path, reason: (err as NodeJS.ErrnoException).code ?? String(err) }));
  }
}

export function clientOptions(broker: BrokerConfig, options: ConnectOptions): IClientOptions {
  const urls = [broker.url, ...broker.fallbackUrls];
  const servers = urls.length > 1
    ? urls.map((u) => {
        const parsed = new URL(u);
        return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port) || (parsed.protocol.startsWith('mqtts') ? 8883 : 1883), protocol: parsed.protocol.replace(':', '') as 'mqtt' };
      })
    : undefined;
  const opts: IClientOptions = {
    clientId: options.clientId,
    clean: !(options.persistentSession ?? false),
    keepalive: broker.keepaliveSeconds,
    reconnectPeriod: broker.reconnectMs,
    connectTimeout: 5000,
    protocolVersion: broker.protocolVersion,
    // Long-lived clients keep their subscriptions with a SubscriptionKeeper (./subscriptions.ts):
    // mqtt.js's own resubscription gives up on a refused filter.
    resubscribe: false,
    username: broker.username,
    password: broker.password,
    ca: readPem(broker.ca, 'ca'),
    cert: readPem(broker.cert, 'cert'),
    key: readPem(broker.key, 'key'),
    rejectUnauthorized: broker.rejectUnauthorized,
  };
  // mqtt.js calls its debug logger a dozen times a message, on the path of every floor; it is
  // only worth that when someone asked for it (DEBUG=mqttjs*).
  if (!/mqttjs/.test(process.env.DEBUG ?? '')) opts.log = () => undefined;
  if (servers) opts.servers = servers;
  if (options.will) opts.will = { ...options.will, payload: Buffer.from(options.will.payload) };
  return opts;
}

export function connectBroker(broker: BrokerConfig, options: ConnectOptions): MqttClient {
  const client = mqtt.connect(broker.url, clientOptions(broker, options));
  client.on('connect', () => {
    disableNagle(client);
    oneWritePerRead(client);
  });
  return client;
}

const corked = new WeakSet<object>();

/**
 * What the client writes while it handles one read from the broker goes out
 * in one write. mqtt.js handles each message of a read on its own tick and
 * acknowledges each QoS 1 message in a write of its own (4 bytes, one system
 * call each); the floor and the answer that follows it come to a box in one
 * read. The socket is corked for the rest of that turn of the event loop
 * (uncorked in `setImmediate`, after every tick of the read): nothing waits
 * for a later turn, unlike Nagle's algorithm.
 */
export function oneWritePerRead(client: MqttClient): void {
  const stream = client.stream as unknown as (NodeJS.ReadableStream & { cork?: () => void; uncork?: () => void }) | undefined;
  if (!stream || corked.has(stream) || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return;
  corked.add(stream);
  let held = false;
  stream.on('data', () => {
    if (held) return;
    held = true;
    stream.cork!();
    setImmediate(() => {
      held = false;
      stream.uncork!();
    });
  });
}

/**
 * Floor messages are small and must go at once: without TCP_NODELAY, Nagle's
 * algorithm holds a publish until the broker's delayed ACK (40 ms on Linux).
 */
export function disableNagle(client: MqttClient): void {
  const stream = client.stream as unknown as { setNoDelay?: (on: boolean) => void; socket?: { setNoDelay?: (on: boolean) => void } } | undefined;
  stream?.setNoDelay?.(true);
  stream?.socket?.setNoDelay?.(true);
}

/** Resolves at the first `connect`, or rejects with a readable error after `timeoutMs`. */
export function waitConnected(client: MqttClient, url: string, timeoutMs = 10_000): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | null = null;
    const onError = (err: Error): void => {
      lastError = err;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new UserError(t('errors.brokerUnreachable', { url, ms: timeoutMs, detail: lastError ? ` (${lastError.message})` : '' }), EXIT.failure));
    }, timeoutMs);
    const onConnect = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
    };
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}
