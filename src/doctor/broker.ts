/**
 * Broker reachability with the box's own credentials and TLS settings, the
 * round-trip time, and the clock offset that can honestly be estimated.
 *
 * What the probe measures: a message with our send time goes to the broker
 * and back; the difference is the round trip (network + broker). MQTT
 * carries no broker timestamp, so the broker's own clock cannot be read this
 * way. The offset is estimated against the conductor instead, from the `at`
 * stamp of its heartbeat: offset = at - (arrival - rtt/2), good to about
 * ±rtt/2 plus however long the conductor took to publish.
 */
import { readFile } from 'node:fs/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { CheckResult } from './types.js';
import { decode, topic } from '../protocol/topics.js';
import { t } from '../i18n/index.js';
import { decimal } from '../i18n/numbers.js';

export interface BrokerCheckOptions {
  url: string;
  username?: string;
  password?: string;
  /** CA certificate file for mqtts:// / wss:// with a private CA. */
  ca?: string;
  /** Event id, for the conductor heartbeat topic. */
  event?: string;
  /** This box's site: its retained state tells whether another box uses the same id. */
  site?: string;
  /**
   * Where the probe is published and read back. It must be writable and
   * readable by this user under the broker ACL: a site's own
   * `relais/v1/<event>/site/<site>/doctor` works for `site-<site>`.
   */
  probeTopic: string;
  /** Round trips to time (default 5). */
  probes?: number;
  connectTimeoutMs?: number;
  /** How long to listen for a conductor heartbeat (default 3 s). */
  heartbeatWaitMs?: number;
  /** Injectable clock (ms since epoch). */
  now?: () => number;
}

function explain(err: Error & { code?: string | number }): { summary: string; fix: string } {
  const code = String(err.code ?? '');
  const msg = err.message;
  if (code === 'ECONNREFUSED') return { summary: t('doctor.broker.refused', { reason: msg }), fix: t('doctor.broker.refusedFix') };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { summary: t('doctor.broker.hostNotFound', { reason: msg }), fix: t('doctor.broker.hostNotFoundFix') };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { summary: t('doctor.broker.otherHost', { reason: msg }), fix: t('doctor.broker.otherHostFix') };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return { summary: t('doctor.broker.untrusted', { reason: code }), fix: t('doctor.broker.untrustedFix') };
  // Mosquitto answers a wrong password with "not authorized" (135 / 5), other brokers with 134 / 4.
  if (['134', '135', '4', '5'].includes(code) || /Bad User Name or Password|Bad username or password|Not authorized/i.test(msg)) {
    return { summary: t('doctor.broker.badLogin'), fix: t('doctor.broker.badLoginFix') };
  }
  return { summary: msg, fix: t('doctor.broker.otherFix') };
}

/** A broker that refuses MQTT 5 (Aedes, the embedded broker, speaks 3.1.1): its CONNACK says so. */
function refusesVersion(err: Error & { code?: string | number }): boolean {
  return err.code === 1 || err.code === 132 || /unacceptable protocol version|unsupported protocol version/i.test(err.message);
}

