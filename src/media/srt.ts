/**
 * SRT, the pure part: the URLs given to ffmpeg's libsrt and to
 * srt-live-transmit, the statistics srt-live-transmit prints (`-pf:json`), and
 * the verdict a person reads ("late", "unwatchable"). No processes here.
 */
import type { LinkStats, LinkVerdict } from '../protocol/schemas.js';
import { linkWhy, type LinkWhy } from '../protocol/link-why.js';
import { t } from '../i18n/index.js';

export type SrtMode = 'caller' | 'listener';

/** One end of an SRT connection. */
export interface SrtEndpoint {
  /** Host to call, or the address to listen on (empty: every address). */
  host: string;
  port: number;
  mode: SrtMode;
  /** Receiver buffer (TSBPD latency) in ms: about 3-4 times the RTT. */
  latencyMs: number;
  /** 10 to 79 characters; both ends must have the same (or none). */
  passphrase?: string;
  streamId?: string;
}

/** Which port serves what: shared by the relay, the boxes' config and the displays. */
export interface SrtPortPlan {
  /** Every site, in a fixed order (the ports follow it). */
  sites: readonly string[];
  /** Site number i sends its feed to `ingestPort + i`. */
  ingestPort: number;
  /** The display of site j plays the feed of site i from `egressPort + i * sites.length + j`. */
  egressPort: number;
}

export function srtIngestPort(plan: SrtPortPlan, site: string): number {
  const i = plan.sites.indexOf(site);
  if (i < 0) throw new Error(t('setup.srtNotInPlan', { site, sites: plan.sites.join(', ') }));
  return plan.ingestPort + i;
}

export function srtEgressPort(plan: SrtPortPlan, feed: string, viewer: string): number {
  const i = plan.sites.indexOf(feed);
  const j = plan.sites.indexOf(viewer);
  if (i < 0 || j < 0) throw new Error(t('setup.srtBothInPlan', { feed, viewer, sites: plan.sites.join(', ') }));
  return plan.egressPort + i * plan.sites.length + j;
}

/** A one-way delay above this is late for a conversation (ITU-T G.114). */
export const LATE_ONE_WAY_MS = 400;

function query(params: Array<[string, string | number | undefined]>): string {
  return params
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** The URI srt-live-transmit takes (latency in ms). */
export function srtTransmitUri(e: SrtEndpoint): string {
  const host = e.mode === 'listener' ? e.host : e.host || '127.0.0.1';
  return `srt://${host}:${e.port}?${query([['mode', e.mode], ['latency', e.latencyMs], ['passphrase', e.passphrase], ['streamid', e.streamId]])}`;
}

/** The URL ffmpeg's libsrt takes: its `latency` is in microseconds, and MPEG-TS wants 1316-byte payloads. */
export function srtFfmpegUrl(e: SrtEndpoint): string {
  const host = e.mode === 'listener' ? e.host || '0.0.0.0' : e.host;
  return `srt://${host}:${e.port}?${query([['mode', e.mode], ['latency', e.latencyMs * 1000], ['passphrase', e.passphrase], ['streamid', e.streamId], ['pkt_size', 1316]])}`;
}

/**
 * A box's configured SRT URL with the structured settings added for ffmpeg
 * (latency in microseconds, 1316-byte payloads for MPEG-TS); parameters
 * already in the URL win.
 */
export function encoderSrtUrl(url: string, o: { mode: SrtMode; latencyMs?: number; passphrase?: string }): string {
  const parsed = new URL(url);
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined && !parsed.searchParams.has(key)) parsed.searchParams.set(key, String(value));
  };
  set('mode', o.mode);
  set('latency', o.latencyMs === undefined ? undefined : o.latencyMs * 1000);
  set('passphrase', o.passphrase);
  set('pkt_size', 1316);
  return parsed.toString();
}

