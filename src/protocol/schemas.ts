/**
 * Payload schemas of the MQTT contract (v1). Every inbound payload is parsed
 * with these; every outbound payload is typed by them. See docs/protocol.md.
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';

/** Lowercase slug: `saint-camille`, `demo`, `riviere-du-loup`. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const slug = z
  .string()
  .min(1)
  .max(64)
  // A function: the words are those of the language at validation time, not at load.
  .regex(SLUG_PATTERN, { error: () => t('tools.configIssue.slug') });

/** Ids of intents and controls: any printable token a client chose, bounded. */
export const messageId = z.string().min(1).max(128);

export const availability = z.enum(['online', 'offline']);
export type Availability = z.infer<typeof availability>;

export const intentAction = z.enum(['request', 'release', 'pass', 'cancel']);
export type IntentAction = z.infer<typeof intentAction>;

export const intent = z.strictObject({
  id: messageId,
  action: intentAction,
  to: slug.optional(),
  /** Free text for the log (`button`, `keyboard`, `companion`). */
  origin: z.string().max(64).optional(),
});
export type Intent = z.infer<typeof intent>;

/** `adjust`, `skip`, `unskip` and `move` are the rundown's timer tools (additions to v1). */
export const controlAction = z.enum(['grant', 'revoke', 'next', 'reorder', 'adjust', 'skip', 'unskip', 'move']);
export type ControlAction = z.infer<typeof controlAction>;

/** Most minutes one `adjust` adds or takes. */
export const MAX_ADJUST_MINUTES = 60;
/** A rundown item's index, or a position in the play order. */
const itemNumber = z.number().int().nonnegative().max(9999);

export const control = z
  .strictObject({
    id: messageId,
    action: controlAction,
    site: slug.optional(),
    queue: z.array(slug).max(256).optional(),
    /** `adjust`: minutes added to (or, negative, taken from) the current item. */
    minutes: z.number().int().min(-MAX_ADJUST_MINUTES).max(MAX_ADJUST_MINUTES).refine((n) => n !== 0, { error: () => t('payload.notZero') }).optional(),
    /** `skip`, `unskip`, `move`: the rundown item (its `index`). */
    item: itemNumber.optional(),
    /** `move`: the position in the play order the item goes to (0 is the first item of the day). */
    to: itemNumber.optional(),
    origin: z.string().max(64).optional(),
  })
  .superRefine((value, ctx) => {
    const need = (field: 'site' | 'queue' | 'minutes' | 'item' | 'to', what: () => string): void => {
      if (value[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: t('payload.needs', { action: value.action, what: what() }) });
    };
    if (value.action === 'grant') need('site', () => t('payload.needSite'));
    if (value.action === 'reorder') need('queue', () => t('payload.needQueue'));
    if (value.action === 'adjust') need('minutes', () => t('payload.needMinutes', { max: MAX_ADJUST_MINUTES }));
    if (value.action === 'skip' || value.action === 'unskip' || value.action === 'move') need('item', () => t('payload.needItem'));
    if (value.action === 'move') need('to', () => t('payload.needTo'));
    const only = (field: 'minutes' | 'item' | 'to', actions: readonly string[]): void => {
      if (value[field] !== undefined && !actions.includes(value.action)) ctx.addIssue({ code: 'custom', path: [field], message: t('payload.belongs', { field, actions: actions.join(', '), action: value.action }) });
    };
    only('minutes', ['adjust']);
    only('item', ['skip', 'unskip', 'move']);
    only('to', ['move']);
  });
export type Control = z.infer<typeof control>;

/**
 * Largest epoch or term on the wire (2^31-1). Above it a payload is bad and
 * dropped: an epoch forged near 2^53 must not reach a state file or a box.
 */
export const MAX_FENCE = 2_147_483_647;
/** An epoch or a term: an integer from 0 to {@link MAX_FENCE}. */
export const fenceNumber = z.number().int().nonnegative().max(MAX_FENCE);

export const rundownItem = z.strictObject({
  index: z.number().int().nonnegative(),
  title: z.string(),
  speaker: z.string(),
  site: slug,
  plannedMinutes: z.number().positive(),
});
export type RundownItemView = z.infer<typeof rundownItem>;

const isoOrNull = z.string().max(40).nullable();

/** One item's place in the day: its scheduled start (the plan's slot) and its shifted start (after the delay). */
export const scheduledItem = z.object({
  index: z.number().int().nonnegative(),
  scheduledStart: isoOrNull,
  /** Null for a skipped item. */
  shiftedStart: isoOrNull,
  skipped: z.boolean(),
});