/** MQTT 5 first (what the box uses with Mosquitto), then 3.1.1 when the broker refuses 5. */
async function connectAnyVersion(url: string, options: IClientOptions): Promise<MqttClient> {
  try {
    return await mqtt.connectAsync(url, options, false);
  } catch (err) {
    if (!refusesVersion(err as Error & { code?: string | number })) throw err;
    return mqtt.connectAsync(url, { ...options, protocolVersion: 4 }, false);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Connects, times probes, listens for a heartbeat: returns the `broker` and `clock` lines. */
export async function checkBroker(o: BrokerCheckOptions): Promise<CheckResult[]> {
  const now = o.now ?? Date.now;
  const options: IClientOptions = {
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: o.connectTimeoutMs ?? 5000,
    clientId: `relais-doctor-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    clean: true,
  };
  if (o.username) options.username = o.username;
  if (o.password) options.password = o.password;
  if (o.ca) {
    try {
      options.ca = await readFile(o.ca);
    } catch (err) {
      return [{ check: 'broker', status: 'FAIL', summary: t('doctor.broker.caUnreadable', { path: o.ca, reason: (err as Error).message }), fix: t('doctor.broker.caUnreadableFix') }];
    }
  }

  let client: MqttClient;
  const started = now();
  try {
    client = await connectAnyVersion(o.url, options);
  } catch (err) {
    const { summary, fix } = explain(err as Error & { code?: string });
    return [
      { check: 'broker', status: 'FAIL', summary: `${o.url}${t('punct.colon')}${summary}`, fix },
      { check: 'clock', status: 'WARN', summary: t('doctor.clock.noBroker'), fix: t('doctor.clock.noBrokerFix') },
    ];
  }
  const connectMs = now() - started;
  client.on('error', () => undefined);

  try {
    const rtts: number[] = [];
    const pending = new Map<string, (at: number) => void>();
    let heartbeat: { at: string; arrival: number } | null = null;
    let heartbeatArrived: (() => void) | null = null;
    client.on('message', (topic, payload) => {
      const arrival = now();
      if (topic === o.probeTopic) {
        pending.get(payload.toString())?.(arrival);
        return;
      }
      // Not a heartbeat we can read: ignored.
      const beat = decode('conductorHeartbeat', payload);
      if (beat.ok && !heartbeat) {
        heartbeat = { at: beat.value.at, arrival };
        heartbeatArrived?.();
      }
    });
    await client.subscribeAsync(o.probeTopic, { qos: 1 });
    const probes = o.probes ?? 5;
    for (let i = 0; i < probes; i++) {
      const token = `probe-${i}-${now()}`;
      const sent = now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const back = new Promise<number>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), 3000);
        pending.set(token, (arrival) => {
          clearTimeout(timer);
          resolve(arrival);
        });
      });
      // A publish refused before the answer's wait ends leaves that wait unheard: never an unhandled rejection.
      back.catch(() => undefined);
      try {
        await client.publishAsync(o.probeTopic, token, { qos: 1 });
        rtts.push((await back) - sent);
      } catch (err) {
        pending.delete(token);
        const denied = /Not authorized/i.test((err as Error).message) || (err as { code?: number }).code === 135;
        return [
          {
            check: 'broker',
            status: 'WARN',
            summary: t(denied ? 'doctor.broker.probeDenied' : 'doctor.broker.probeLost', { url: o.url, ms: connectMs, topic: o.probeTopic }),
            fix: denied ? t('doctor.broker.probeDeniedFix', { topic: topic('<event>', 'siteDoctor', '<site>') }) : t('doctor.broker.probeLostFix'),
          },
          { check: 'clock', status: 'WARN', summary: t('doctor.clock.noRoundTrip') },
        ];
      } finally {
        clearTimeout(timer);
        pending.delete(token);
      }
    }
    const rtt = median(rtts);
    const brokerLine: CheckResult = {
      check: 'broker',
      status: rtt > 500 ? 'WARN' : 'PASS',
      summary: t('doctor.broker.connected', { url: o.url, as: o.username ? t('doctor.broker.as', { user: o.username }) : '', ms: connectMs, rtt: decimal(rtt, 1), n: rtts.length }),
      ...(rtt > 500 ? { fix: t('doctor.broker.slowFix') } : {}),
      data: { connectMs, rttMs: rtts },
    };

    const siteLine = o.event && o.site ? await checkSiteId(client, o.event, o.site) : null;
    const withSite = (lines: CheckResult[]): CheckResult[] => (siteLine ? [...lines, siteLine] : lines);
    if (!o.event) return [brokerLine, { check: 'clock', status: 'WARN', summary: t('doctor.clock.noEvent', { rtt: decimal(rtt, 1) }), fix: t('doctor.clock.noEventFix') }];
    const hbTopic = topic(o.event, 'conductorHeartbeat');
    await client.subscribeAsync(hbTopic, { qos: 0 });
    const waitMs = o.heartbeatWaitMs ?? 3000;
    if (!heartbeat) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        heartbeatArrived = resolve;
        timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
    }
    const hb = heartbeat as { at: string; arrival: number } | null;
    if (!hb || Number.isNaN(Date.parse(hb.at))) {
      return withSite([
        brokerLine,
        {
          check: 'clock',
          status: 'WARN',
          summary: t('doctor.clock.noHeartbeat', { topic: hbTopic, ms: waitMs }),
          fix: t('doctor.clock.noHeartbeatFix'),
        },
      ]);
    }
    const offset = Date.parse(hb.at) - (hb.arrival - rtt / 2);
    const bound = rtt / 2;
    const summary = t('doctor.clock.offset', { offset: `${offset >= 0 ? '+' : ''}${Math.round(offset)}`, bound: Math.ceil(bound) });
    const data = { offsetMs: offset, boundMs: bound, heartbeatAt: hb.at };
    if (Math.abs(offset) - bound > 1000) {
      return withSite([brokerLine, { check: 'clock', status: 'WARN', summary, fix: t('doctor.clock.driftFix'), data }]);
    }
    return withSite([brokerLine, { check: 'clock', status: 'PASS', summary, data }]);
  } finally {
    await client.endAsync(true);
  }
}

/**
 * Reads the site's retained state (it comes at once after the subscription, if
 * there is one): a box that sees another connect with its client id says so in
 * `system.takenOver`. The doctor cannot look with the box's own client id: that
 * would throw the running box off the broker.
 */
async function checkSiteId(client: MqttClient, event: string, site: string, waitMs = 500): Promise<CheckResult> {
  const stateTopic = topic(event, 'siteState', site);
  const state = await new Promise<unknown>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onMessage = (t: string, payload: Buffer): void => {
      if (t !== stateTopic) return;
      const decoded = decode('siteState', payload);
      finish(decoded.ok ? decoded.value : null);
    };
    const finish = (value: unknown): void => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(value);
    };
    client.on('message', onMessage);
    // The broker sends a retained message right after the SUBACK: a short wait after it is enough.
    client.subscribeAsync(stateTopic, { qos: 1 }).then(
      () => (timer = setTimeout(() => finish(null), waitMs)),
      () => finish(null),
    );
  });
  const conflict = (state as { system?: { takenOver?: { count: number; since: string } } } | null)?.system?.takenOver;
  if (!conflict) return { check: 'site-id', status: 'PASS', summary: t('doctor.siteIdFree', { site }) };
  return {
    check: 'site-id',
    status: 'FAIL',
    summary: t('box.doctorTakenOver', { site, count: conflict.count, since: conflict.since }),
    fix: t('box.doctorTakenOverFix', { site }),
    data: { takenOver: conflict },
  };
}
