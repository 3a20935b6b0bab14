/**
 * The pre-flight link test (`relais link test` on a box, `relais link echo`
 * at the relay): UDP probes, the way SRT's packets will travel. Pings measure
 * the RTT and the loss; trains of back-to-back packets measure the uplink's
 * capacity from how the relay's side saw them spread out (packet-train
 * dispersion: a bottleneck spaces packets at its own rate). Then the numbers
 * to configure: the SRT latency from the RTT and the loss, the bitrate from
 * the capacity.
 *
 * Probe datagram: "RLT1", kind (1 ping, 2 train), sequence, the box's send
 * time, the echo's receive time (filled in by the echo), padding.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { LinkTestPart } from '../protocol/site-state.js';
import { t } from '../i18n/index.js';
import { decimal } from '../i18n/numbers.js';

const MAGIC = 0x524c5431; // "RLT1"
const HEADER = 4 + 1 + 4 + 8 + 8;
export const PING_BYTES = 200;
export const TRAIN_BYTES = 1316;

export interface Probe {
  kind: 1 | 2;
  seq: number;
  sentAt: number;
  echoedAt: number;
}

export function encodeProbe(p: Probe, size: number): Buffer {
  const b = Buffer.alloc(Math.max(HEADER, size));
  b.writeUInt32BE(MAGIC, 0);
  b.writeUInt8(p.kind, 4);
  b.writeUInt32BE(p.seq >>> 0, 5);
  b.writeDoubleBE(p.sentAt, 9);
  b.writeDoubleBE(p.echoedAt, 17);
  return b;
}

export function decodeProbe(b: Buffer): Probe | null {
  if (b.length < HEADER || b.readUInt32BE(0) !== MAGIC) return null;
  const kind = b.readUInt8(4);
  if (kind !== 1 && kind !== 2) return null;
  return { kind, seq: b.readUInt32BE(5), sentAt: b.readDoubleBE(9), echoedAt: b.readDoubleBE(17) };
}

/** The relay's side: sends each probe back with its own receive time. Anything else is ignored. */
export async function startLinkEcho(port: number, host = '0.0.0.0'): Promise<{ port: number; stop(): Promise<void> }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    const probe = decodeProbe(msg);
    if (!probe) return;
    // Trains come back as short pings: the test measures the uplink, not the way back.
    const reply = encodeProbe({ ...probe, echoedAt: performance.now() }, probe.kind === 2 ? HEADER : msg.length);
    socket.send(reply, from.port, from.address);
  });
  socket.bind(port, host);
  await once(socket, 'listening');
  return { port: socket.address().port, stop: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** What the test measured. */
export interface LinkTestResult {
  pings: number;
  rttMs: { min: number; p50: number; p95: number; max: number } | null;
  /** Loss of the pings there and back, %. */
  roundTripLossPercent: number;
  /** One-way loss, %, if both ways lose alike (1 - sqrt(1 - round trip)): what SRT's buffer must hide. */
  lossPercent: number;
  /** Uplink capacity estimate (median of the trains), kbit/s; null when no train got through. */
  throughputKbps: number | null;
  trains: number;
}

export interface Recommendation {
  latencyMs: number;
  /** Total bitrate the feed may use (video and audio). */
  bitrateKbps: number;
  notes: string[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** SRT's latency as a multiple of the RTT, by one-way loss (%): the points between which {@link rttFactor} runs straight. */
const FACTOR_BY_LOSS: ReadonlyArray<readonly [number, number]> = [
  [1, 3],
  [3, 4],
  [7, 6],
  [10, 8],
];

/**
 * The RTT multiple for a one-way loss: 3x up to 1 %, rising in straight lines
 * to 4x at 3 %, 6x at 7 % and 8x at 10 %, 8x beyond (each lost packet needs a
 * NAK and a resend inside the buffer). Straight lines rather than steps, so
 * that a loss measured at 1.1 % on a 1 % link does not jump the advice by a
 * third.
 */
export function rttFactor(lossPercent: number): number {
  let [prevLoss, prevFactor] = FACTOR_BY_LOSS[0]!;
  if (lossPercent <= prevLoss) return prevFactor;
  for (const [loss, factor] of FACTOR_BY_LOSS.slice(1)) {
    if (lossPercent <= loss) return prevFactor + ((lossPercent - prevLoss) / (loss - prevLoss)) * (factor - prevFactor);
    [prevLoss, prevFactor] = [loss, factor];
  }
  return prevFactor;
}

/**
 * The SRT latency and the bitrate to configure. Latency: the median RTT
 * times {@link rttFactor} of the loss, at least 80 ms; when the RTT varies a
 * lot (p95 over 1.5 times the median: a busy link, Wi-Fi, 4G), the spread
 * p95 - median is added once, so that a resend asked for at a slow moment
 * still arrives in time. Bitrate: three quarters of the capacity (SRT needs
 * headroom for resends, 25 % by default).
 */
export function recommend(r: LinkTestResult): Recommendation {
  const notes: string[] = [];
  const rtt = r.rttMs?.p50 ?? 0;
  const p95 = r.rttMs?.p95 ?? 0;
  const spread = p95 > 1.5 * rtt ? p95 - rtt : 0;
  const factor = rttFactor(r.lossPercent);
  const latencyMs = Math.max(80, Math.ceil((rtt * factor + spread) / 10) * 10);
  if (r.lossPercent > 10) notes.push(t('tools.linkNoteLoss', { percent: decimal(r.lossPercent, 1) }));
  if (latencyMs + rtt / 2 > 400) notes.push(t('tools.linkNoteLate', { ms: latencyMs }));
  const bitrateKbps = r.throughputKbps === null ? 0 : Math.floor((r.throughputKbps * 0.75) / 50) * 50;
  if (r.throughputKbps === null) notes.push(t('tools.linkNoteNoTrain'));
  return { latencyMs, bitrateKbps, notes };
}

export interface LinkTestOptions {
  host: string;
  port: number;
  /** How long in all (default 60 s): half pings, half trains. */
  seconds: number;
  /** Pings per second. */
  pingRate?: number;
  /** Packets per train: long enough that the bottleneck spaces them. */
  trainPackets?: number;
  onProgress?: (line: string) => void;
}

/** Runs the test against a `relais link echo`; bounded by `seconds` plus one second for the last replies. */
export async function runLinkTest(o: LinkTestOptions): Promise<LinkTestResult> {
  const socket: Socket = createSocket('udp4');
  socket.connect(o.port, o.host);
  await once(socket, 'connect');
  const rtts: number[] = [];
  const trains = new Map<number, number[]>();
  socket.on('message', (msg) => {
    const p = decodeProbe(msg);
    if (!p) return;
    if (p.kind === 1) rtts.push(performance.now() - p.sentAt);
    else {
      const train = Math.floor(p.seq / 100_000);
      const list = trains.get(train) ?? [];
      list.push(p.echoedAt);
      trains.set(train, list);
    }
  });
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const pingRate = o.pingRate ?? 20;
  const pingCount = Math.max(10, Math.round((o.seconds / 2) * pingRate));
  try {
    for (let seq = 0; seq < pingCount; seq += 1) {
      socket.send(encodeProbe({ kind: 1, seq, sentAt: performance.now(), echoedAt: 0 }, PING_BYTES));
      await sleep(1000 / pingRate);
    }
    const trainPackets = o.trainPackets ?? 120;
    const trainCount = Math.max(3, Math.round(o.seconds / 2));
    o.onProgress?.(t('tools.linkPings', { answered: rtts.length, count: pingCount, trains: trainCount, packets: trainPackets }));
    for (let t = 0; t < trainCount; t += 1) {
      for (let i = 0; i < trainPackets; i += 1) socket.send(encodeProbe({ kind: 2, seq: t * 100_000 + i, sentAt: performance.now(), echoedAt: 0 }, TRAIN_BYTES));
      // Let the bottleneck's queue drain before the next train.
      await sleep(1000);
    }
  } finally {
    socket.close();
  }
  const rates: number[] = [];
  for (const times of trains.values()) {
    if (times.length < 10) continue;
    times.sort((a, b) => a - b);
    const span = (times[times.length - 1] ?? 0) - (times[0] ?? 0);
    // n packets spread over the span: n-1 gaps, each one packet's time at the bottleneck.
    if (span > 0) rates.push(((times.length - 1) * TRAIN_BYTES * 8) / span);
  }
  rates.sort((a, b) => a - b);
  const sorted = [...rtts].sort((a, b) => a - b);
  const roundTrip = (pingCount - Math.min(pingCount, rtts.length)) / pingCount;
  return {
    pings: pingCount,
    rttMs: sorted.length ? { min: sorted[0] ?? 0, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? 0 } : null,
    roundTripLossPercent: 100 * roundTrip,
    lossPercent: 100 * (1 - Math.sqrt(1 - roundTrip)),
    throughputKbps: rates.length ? percentile(rates, 50) : null,
    trains: rates.length,
  };
}

/** What `relais link test --report` writes into the site's state (`state.linkTest`). */
export function linkTestReport(relay: string, seconds: number, r: LinkTestResult, advice: Recommendation, at: Date): LinkTestPart {
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    at: at.toISOString(),
    relay,
    seconds,
    rttMs: r.rttMs && { min: round(r.rttMs.min), p50: round(r.rttMs.p50), p95: round(r.rttMs.p95), max: round(r.rttMs.max) },
    lossPercent: Math.round(r.lossPercent * 100) / 100,
    throughputKbps: r.throughputKbps === null ? null : Math.round(r.throughputKbps),
    recommended: { latencyMs: advice.latencyMs, bitrateKbps: advice.bitrateKbps },
    notes: advice.notes.slice(0, 10).map((n) => n.slice(0, 500)),
  };
}
