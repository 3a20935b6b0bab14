/**
 * Why a feed's link verdict is not `good`: a stable code and its figures
 * (`linkStats.whyCode` and `whyParams`, what the dashboard and the CLI
 * translate), and the English words `linkStats.why` has always carried, for
 * readers that know no codes. Pure. See docs/protocol.md.
 */

/** Every cause, with the figures its words use (numbers only). */
export interface LinkWhyParams {
  /** Nothing in the last interval. */
  'no-packets': Record<string, never>;
  /** Nothing for `seconds` (the relay's view of a feed that fell silent). */
  silent: { seconds: number };
  /** `percent` of the packets came too late to be shown. */
  'too-late-share': { percent: number };
  /** `percent` of the packets were lost. */
  loss: { percent: number };
  /** About `ms` one way (buffer + half the RTT). */
  'one-way': { ms: number };
  /** The SRT buffer (`latency` ms) is short for the RTT (`rtt` ms). */
  'short-buffer': { latency: number; rtt: number };
  /** `packets` came too late to be shown. */
  'too-late': { packets: number };
}

export type LinkWhyCode = keyof LinkWhyParams;

/** A cause as it travels: the English words, the code and its figures. */
export interface LinkWhy<C extends LinkWhyCode = LinkWhyCode> {
  why: string;
  whyCode: C;
  whyParams: LinkWhyParams[C];
}

const ENGLISH: { [C in LinkWhyCode]: (p: LinkWhyParams[C]) => string } = {
  'no-packets': () => 'no packets in the last interval',
  silent: (p) => `no packets for ${p.seconds} s`,
  'too-late-share': (p) => `${p.percent.toFixed(1)} % of packets came too late to be shown`,
  loss: (p) => `${p.percent.toFixed(1)} % loss`,
  'one-way': (p) => `about ${p.ms} ms one way`,
  'short-buffer': (p) => `buffer ${p.latency} ms is short for an RTT of ${p.rtt} ms`,
  'too-late': (p) => `${p.packets} packets came too late to be shown`,
};

/** The cause `code` with its figures, and its English words. */
export function linkWhy<C extends LinkWhyCode>(code: C, ...params: LinkWhyParams[C] extends Record<string, never> ? [] : [LinkWhyParams[C]]): LinkWhy<C> {
  const whyParams = (params[0] ?? {}) as LinkWhyParams[C];
  return { why: (ENGLISH[code] as (p: LinkWhyParams[C]) => string)(whyParams), whyCode: code, whyParams };
}

export const LINK_WHY_CODES = Object.keys(ENGLISH) as LinkWhyCode[];