export const floorSchedule = z.object({
  /** When the plan's first slot starts (fixed when the first item starts). */
  dayStart: isoOrNull,
  /** Position in `order` of the last item started; -1 before the first. */
  position: z.number().int().min(-1),
  /** Rundown indices in play order. */
  order: z.array(z.number().int().nonnegative()).max(1000),
  skipped: z.array(z.number().int().nonnegative()).max(1000),
  adjustments: z.array(z.object({ index: z.number().int().nonnegative(), minutes: z.number() })).max(1000),
  /** The last item started: when it started and (once over) ended. */
  last: z.object({ index: z.number().int().nonnegative(), start: z.string().max(40), end: isoOrNull }).nullable(),
});

export const floor = z.object({
  /** Grows with every change of the floor; floors are ordered by (term, epoch). */
  epoch: fenceNumber,
  /** Grows with every takeover; a floor without it counts as term 0 (see docs/protocol.md, Fencing). */
  term: fenceNumber.optional(),
  onAir: slug.nullable(),
  next: slug.nullable(),
  queue: z.array(slug),
  /** ISO time the on-air site got the floor. */
  since: z.string().nullable(),
  /** The rundown item being played, or null for an unscheduled turn (Q&A, interjection). */
  item: rundownItem.nullable(),
  /** ISO time the current item should end (since + planned minutes), for countdown clocks. */
  plannedEnd: z.string().nullable(),
  /** The rundown item that `next` will start, when the rundown drives the floor. */
  nextItem: rundownItem.nullable(),
  /** Which conductor published this state. */
  conductor: z.string(),
  updatedAt: z.string(),
  /** Minutes added to (negative: taken from) the current item; `plannedEnd` includes them. */
  addedMinutes: z.number().optional(),
  /** How late (positive) or early the rest of the rundown runs, in whole minutes; null before the day starts. */
  delayMinutes: z.number().nullable().optional(),
  /** The next items in play order with their planned and shifted starts (the `rundown` topic lists all). */
  upcoming: z.array(scheduledItem).max(100).optional(),
  /** The day's rundown changes, for a conductor that takes over (docs/protocol.md). */
  schedule: floorSchedule.optional(),
});
export type Floor = z.infer<typeof floor>;

export const eventResult = z.object({
  /** `intent` from a site, `control` from an operator, or `link`/`conductor` notices. */
  kind: z.enum(['intent', 'control', 'conductor']),
  id: z.string(),
  action: z.string(),
  site: z.string().nullable(),
  result: z.enum(['accepted', 'rejected', 'info']),
  reason: z.string().nullable(),
  /** The reason's stable code (src/protocol/reasons.ts), for clients that translate it; `reason` stays the English sentence. */
  code: z.string().max(64).nullable().optional(),
  /** The code's parameters. */
  params: z.record(z.string().max(32), z.union([z.string().max(2000), z.number()])).optional(),
  duplicate: z.boolean(),
  epoch: fenceNumber,
  at: z.string(),
  /** With `conductor.holdUntilBuffered`, on a hand-off: how long it waited for the displays, and which were still not ready. */
  hold: z.object({ waitedMs: z.number().int().nonnegative(), ready: z.boolean(), notReady: z.array(z.string().max(64)).max(64) }).optional(),
});
export type EventResult = z.infer<typeof eventResult>;

export const heartbeat = z.object({
  conductor: z.string().max(64),
  epoch: fenceNumber,
  /** The term the primary holds; missing counts as 0. */
  term: fenceNumber.optional(),
  at: z.string(),
  role: z.enum(['primary', 'standby']),
});
export type Heartbeat = z.infer<typeof heartbeat>;

