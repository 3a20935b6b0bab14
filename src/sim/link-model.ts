/**
 * The impaired link of `relais sim link`, as plain data and arithmetic: given
 * a packet's size and the time it arrives, when does it leave the far end, or
 * is it lost? No sockets and no timers here (see link-proxy.ts for the edges),
 * so a test can replay a day of packets against an injected clock and random
 * source.
 *
 * One {@link LinkDirection} per direction. A packet goes through, in order:
 * random loss, the bottleneck (a queue drained at `rateKbps`; a packet that
 * would wait more than `queueMs` is dropped, as a router's full buffer does),
 * then propagation (`delayMs` plus a uniform jitter of up to +/- `jitterMs`).
 * Jitter never reorders on its own (a real path keeps order); `reorderPercent`
 * of the packets are held `reorderGapMs` longer than their neighbours instead.
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';

const percent = z.number().min(0).max(100);
const ms = z.number().min(0).max(60_000);

/** What is wrong with the link, one way. `relais sim link` applies it to both directions. */
export const linkImpairmentSchema = z.strictObject({
  /** One-way delay: a link of 80 ms RTT is `delayMs: 40`. */
  delayMs: ms.default(0),
  /** Uniform jitter, +/- this much around `delayMs`. */
  jitterMs: ms.default(0),
  /** Packets lost at random (UDP). Over TCP a lost segment is delivered one retransmission timeout late. */
  lossPercent: percent.default(0),
  /** Packets delivered after later ones (UDP only). */
  reorderPercent: percent.default(0),
  /** How much later a reordered packet arrives. */
  reorderGapMs: ms.default(20),
  /** Bottleneck rate in kbit/s; 0 is no cap. */
  rateKbps: z.number().min(0).max(10_000_000).default(0),
  /** Longest wait in the bottleneck queue before a UDP packet is dropped (TCP is paused instead). */
  queueMs: ms.default(400),
});
export type LinkImpairment = z.infer<typeof linkImpairmentSchema>;
export type LinkImpairmentInput = z.input<typeof linkImpairmentSchema>;

/** Parses an impairment, with one line per problem naming the field. */
export function parseImpairment(value: unknown): LinkImpairment {
  const result = linkImpairmentSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new Error(t('tools.simLinkBad', { problems: result.error.issues.map((i) => `${i.path.join('.') || t('tools.simLinkSettingsWord')}${t('punct.colon')}${i.message}`).join('; ') }));
}

/** A packet's fate. */
export type PacketFate = { kind: 'deliver'; at: number; reordered: boolean } | { kind: 'drop'; reason: 'loss' | 'queue' };

/** Counters of one direction since it was made. */
export interface DirectionCounters {
  packets: number;
  bytes: number;
  delivered: number;
  lost: number;
  queueDrops: number;
  reordered: number;
  /** Segments held one retransmission timeout (TCP's stand-in for a loss). */
  retransmitted: number;
}

/** A byte stream (TCP) never loses, reorders or drops: loss becomes a late delivery and a full queue pauses the sender. */
export type DirectionMode = 'datagram' | 'stream';

/** Seeded uniform numbers in [0, 1) (mulberry32): the same seed gives the same day. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Linux's smallest TCP retransmission timeout. */
const MIN_RTO_MS = 200;

/** One direction of the link. */
export class LinkDirection {
  private impairment: LinkImpairment;
  /** When the bottleneck has sent everything accepted so far. */
  private busyUntil = Number.NEGATIVE_INFINITY;
  /** Delivery time of the newest in-order packet: later ones never overtake it. */
  private lastInOrder = Number.NEGATIVE_INFINITY;
  readonly counters: DirectionCounters = { packets: 0, bytes: 0, delivered: 0, lost: 0, queueDrops: 0, reordered: 0, retransmitted: 0 };

  constructor(
    impairment: LinkImpairment,
    private readonly random: () => number = Math.random,
    private readonly mode: DirectionMode = 'datagram',
  ) {
    this.impairment = impairment;
  }

