/**
 * Two boxes configured with the same site id connect with the same MQTT
 * client id, and the broker keeps only one session per id: each connect
 * throws the other box off, every second, for ever, and both only log "link
 * lost" / "connected". This watch tells that apart and stops the storm.
 *
 * A take-over is:
 *  - with MQTT 5, the broker's DISCONNECT with reason 0x8E "Session taken
 *    over" (Mosquitto 2 sends it);
 *  - else (MQTT 3.1.1: Aedes, NATS; and Mosquitto 2.0.11, Debian 12's, which
 *    closes a v5 client's connection without saying why), a connection the
 *    broker closed without any error whose first retry connects, with no error
 *    in between: a broker that restarts or a link that drops fails the retry
 *    or reports an error. (A broker restarted twice within 30 s, each time
 *    faster than the reconnect period, looks the same: the box then reports a
 *    conflict for two minutes, but it holds its connection.)
 *
 * Two take-overs within `yieldWindowMs` (30 s), the last of a connection that
 * had lasted less than `shortMs` (10 s): this box *yields*, it waits
 * `backoffMs` (30 s, doubling up to 5 min) between reconnects, so the other box
 * stays connected and its lamps stay steady. A yielding box that then stays
 * connected for `shortMs` *holds*: it goes back to the normal reconnect (on
 * MQTT 3.1.1 both boxes see their second take-over at about the same time;
 * the one that gets the broker first keeps it). The box that holds is thrown
 * off only when the other tries again, after a connection longer than
 * `shortMs`: it does not yield, but two take-overs within `reportWindowMs`
 * (10 min) make it *report* the conflict. After `clearAfterMs` (2 min)
 * connected with no take-over the conflict is over and the normal reconnect
 * comes back.
 */
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';

/** MQTT 5 reason code of a DISCONNECT: "Session taken over". */
export const SESSION_TAKEN_OVER = 0x8e;

export interface TakeoverOptions {
  yieldWindowMs?: number;
  shortMs?: number;
  reportWindowMs?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  clearAfterMs?: number;
  now?: () => number;
}

/** What the site's state says while a conflict lasts (`state.system.takenOver`). */
export interface TakeoverReport {
  /** Take-overs seen within the report window. */
  count: number;
  /** When the conflict was first seen. */
  since: string;
  /** `reason-code` (MQTT 5, certain) or `pattern` (MQTT 3.1.1, inferred). */
  evidence: 'reason-code' | 'pattern';
  /** Whether this box yields (waits `backoffMs` between reconnects). */
  yielding: boolean;
  backoffMs: number | null;
}

