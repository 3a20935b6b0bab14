/**
 * The retained `site/<site>/state` of a box, part by part. Each feature of the
 * box reports one part (`encoder`, `cameras`, `display`, ...) through
 * `reportState(key, value)`, typed by {@link SiteParts}; the conductor, the CLI
 * and the dashboard read the same schemas. Unknown fields from a newer box are
 * dropped on parse, never rejected: the contract grows by additions only.
 */
import { z } from 'zod';
import { fenceNumber, linkStats, slug, type LinkStats } from './schemas.js';

const count = z.number().int().nonnegative();
const isoTime = z.string();

/** The room feed (`state.encoder`), or null on a box without an encoder. */
export const encoderPart = z.object({
  /** `disabled` in the config, else the supervisor's state. */
  state: z.enum(['disabled', 'idle', 'starting', 'live', 'restarting', 'failed']),
  /** The ffmpeg encoder in use (`h264_v4l2m2m`, `libx264`, ...). */
  encoder: z.string().nullable(),
  fps: z.number().nonnegative(),
  bitrateKbps: z.number().nonnegative().nullable(),
  speed: z.number().nonnegative().nullable(),
  frames: count,
  dropFrames: count,
  dupFrames: count,
  restarts: count,
  liveSince: isoTime.nullable(),
  lastExit: z.string().nullable(),
  /** Why that encoder: `configured`, `probe`, `probe (cached)`. */
  choice: z.string().nullable(),
  /** Why the feed is not running, when it is not. */
  error: z.string().nullable(),
  /**
   * Set when the chosen encoder failed at run time and the feed moved to the
   * next one that encodes (`to`, libx264 last); absent or null otherwise.
   */
  fallback: z
    .object({ from: z.string(), to: z.string(), reason: z.string(), at: isoTime })
    .nullable()
    .optional(),
});
export type EncoderPart = z.infer<typeof encoderPart>;

/** A configured preset of a camera: its number and its name in the site's config. */
export const presetPart = z.object({
  number: z.number().int().min(0).max(255),
  name: slug.nullable(),
});
export type PresetPart = z.infer<typeof presetPart>;

/** One PTZ camera (`state.cameras[]`). */
export const cameraPart = z.object({
  name: slug,
  online: z.boolean(),
  /** Last command failure, cleared by the next success. */
  lastError: z.string().nullable(),
  position: z.object({ pan: z.number().int(), tilt: z.number().int() }).nullable(),
  zoom: z.number().int().nullable(),
  power: z.enum(['on', 'standby', 'fault']).nullable(),
  /** Preset last recalled successfully. */
  preset: z.number().int().nullable(),
  tally: z.boolean().nullable(),
  /** The presets configured for this camera, in number order: what the dashboard offers. */
  presets: z.array(presetPart).max(256),
});
export type CameraPart = z.infer<typeof cameraPart>;

export const switcherTally = z.object({ program: z.boolean(), preview: z.boolean() });
export type SwitcherTallyPart = z.infer<typeof switcherTally>;

/** A network switcher the box reads tally from (`state.tally.source`, `state.tally.sources[]`). */
export const tallySourcePart = z.object({
  /** `atem`, `obs`, `vmix`, `tsl31`, `tsl5`. */
  kind: z.string(),
  /** Where it reads from (`atem 192.168.10.240:9910`). */
  describe: z.string().optional(),
  connected: z.boolean(),
  /** When `connected` last changed. */
  since: isoTime,
  /** Why it is not connected (wrong IP, password, protocol, a full ATEM), in French; null when fine. */
  error: z.string().nullable(),
});
export type TallySourcePart = z.infer<typeof tallySourcePart>;

/** Per-camera program/preview read from the switcher (published as `state.tally.cameras`). */
export const tallyInPart = z.object({
  cameras: z.record(z.string(), switcherTally),
  /** The first network source (absent with GPI contacts only). */
  source: tallySourcePart.optional(),
  /** Every network source, in config order. */
  sources: z.array(tallySourcePart).optional(),
  /** Cameras whose tally is unknown (source silent past its trust window); their `cameras` entry reads off/off. */
  unknown: z.array(z.string()).optional(),
});
export type TallyInPart = z.infer<typeof tallyInPart>;

/** The room display (`state.display`). */
export const displayPart = z.object({
  /** The site on screen, or null for the slate. */
  playing: slug.nullable(),
  url: z.string().nullable(),
  slate: z.enum(['nobody-on-air', 'self-on-air', 'no-floor']).nullable(),
  since: isoTime,
  /** `switcher`: one process decodes several feeds and switches on the floor; `player`: one process per picture. */
  mode: z.enum(['switcher', 'player']).optional(),
  /** The feeds the switcher decodes (the on-air and next sites, or every other site). */
  feeds: z.array(slug).max(64).optional(),
  /** Those it is decoding now: a hand-off to one of them shows at once (the conductor's `holdMs` waits for this). */
  ready: z.array(slug).max(64).optional(),
  /** Feeds that stopped and have not answered since; the display goes on without them. */
  lost: z.array(slug).max(64).optional(),
});
export type DisplayPart = z.infer<typeof displayPart>;

