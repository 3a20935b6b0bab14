import type { LinkWhyCode, LinkWhyParams } from './link-why.js';

/**
 * Why the conductor refused a command, or warns about one: a stable code and
 * its parameters (what every surface translates, `events.code` and
 * `events.params`), and the English sentence that `events.reason` has always
 * carried, for clients that know no codes. Pure. See docs/protocol.md.
 */

/** Every reason, with the parameters its sentence uses. */
export interface ReasonParams {
  'unknown-site': { site: string; sites: string };
  'unknown-site-long': { length: number; sites: string };
  'already-on-air': { site: string };
  'already-queued': { site: string; position: number };
  'not-queued': { site: string };
  'release-not-on-air': { site: string };
  'pass-not-on-air': { site: string };
  'nobody-to-pass-to': Record<string, never>;
  'pass-to-self': { site: string };
  'nobody-on-air': Record<string, never>;
  'other-on-air': { site: string; onAir: string };
  'nothing-next': Record<string, never>;
  'queued-twice': { site: string };
  'on-air-not-queueable': { site: string };
  'no-item-on-air': Record<string, never>;
  'adjust-out-of-range': { minutes: number; planned: number; min: number; max: number };
  'item-unknown': { item: number; count: number };
  'item-started': { item: number };
  'item-skipped': { item: number };
  'item-not-skipped': { item: number };
  'position-out-of-range': { to: number; first: number; last: number };
  'feed-missing': { site: string };
  'feed-reconnecting': { site: string };
  /** `why` in English words; `whyCode` and its figures (src/protocol/link-why.ts) when the relay gave them. */
  'feed-bad': { site: string; verdict: string; why: string; whyCode?: string } & Partial<Record<LinkWhyFigure, number>>;
}

/** The figures a link cause carries, flattened into the `feed-bad` params beside `whyCode`. */
type LinkWhyFigure = { [C in LinkWhyCode]: string extends keyof LinkWhyParams[C] ? never : keyof LinkWhyParams[C] }[LinkWhyCode] & string;

export type ReasonCode = keyof ReasonParams;

/** A reason as it travels: the code and its parameters (only strings and numbers). */
export interface Reason<C extends ReasonCode = ReasonCode> {
  code: C;
  params: ReasonParams[C];
}

export function reason<C extends ReasonCode>(code: C, ...params: ReasonParams[C] extends Record<string, never> ? [] : [ReasonParams[C]]): Reason<C> {
  return { code, params: (params[0] ?? {}) as ReasonParams[C] };
}

/** The sentence a rundown item is named by: its number as the rundown lists it (1-based). */
const item = (n: number): string => `item ${n + 1}`;

const ENGLISH: { [C in ReasonCode]: (p: ReasonParams[C]) => string } = {
  'unknown-site': (p) => `unknown site "${p.site}" (this event has: ${p.sites})`,
  'unknown-site-long': (p) => `unknown site (a name of ${p.length} characters; this event has: ${p.sites})`,
  'already-on-air': (p) => `${p.site} is already on air`,
  'already-queued': (p) => `${p.site} is already in the queue (position ${p.position})`,
  'not-queued': (p) => `${p.site} is not in the queue`,
  'release-not-on-air': (p) => `${p.site} is not on air, so it cannot release the floor`,
  'pass-not-on-air': (p) => `${p.site} is not on air, so it cannot pass the floor`,
  'nobody-to-pass-to': () => 'nobody to pass to: the queue is empty and the rundown is over',
  'pass-to-self': (p) => `${p.site} cannot pass the floor to itself`,
  'nobody-on-air': () => 'nobody is on air',
  'other-on-air': (p) => `${p.site} is not on air (${p.onAir} is)`,
  'nothing-next': () => 'nothing next: the queue is empty and the rundown is over',
  'queued-twice': (p) => `${p.site} appears twice in the new queue`,
  'on-air-not-queueable': (p) => `${p.site} is on air and cannot be queued`,
  'no-item-on-air': () => 'no rundown item is on air: only the current item\'s time can be adjusted',
  'adjust-out-of-range': (p) => `${p.minutes} min would take the item's ${p.planned} planned minutes out of ${p.min}..${p.max} added minutes`,
  'item-unknown': (p) => `there is no ${item(p.item)} (the rundown has ${p.count})`,
  'item-started': (p) => `${item(p.item)} has already started: only items not yet played can be skipped or moved`,
  'item-skipped': (p) => `${item(p.item)} is already skipped`,
  'item-not-skipped': (p) => `${item(p.item)} is not skipped`,
  'position-out-of-range': (p) => `position ${p.to + 1} is outside the items not yet played (${p.first + 1} to ${p.last + 1})`,
  'feed-missing': (p) => `warning: ${p.site} is on air but no feed reaches the relay; the other rooms may see a slate or a frozen picture`,
  'feed-reconnecting': (p) => `warning: ${p.site} is on air but its feed dropped and is reconnecting; the other rooms may see a slate or a frozen picture`,
  'feed-bad': (p) => `warning: ${p.site} is on air but its feed is ${p.verdict} at the relay${p.why ? ` (${p.why})` : ''}; the other rooms may see a slate or a frozen picture`,
};

/** The English sentence of a reason (`events.reason`). */
export function reasonMessage(r: Reason): string {
  return (ENGLISH[r.code] as (p: ReasonParams[ReasonCode]) => string)(r.params);
}

/** Every code, for a check that each surface can translate it. */
export const REASON_CODES = Object.keys(ENGLISH) as ReasonCode[];