export class TakeoverWatch extends EventEmitter<{ change: [report: TakeoverReport | null] }> {
  private readonly o: Required<Omit<TakeoverOptions, 'now'>>;
  private readonly now: () => number;
  private readonly normalPeriod: number;
  private times: number[] = [];
  private evidence: TakeoverReport['evidence'] = 'pattern';
  private since: number | null = null;
  private yielding = false;
  private backoff = 0;
  private connectedAt: number | null = null;
  /** This connection's end is already counted (its DISCONNECT said so). */
  private counted = false;
  private erroredSinceConnect = false;
  /** A clean close: a take-over if the first retry connects with no error. */
  private tentative: { at: number; livedMs: number } | null = null;
  private clearTimer: NodeJS.Timeout | null = null;
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: MqttClient,
    options: TakeoverOptions = {},
  ) {
    super();
    this.o = {
      yieldWindowMs: options.yieldWindowMs ?? 30_000,
      shortMs: options.shortMs ?? 10_000,
      reportWindowMs: options.reportWindowMs ?? 600_000,
      backoffMs: options.backoffMs ?? 30_000,
      maxBackoffMs: options.maxBackoffMs ?? 300_000,
      clearAfterMs: options.clearAfterMs ?? 120_000,
    };
    this.now = options.now ?? Date.now;
    this.normalPeriod = client.options.reconnectPeriod ?? 1000;
    client.on('connect', this.onConnect);
    client.on('disconnect', this.onDisconnect);
    client.on('error', this.onError);
    client.on('close', this.onClose);
  }

  /** The conflict now, or null when there is none. */
  report(): TakeoverReport | null {
    if (this.since === null) return null;
    return { count: this.times.length, since: new Date(this.since).toISOString(), evidence: this.evidence, yielding: this.yielding, backoffMs: this.yielding ? this.backoff : null };
  }

  stop(): void {
    this.client.off('connect', this.onConnect);
    this.client.off('disconnect', this.onDisconnect);
    this.client.off('error', this.onError);
    this.client.off('close', this.onClose);
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.clearTimer) clearTimeout(this.clearTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.clearTimer = this.holdTimer = null;
  }

  private readonly onConnect = (): void => {
    const tentative = this.tentative;
    this.tentative = null;
    this.connectedAt = this.now();
    this.counted = false;
    this.erroredSinceConnect = false;
    if (tentative) this.takenOver(tentative.at, tentative.livedMs);
    if (this.since !== null) this.armClear();
    if (this.yielding) this.armHold();
  };

  private readonly onDisconnect = (packet: { reasonCode?: number }): void => {
    if (packet.reasonCode !== SESSION_TAKEN_OVER || this.counted) return;
    this.counted = true;
    this.evidence = 'reason-code';
    this.takenOver(this.now());
  };

  private readonly onError = (): void => {
    // The broker or the link is down: not a take-over.
    this.erroredSinceConnect = true;
    this.tentative = null;
  };

  private readonly onClose = (): void => {
    this.clearTimers();
    const from = this.connectedAt;
    this.connectedAt = null;
    // Only the end of a live connection, not of a failed attempt.
    if (from === null || this.counted || this.erroredSinceConnect) return;
    const at = this.now();
    this.tentative = { at, livedMs: at - from };
  };

  /** One take-over at `at`; `livedMs`, how long the connection taken over had lasted. */
  private takenOver(at: number, livedMs = at - (this.connectedAt ?? at)): void {
    const before = JSON.stringify(this.report());
    this.times = [...this.times.filter((t) => at - t < this.o.reportWindowMs), at];
    if (this.times.length < 2) return;
    this.since ??= at;
    const recent = this.times.filter((t) => at - t < this.o.yieldWindowMs).length;
    if (this.yielding) this.backoff = Math.min(this.o.maxBackoffMs, this.backoff * 2);
    else if (recent >= 2 && livedMs < this.o.shortMs) {
      this.yielding = true;
      this.backoff = this.o.backoffMs;
    }
    if (this.yielding) this.reconnectEvery(this.backoff);
    const after = this.report();
    if (JSON.stringify(after) !== before) this.emit('change', after);
  }

  private end(): void {
    this.times = [];
    this.since = null;
    this.yielding = false;
    this.backoff = 0;
    this.evidence = 'pattern';
    this.reconnectEvery(this.normalPeriod);
    this.emit('change', null);
  }

  /**
   * The reconnect period from now on. mqtt.js reads it when a connection
   * closes; one already closed waits on a timer set with the old period, which
   * is set again.
   */
  private reconnectEvery(ms: number): void {
    this.client.options.reconnectPeriod = ms;
    const timers = this.client as unknown as { reconnectTimer?: unknown; _clearReconnect?: () => void; _setupReconnect?: () => void };
    if (!this.client.connected && timers.reconnectTimer && timers._clearReconnect && timers._setupReconnect) {
      timers._clearReconnect.call(this.client);
      timers._setupReconnect.call(this.client);
    }
  }

  /** Connected `shortMs` while yielding: this box has the broker, it holds (normal reconnect, still reporting). */
  private armHold(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.yielding = false;
      this.backoff = 0;
      this.reconnectEvery(this.normalPeriod);
      this.emit('change', this.report());
    }, this.o.shortMs);
  }

  /** Connected long enough with no take-over: the conflict is over. */
  private armClear(): void {
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => {
      this.clearTimer = null;
      this.end();
    }, this.o.clearAfterMs);
  }
}