/** One interval of srt-live-transmit's JSON statistics, the fields relais reads. */
export interface SrtStatsSample {
  /** ms since the connection started. */
  timeMs: number;
  rttMs: number;
  /** Estimated link capacity, Mbit/s. */
  bandwidthMbps: number;
  sent: { packets: number; lost: number; retransmitted: number; dropped: number; mbitRate: number; bufferMs: number };
  received: { packets: number; lost: number; retransmitted: number; dropped: number; belated: number; mbitRate: number; bufferMs: number; latencyMs: number };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Parses one stats line; null for anything else srt-live-transmit prints (banners, log lines). */
export function parseSrtStats(line: string): SrtStatsSample | null {
  const text = line.trim();
  if (!text.startsWith('{')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const root = obj(parsed);
  if (!('link' in root) || !('recv' in root) || !('send' in root)) return null;
  const link = obj(root.link);
  const send = obj(root.send);
  const recv = obj(root.recv);
  return {
    timeMs: n(root.time),
    // srt-live-transmit prints the RTT in ms (with decimals).
    rttMs: n(link.rtt),
    bandwidthMbps: n(link.bandwidth),
    sent: { packets: n(send.packets), lost: n(send.packetsLost), retransmitted: n(send.packetsRetransmitted), dropped: n(send.packetsDropped), mbitRate: n(send.mbitRate), bufferMs: n(send.msBuf) },
    received: {
      packets: n(recv.packets),
      lost: n(recv.packetsLost),
      retransmitted: n(recv.packetsRetransmitted),
      dropped: n(recv.packetsDropped),
      belated: n(recv.packetsBelated),
      mbitRate: n(recv.mbitRate),
      bufferMs: n(recv.msBuf),
      latencyMs: n(recv.msTsbPdDelay),
    },
  };
}

/**
 * What a person should think of a feed, from one interval of its statistics:
 * `unwatchable` when packets come too late to be shown (SRT drops them: the
 * picture breaks up) or loss is beyond what retransmission can hide, `late`
 * when the picture is on time only with a delay past a conversation's
 * (buffer + half the RTT above 400 ms) or the buffer is too short for the RTT
 * (drops are coming), `good` otherwise; `down` when nothing arrives.
 */
export function linkVerdict(role: 'sender' | 'receiver', s: SrtStatsSample): { verdict: LinkVerdict } & (LinkWhy | { why: null }) {
  const side = role === 'receiver' ? s.received : s.sent;
  const packets = side.packets + side.lost;
  const lossPercent = packets > 0 ? (100 * side.lost) / packets : 0;
  const droppedPercent = packets > 0 ? (100 * side.dropped) / packets : 0;
  const tenths = (x: number): number => Math.round(x * 10) / 10;
  if (side.packets === 0) return { verdict: 'down', ...linkWhy('no-packets') };
  if (droppedPercent > 1) return { verdict: 'unwatchable', ...linkWhy('too-late-share', { percent: tenths(droppedPercent) }) };
  if (lossPercent > 15) return { verdict: 'unwatchable', ...linkWhy('loss', { percent: tenths(lossPercent) }) };
  const latency = role === 'receiver' ? s.received.latencyMs : 0;
  const oneWay = latency + s.rttMs / 2;
  if (oneWay > LATE_ONE_WAY_MS) return { verdict: 'late', ...linkWhy('one-way', { ms: Math.round(oneWay) }) };
  if (latency > 0 && s.rttMs * 2.5 > latency) return { verdict: 'late', ...linkWhy('short-buffer', { latency, rtt: Math.round(s.rttMs) }) };
  if (side.dropped > 0) return { verdict: 'late', ...linkWhy('too-late', { packets: side.dropped }) };
  return { verdict: 'good', why: null };
}

/** The statistics of one interval as the contract carries them. */
export function toLinkStats(role: 'sender' | 'receiver', peer: string, s: SrtStatsSample, at: Date): LinkStats {
  const side = role === 'receiver' ? s.received : s.sent;
  const packets = side.packets + side.lost;
  const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    role,
    peer,
    at: at.toISOString(),
    rttMs: round(s.rttMs),
    lossPercent: packets > 0 ? round((100 * side.lost) / packets, 2) : 0,
    retransmitted: side.retransmitted,
    dropped: side.dropped,
    sentKbps: round(s.sent.mbitRate * 1000),
    receivedKbps: round(s.received.mbitRate * 1000),
    bufferMs: role === 'receiver' ? s.received.bufferMs : s.sent.bufferMs,
    latencyMs: s.received.latencyMs,
    bandwidthKbps: round(s.bandwidthMbps * 1000),
    ...linkVerdict(role, s),
  };
}

/** Packets between two stats lines so they come about every `everyMs` at `kbps` (MPEG-TS over SRT: 1316-byte payloads). */
export function statsEveryPackets(kbps: number, everyMs = 2000): number {
  return Math.max(10, Math.round(((kbps * 1000) / 8 / 1316) * (everyMs / 1000)));
}