export const conductorState = z.object({
  conductor: z.string(),
  role: z.enum(['primary', 'standby']),
  epoch: fenceNumber,
  term: fenceNumber.optional(),
  counters: z.object({
    badPayloads: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    duplicates: z.number().int(),
  }),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type ConductorState = z.infer<typeof conductorState>;

/** How many of its latest first answers the primary keeps retained on `conductor/answers`. */
export const RETAINED_ANSWERS = 48;

/**
 * The primary's latest first answers, retained: a conductor that (re)starts
 * as standby learns from it the ids answered while it was away, so a retry
 * after a takeover is still applied once (docs/protocol.md, rule 7).
 */
export const conductorAnswers = z.object({
  conductor: z.string().max(200),
  term: fenceNumber.optional(),
  epoch: fenceNumber,
  answers: z
    .array(
      z.object({
        /** `intent:<site>:<id>` or `control:<id>`. */
        key: z.string().max(400),
        accepted: z.boolean(),
        reason: z.string().max(2000).nullable(),
        epoch: fenceNumber.optional(),
        code: z.string().max(64).nullable().optional(),
        params: z.record(z.string().max(32), z.union([z.string().max(2000), z.number()])).optional(),
      }),
    )
    .max(RETAINED_ANSWERS),
});
export type ConductorAnswers = z.infer<typeof conductorAnswers>;

/** Largest payload accepted on any topic; bigger ones are dropped before parsing. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** What the relay carries: one entry per site's stream (retained on `relay/streams`). */
/**
 * What a person should think of a feed: `good`; `late` (on screen, but too
 * delayed for a conversation or about to break up); `unwatchable` (packets
 * lost or too late to show: the picture breaks up); `down` (nothing arrives).
 */
export const linkVerdict = z.enum(['good', 'late', 'unwatchable', 'down']);
export type LinkVerdict = z.infer<typeof linkVerdict>;

/**
 * One interval (a few seconds) of an SRT connection's own statistics, as
 * srt-live-transmit reports them: at the relay for each site's incoming feed,
 * at a box for its outgoing feed.
 */
export const linkStats = z.object({
  /** `receiver`: figures of what arrives (the relay's ingest); `sender`: of what leaves (a box's feed). */
  role: z.enum(['sender', 'receiver']),
  /** The other end: `relay`, or a site. */
  peer: z.string().max(64),
  at: z.string(),
  rttMs: z.number().nonnegative(),
  /** Packets lost on the way (before retransmission), in % of the interval's packets. */
  lossPercent: z.number().min(0).max(100),
  /** Packets sent again (sender) or received again (receiver) in the interval. */
  retransmitted: z.number().int().nonnegative(),
  /** Packets that came too late to be shown, dropped by SRT: the picture breaks up. */
  dropped: z.number().int().nonnegative(),
  sentKbps: z.number().nonnegative(),
  receivedKbps: z.number().nonnegative(),
  /** Data held in the buffer, in ms. */
  bufferMs: z.number().nonnegative(),
  /** The agreed SRT latency (receiver buffer), in ms. */
  latencyMs: z.number().nonnegative(),
  /** SRT's estimate of the link's capacity. */
  bandwidthKbps: z.number().nonnegative(),
  verdict: linkVerdict,
  /** Why the verdict is not `good`, in a few English words. */
  why: z.string().max(200).nullable(),
  /** The same as a code and its figures, what a surface translates (src/protocol/link-why.ts; addition to v1). A code it does not know: it shows `why`. */
  whyCode: z.string().max(32).nullable().optional(),
  whyParams: z.record(z.string().max(32), z.number()).optional(),
});
export type LinkStats = z.infer<typeof linkStats>;

export const relayStream = z.object({
  site: slug,
  /** `live`: publishing; `reconnecting`: the publisher dropped less than 30 s ago. */
  status: z.enum(['live', 'reconnecting', 'idle']),
  publisher: z
    .object({ ip: z.string(), since: z.string(), protocol: z.string(), width: z.number().int().nonnegative(), height: z.number().int().nonnegative(), fps: z.number().nonnegative() })
    .nullable(),
  viewers: z.number().int().nonnegative(),
  /** The SRT ingest's statistics of this feed (only for a feed that comes over SRT). */
  link: linkStats.optional(),
});
export type RelayStream = z.infer<typeof relayStream>;

export const relayStreams = z.object({
  at: z.string(),
  streams: z.array(relayStream).max(1000),
});
export type RelayStreams = z.infer<typeof relayStreams>;

/** The day's rundown, retained on `rundown` so a page can list every item with its planned start. */
export const rundownList = z.object({
  /** In play order (moves included). */
  items: z.array(rundownItem.extend({
    /** When the item should start: from the current item on, counted from when it started, after the delay. */
    plannedStart: z.string().nullable().optional(),
    /** The plan's slot for the item (from the day's start, before any delay). */
    scheduledStart: z.string().nullable().optional(),
    skipped: z.boolean().optional(),
    addedMinutes: z.number().optional(),
    /** `done`, `playing` or `upcoming` (a skipped item passed over is `done` and `skipped`). */
    status: z.enum(['done', 'playing', 'upcoming']).optional(),
    /** When the item actually started and ended (the planned-vs-actual report); null until then. */
    actualStart: z.string().nullable().optional(),
    actualEnd: z.string().nullable().optional(),
  })).max(500),
  delayMinutes: z.number().nullable().optional(),
});
export type RundownList = z.infer<typeof rundownList>;

/** Longest operator message: a line a speaker reads in a glance. */
export const MAX_MESSAGE_CHARS = 280;

/**
 * An operator's message to one site (retained on `site/<site>/message`), shown
 * on its speaker screen until acknowledged; an empty retained payload clears it.
 */
export const siteMessage = z.strictObject({
  id: messageId,
  text: z.string().trim().min(1, { error: () => t('config.zod.notEmpty') }).max(MAX_MESSAGE_CHARS),
  /** Who wrote it (a login or `régie`), for the log. */
  from: z.string().max(64).optional(),
  at: z.string(),
});
export type SiteMessage = z.infer<typeof siteMessage>;

/** The speaker screen's "read" of a message (retained on `site/<site>/message/ack`). */
export const messageAck = z.strictObject({
  id: messageId,
  at: z.string(),
});
export type MessageAck = z.infer<typeof messageAck>;

/** `relais doctor`'s round-trip probe: any short text. */
export const doctorProbe = z.string().max(256);