  get settings(): LinkImpairment {
    return this.impairment;
  }

  /** New settings take effect for the next packet; packets in flight keep their times. */
  set(impairment: LinkImpairment): void {
    this.impairment = impairment;
  }

  /** How long a packet arriving now would wait in the bottleneck queue. */
  queueDelay(now: number): number {
    return Math.max(0, this.busyUntil - now);
  }

  /** Decides the fate of a packet of `bytes` arriving at `now` (ms). */
  decide(now: number, bytes: number): PacketFate {
    const s = this.impairment;
    this.counters.packets += 1;
    this.counters.bytes += bytes;
    const lost = s.lossPercent > 0 && this.random() * 100 < s.lossPercent;
    if (lost && this.mode === 'datagram') {
      this.counters.lost += 1;
      return { kind: 'drop', reason: 'loss' };
    }
    let sent = now;
    if (s.rateKbps > 0) {
      const start = Math.max(now, this.busyUntil);
      if (this.mode === 'datagram' && start - now > s.queueMs) {
        this.counters.queueDrops += 1;
        return { kind: 'drop', reason: 'queue' };
      }
      // kbit/s is bits per millisecond.
      sent = start + (bytes * 8) / s.rateKbps;
      this.busyUntil = sent;
    }
    const jitter = s.jitterMs > 0 ? (this.random() * 2 - 1) * s.jitterMs : 0;
    let at = sent + Math.max(0, s.delayMs + jitter);
    if (lost) {
      // Stream: the segment is sent again after a retransmission timeout.
      this.counters.retransmitted += 1;
      at += Math.max(MIN_RTO_MS, 4 * s.delayMs);
    }
    const reorder = this.mode === 'datagram' && s.reorderPercent > 0 && this.random() * 100 < s.reorderPercent;
    if (reorder) {
      this.counters.reordered += 1;
      this.counters.delivered += 1;
      return { kind: 'deliver', at: Math.max(at, this.lastInOrder) + s.reorderGapMs, reordered: true };
    }
    at = Math.max(at, this.lastInOrder);
    this.lastInOrder = at;
    this.counters.delivered += 1;
    return { kind: 'deliver', at, reordered: false };
  }
}

/**
 * Parses the settings a technician types while the link runs:
 * `loss=10 delay=40`, `rate=2000`, `reset`. Keys are the short names of the
 * CLI flags. Returns the new settings, the old ones untouched for fields not named.
 */
export function applySettingsLine(current: LinkImpairment, line: string): LinkImpairment {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] === 'reset') return parseImpairment({});
  const next: Record<string, number> = { ...current };
  for (const word of words) {
    const match = /^([a-z-]+)=(-?[\d.]+)$/.exec(word);
    const key = match ? SHORT_NAMES[match[1] ?? ''] : undefined;
    if (!match || !key) throw new Error(t('tools.simLinkNotSetting', { word, names: Object.keys(SHORT_NAMES).join('=, ') }));
    next[key] = Number(match[2]);
  }
  return parseImpairment(next);
}

/** Short names (CLI flags, live commands) of the settings. */
export const SHORT_NAMES: Record<string, keyof LinkImpairment> = {
  delay: 'delayMs',
  jitter: 'jitterMs',
  loss: 'lossPercent',
  reorder: 'reorderPercent',
  'reorder-gap': 'reorderGapMs',
  rate: 'rateKbps',
  queue: 'queueMs',
};

/** `delay=40ms jitter=5ms loss=1% reorder=0% rate=unlimited queue=400ms`. */
export function describeImpairment(s: LinkImpairment): string {
  const rate = s.rateKbps > 0 ? `${s.rateKbps}kbit/s` : 'unlimited';
  return `delay=${s.delayMs}ms jitter=${s.jitterMs}ms loss=${s.lossPercent}% reorder=${s.reorderPercent}% rate=${rate} queue=${s.queueMs}ms`;
}