/** The lamps and buttons' driver (`state.io`): a USB board that drops off shows here. */
export const ioPart = z.object({
  driver: z.string(),
  ok: z.boolean(),
  detail: z.string().nullable(),
});
export type IoPart = z.infer<typeof ioPart>;

/** The box's own health (`state.system`). */
export const systemPart = z.object({
  temperatureC: z.number().nullable(),
  load1: z.number().nonnegative(),
  cpus: z.number().int().positive(),
  rssMb: z.number().nonnegative(),
  uptimeS: z.number().nonnegative(),
  /**
   * Another box connects with this site's id (two boxes with the same `site`):
   * the broker keeps throwing one off for the other (docs/protocol.md). Absent
   * when there is no such conflict.
   */
  takenOver: z
    .object({
      count: z.number().int().nonnegative(),
      since: isoTime,
      evidence: z.enum(['reason-code', 'pattern']),
      yielding: z.boolean(),
      backoffMs: z.number().int().nonnegative().nullable(),
    })
    .optional(),
});
export type SystemPart = z.infer<typeof systemPart>;

/**
 * The newest pre-flight test of the site's link to the relay (`relais link
 * test --report`, `state.linkTest`): what it measured and the SRT settings it
 * recommends, for the operator to compare with the configured ones.
 */
export const linkTestPart = z.object({
  /** When the test ended. */
  at: isoTime,
  /** The `relais link echo` it measured against (`relay.example:9999`). */
  relay: z.string().min(1).max(300),
  seconds: z.number().nonnegative(),
  rttMs: z.object({ min: z.number().nonnegative(), p50: z.number().nonnegative(), p95: z.number().nonnegative(), max: z.number().nonnegative() }).nullable(),
  /** One-way loss, %. */
  lossPercent: z.number().min(0).max(100),
  /** Uplink capacity, kbit/s; null when no packet train came back. */
  throughputKbps: z.number().nonnegative().nullable(),
  recommended: z.object({ latencyMs: z.number().int().nonnegative(), bitrateKbps: z.number().int().nonnegative() }),
  /** What to look at, in a few words each (in English, as the CLI prints them). */
  notes: z.array(z.string().max(500)).max(10),
});
export type LinkTestPart = z.infer<typeof linkTestPart>;

export const lampState = z.object({ pattern: z.string(), level: z.boolean() });
export type LampState = z.infer<typeof lampState>;

export const siteRole = z.enum(['on-air', 'next', 'queued', 'idle']);
/** The site's part in the floor, as a box sees it. */
export type SiteRole = z.infer<typeof siteRole>;

export const siteState = z.object({
  version: z.string(),
  /** The site's display name with its accents ("Rivière-du-Loup"); the slug stays the id. */
  name: z.string().min(1).max(128).optional(),
  /** Role of this site in the floor, as the box sees it, and whether its link is up. */
  tally: z.object({
    role: siteRole,
    link: z.enum(['ok', 'lost']),
    epoch: z.number().int(),
    /** The term of the floor the box follows (with `epoch`, its ordering key; docs/protocol.md, Fencing). */
    term: fenceNumber.optional(),
    /** Per-camera program/preview from the switcher's tally inputs. */
    cameras: z.record(z.string(), switcherTally).optional(),
    /** The first network tally source and its connection (ATEM, OBS, vMix, TSL). */
    source: tallySourcePart.optional(),
    sources: z.array(tallySourcePart).optional(),
    /** Cameras whose tally is unknown: lamps on the "tally unknown" pattern (hardware/tally.md). */
    unknown: z.array(z.string()).optional(),
  }),
  lamps: z.record(z.string(), lampState),
  encoder: encoderPart.nullable(),
  cameras: z.array(cameraPart).max(64),
  counters: z.object({ badPayloads: count, droppedPresses: count }),
  system: systemPart.optional(),
  io: ioPart.optional(),
  display: displayPart.optional(),
  /** The statistics of the box's outgoing SRT feed, at its end. */
  link: linkStats.optional(),
  /** A box serving its feed directly (`encoder.direct`): the newest statistics of each display's link, `peer` the display's site. */
  directLinks: z.array(linkStats).max(8).optional(),
  /** The newest `relais link test` of this site's link (its figures and the recommended SRT settings). */
  linkTest: linkTestPart.optional(),
  updatedAt: isoTime,
});
export type SiteState = z.infer<typeof siteState>;

/** What each feature may report, by part name: `reportState('cameras', [...])`. */
export interface SiteParts {
  encoder: EncoderPart | null;
  cameras: CameraPart[];
  tallyIn: TallyInPart;
  /** The network switchers' tally (src/tally/), merged into `state.tally` with `tallyIn`. */
  tallySources: TallyInPart;
  display: DisplayPart;
  link: LinkStats;
  directLinks: LinkStats[];
  linkTest: LinkTestPart;
}
export type SitePartName = keyof SiteParts;

/**
 * What is wrong with a box's I/O as its state reports it (`io: { ok: false,
 * detail }`, e.g. its USB board unplugged); null when it reports nothing wrong
 * or is too old to report `io`.
 */
export function siteIoTrouble(state: SiteState | null | undefined): string | null {
  const io = state?.io;
  if (!io || io.ok) return null;
  return io.detail && io.detail.length > 0 ? io.detail : 'the I/O does not answer';
}
