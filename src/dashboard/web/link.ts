/**
 * The page's MQTT link over WebSockets (mqtt.js browser build). Reconnects by
 * itself; a refused login stops it (retrying a wrong password helps nobody).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { t } from '../../i18n/index.js';

/** Chooses the broker URL: a loopback URL is useless to a phone, so the page's own host replaces it. */
export function brokerUrlFor(configured: string, pageHost: string): string {
  try {
    const url = new URL(configured);
    const loopback = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
    const pageLoopback = ['127.0.0.1', 'localhost', '[::1]', '::1', ''].includes(pageHost);
    if (loopback && !pageLoopback) url.hostname = pageHost;
    return url.toString().replace(/\/$/, '');
  } catch {
    return configured;
  }
}

export interface LinkHandlers {
  up(): void;
  /** The link closed; it will retry unless `fatal`. */
  down(reason: string | null): void;
  loginRefused(reason: string): void;
  message(topic: string, payload: Uint8Array): void;
}

export interface LinkOptions {
  url: string;
  username: string | null;
  password: string | null;
  subscriptions: string[];
  handlers: LinkHandlers;
  /** Start of the MQTT client id (`relais-dashboard`, `relais-stage`). */
  clientPrefix?: string;
}

export class BrokerLink {
  readonly client: MqttClient;
  private lastError: string | null = null;

  constructor(options: LinkOptions) {
    const { handlers } = options;
    this.client = mqtt.connect(options.url, {
      // MQTT 3.1.1: what the embedded broker and every Mosquitto speak.
      protocolVersion: 4,
      clean: true,
      clientId: `${options.clientPrefix ?? 'relais-dashboard'}-${Math.random().toString(16).slice(2, 10)}`,
      ...(options.username ? { username: options.username, password: options.password ?? '' } : {}),
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      keepalive: 10,
      resubscribe: false,
    });
    this.client.on('connect', () => {
      this.lastError = null;
      // Subscribing again on every connect brings the retained snapshot back after a broker restart.
      this.client.subscribe(options.subscriptions, { qos: 1 }, (err) => {
        if (err) handlers.down(`subscribe failed: ${err.message}`);
      });
      handlers.up();
    });
    this.client.on('close', () => handlers.down(this.lastError));
    this.client.on('error', (err: Error & { code?: number }) => {
      this.lastError = err.message;
      if (err.code === 4 || err.code === 5 || err.code === 134 || err.code === 135) {
        handlers.loginRefused(t(err.code === 5 || err.code === 135 ? 'login.notAllowed' : 'login.badPassword'));
        this.client.end(true);
      }
    });
    this.client.on('message', (topic, payload) => handlers.message(topic, payload));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Publishes at QoS 1. Returns the packet id (so an unacknowledged publish
   * can be withdrawn) and a promise for the broker's acknowledgement.
   */
  publish(topic: string, payload: string, retain = false): { messageId: number | null; acked: Promise<void> } {
    let settle!: (err?: Error) => void;
    const acked = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    this.client.publish(topic, payload, { qos: 1, retain }, (err) => settle(err ?? undefined));
    const id = this.client.getLastMessageId();
    return { messageId: typeof id === 'number' ? id : null, acked };
  }

  /** Withdraws a publish the broker never acknowledged, so it is not sent again on reconnect. */
  withdraw(messageId: number): void {
    this.client.removeOutgoingMessage(messageId);
  }

  close(): void {
    this.client.end(true);
  }
}
