/**
 * Keeps a long-lived client subscribed, whatever the broker does with its
 * session.
 *
 * mqtt.js resubscribes after a reconnect only when the broker reports no
 * session, and when the broker refuses a filter (SUBACK 0x80) it drops the
 * whole SUBSCRIBE from its resubscribe list and never tries again. A clustered
 * broker does refuse while it elects new leaders after a node died (nats-server
 * answers 0x80 until its JetStream consumers are back), which left a box
 * connected, deaf to the conductor, and showing link-lost for good.
 *
 * So the keeper owns the subscriptions: on every connection it subscribes to
 * every filter it holds (a SUBSCRIBE for a filter the broker already has only
 * replaces it), and it subscribes again to each refused filter, with a growing
 * delay, for as long as the connection lasts. The client must be created with
 * `resubscribe: false` (see `clientOptions`), or mqtt.js sends its own copy.
 */
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

export interface SubscriptionKeeperOptions {
  log?: Logger;
  /** Delay before the first retry of a refused filter (default 250 ms); it doubles up to `maxRetryMs`. */
  firstRetryMs?: number;
  /** Longest delay between two retries (default 2 s). */
  maxRetryMs?: number;
  /** Timers for the retries (default: the global ones); tests pass a fake clock's. */
  timers?: KeeperTimers;
}

/** The two timer calls the keeper's retries need. */
export interface KeeperTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: KeeperTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SubscriptionKeeperEvents {
  /** The broker granted `filter` on the current connection. */
  granted: [filter: string, qos: number];
  /** The broker refused `filter` (`code` is the SUBACK return code, 0x80 in MQTT 3.1.1); it is retried in `retryMs`. */
  refused: [filter: string, code: number, retryMs: number];
}

interface Wanted {
  qos: 0 | 1;
  granted: boolean;
  /** Refusals in a row on this connection; decides the next delay. */
  refusals: number;
  timer: unknown;
  waiters: Array<() => void>;
}

/** The SUBACK return codes of a subscribe callback, whether it reported an error or not. */
function returnCodes(packet: unknown): number[] {
  const granted = (packet as { granted?: unknown } | undefined)?.granted;
  return Array.isArray(granted) ? granted.map((g) => (typeof g === 'number' ? g : Number((g as { qos?: number }).qos ?? 0x80))) : [];
}

export class SubscriptionKeeper extends EventEmitter<SubscriptionKeeperEvents> {
  private readonly wanted = new Map<string, Wanted>();
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly timers: KeeperTimers;
  private stopped = false;
  private readonly onConnect = (): void => this.subscribeAll();
  private readonly onClose = (): void => this.connectionLost();

  constructor(private readonly client: MqttClient, private readonly options: SubscriptionKeeperOptions = {}) {
    super();
    this.firstRetryMs = options.firstRetryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 2000;
    this.timers = options.timers ?? globalTimers;
    client.on('connect', this.onConnect);
    client.on('close', this.onClose);
  }

  /**
   * Adds filters to keep. Resolves once the broker has granted every one of
   * them, on this connection or a later one; never rejects, as a refusal is
   * retried.
   */
  add(filters: string | string[], qos: 0 | 1 = 1): Promise<void> {
    const list = Array.isArray(filters) ? filters : [filters];
    const waits: Promise<void>[] = [];
    const fresh: string[] = [];
    for (const filter of list) {
      let entry = this.wanted.get(filter);
      if (!entry) {
        entry = { qos, granted: false, refusals: 0, timer: null, waiters: [] };
        this.wanted.set(filter, entry);
        fresh.push(filter);
      }
      if (entry.granted) continue;
      const waiting = entry;
      waits.push(new Promise<void>((resolve) => waiting.waiters.push(resolve)));
    }
    if (fresh.length > 0 && this.client.connected) this.subscribe(fresh);
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * Subscribes to a kept filter again, so the broker sends its retained
   * message once more (a box that knows it missed a floor asks for it this way).
   * Does nothing while the link is down: the next connection subscribes anyway.
   */
  refresh(filter: string): void {
    if (!this.stopped && this.wanted.has(filter) && this.client.connected) this.subscribe([filter]);
  }

  /** Filters the broker has not granted on the current connection. */
  get pending(): string[] {
    return [...this.wanted].filter(([, w]) => !w.granted).map(([f]) => f);
  }

  /** Stops retrying and forgets the client's events; the broker's subscriptions are left as they are. */
  stop(): void {
    this.stopped = true;
    this.client.off('connect', this.onConnect);
    this.client.off('close', this.onClose);
    for (const entry of this.wanted.values()) this.clearTimer(entry);
  }

  private subscribeAll(): void {
    if (this.stopped || this.wanted.size === 0) return;
    for (const entry of this.wanted.values()) {
      entry.granted = false;
      entry.refusals = 0;
      this.clearTimer(entry);
    }
    this.subscribe([...this.wanted.keys()]);
  }

  private connectionLost(): void {
    for (const entry of this.wanted.values()) {
      entry.granted = false;
      this.clearTimer(entry);
    }
  }

  private subscribe(filters: string[]): void {
    // One SUBSCRIBE per QoS; mqtt.js reports one return code per filter, in order.
    const byQos = new Map<0 | 1, string[]>();
    for (const f of filters) {
      const qos = this.wanted.get(f)!.qos;
      byQos.set(qos, [...(byQos.get(qos) ?? []), f]);
    }
    for (const [qos, group] of byQos) {
      this.client.subscribe(group, { qos }, (err, _grants, packet) => {
        if (this.stopped) return;
        const codes = returnCodes(packet ?? (err as { packet?: unknown } | null)?.packet);
        if (err && codes.length !== group.length) {
          // No SUBACK: the connection closed under it. The next connection subscribes again.
          if (this.client.connected) this.retry(group, 0x80);
          return;
        }
        group.forEach((filter, i) => this.settle(filter, codes[i] ?? 0x80));
      });
    }
  }

  private settle(filter: string, code: number): void {
    const entry = this.wanted.get(filter);
    if (!entry) return;
    if ((code & 0x80) === 0) {
      if (entry.refusals > 0) this.options.log?.info('broker granted the subscription after refusing it', { filter, refusals: entry.refusals });
      entry.granted = true;
      entry.refusals = 0;
      for (const resolve of entry.waiters.splice(0)) resolve();
      this.emit('granted', filter, code);
      return;
    }
    this.retry([filter], code);
  }

  private retry(filters: string[], code: number): void {
    // A refusal that arrives after stop() leaves no timer behind.
    if (this.stopped) return;
    for (const filter of filters) {
      const entry = this.wanted.get(filter);
      if (!entry || entry.timer) continue;
      const delay = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** entry.refusals);
      entry.refusals += 1;
      if (entry.refusals === 1) this.options.log?.warn(t('logs.subscribeRetry'), { filter, code, retryMs: delay });
      this.emit('refused', filter, code, delay);
      entry.timer = this.timers.setTimeout(() => {
        entry.timer = null;
        if (!this.stopped && this.client.connected) this.subscribe([filter]);
      }, delay);
    }
  }

  private clearTimer(entry: Wanted): void {
    if (entry.timer) this.timers.clearTimeout(entry.timer);
    entry.timer = null;
  }
}

/** MQTT wildcard match of a filter (`+`, `#`) against a topic. */
export function mqttMatch(filter: string, topicName: string): boolean {
  const f = filter.split('/');
  const t = topicName.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
