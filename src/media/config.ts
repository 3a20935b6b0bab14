/**
 * Configuration of the room feed (encoder), the relay and the room display.
 * The site config carries `encoder:` and `display:`; the relay has its own
 * section. Every field has a default a demo can live with, except secrets.
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';
import { UserError } from '../util/errors.js';

/** Names of the H.264 encoders relais knows how to drive, in trial order. */
export const ENCODER_NAMES = ['h264_v4l2m2m', 'h264_vaapi', 'h264_qsv', 'h264_rkmpp', 'h264_nvenc', 'libx264'] as const;
export type EncoderName = (typeof ENCODER_NAMES)[number];

const size = z
  .string()
  .regex(/^\d{2,4}x\d{2,4}$/, { error: () => t('config.media.size') })
  .refine((value) => value.split('x').every((n) => Number(n) % 2 === 0), { error: () => t('config.media.sizeEven') });

const secret = z.string({
  error: (issue) => (issue.input === undefined ? t('config.media.secretMissing') : t('config.media.secretText')),
}).min(16, { error: () => t('config.media.secretShort') });

/** A V4L2 camera or HDMI capture card, with optional ALSA sound. */
export const v4l2InputSchema = z.strictObject({
  kind: z.literal('v4l2'),
  device: z.string().regex(/^\/dev\/\S+$/, { error: () => t('config.media.device') }).default('/dev/video0'),
  /** Capture size; defaults to the encoder's `size`. */
  size: size.optional(),
  /** Capture rate; defaults to the encoder's `fps`. */
  rate: z.number().int().min(1).max(120).optional(),
  /** V4L2 pixel format as ffmpeg names it: `mjpeg`, `yuyv422`, `nv12`, `h264`... (`v4l2-ctl --list-formats-ext`). */
  pixelFormat: z.string().regex(/^[a-z0-9_]+$/, { error: () => t('config.media.pixelFormat') }).default('mjpeg'),
  /** ALSA device (`hw:1,0`, `plughw:CARD=HDMI`); without one the feed carries silence. */
  audioDevice: z.string().min(1).optional(),
});

/** A generated picture (bars or a moving pattern) with the site's name, a clock and a tone. */
export const testPatternInputSchema = z.strictObject({
  kind: z.literal('test-pattern'),
  /** `color`: one plain colour (`color`) with a little moving grain, so each room is told apart at a glance and the encoder works as on a camera. */
  pattern: z.enum(['testsrc2', 'smptebars', 'color']).default('testsrc2'),
  /** The colour of the `color` pattern: an ffmpeg colour name or 0xRRGGBB. */
  color: z.string().regex(/^(?:[a-z]{3,20}|0x[0-9a-fA-F]{6})$/, { error: () => t('config.media.color') }).default('gray'),
  /** Text drawn on the picture; defaults to the site id. */
  label: z.string().max(80).optional(),
  /** Tone frequency in Hz. */
  toneHz: z.number().int().min(20).max(20_000).default(440),
});

export const encoderInputSchema = z.discriminatedUnion('kind', [testPatternInputSchema, v4l2InputSchema], { error: () => t('config.media.input') });
export type EncoderInput = z.infer<typeof encoderInputSchema>;

/** SRT passphrase: libsrt takes 10 to 79 characters. */
const siteSlug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: () => t('config.media.siteSlug') });
const srtPassphrase = z.string().min(10, { error: () => t('config.media.passphrase') }).max(79, { error: () => t('config.media.passphraseLong') });
/** SRT latency (the receiver's buffer): about 3 to 4 times the link's RTT (`relais link test` measures it). */
const srtLatency = z.number().int().min(20).max(8000);

export const rtmpOutputSchema = z.strictObject({
  kind: z.literal('rtmp'),
  /** Base of the relay's publish URL; the site and a signature are appended. */
  url: z
    .string()
    .regex(/^rtmps?:\/\/[^\s/]+(?::\d+)?\/live\/?$/, { error: () => t('config.media.rtmpUrl') })
    .default('rtmp://127.0.0.1:1935/live'),
  secret,
  /** How long a signed URL stays valid; it is signed again at every (re)start. */
  ttlSeconds: z.number().int().min(30).max(7 * 24 * 3600).default(6 * 3600),
});

export const srtOutputSchema = z.strictObject({
  kind: z.literal('srt'),
  /** The relay's ingest port for this site (relay.srt: ingestPort + the site's place in the list). */
  url: z.string().regex(/^srt:\/\/\S+$/, { error: () => t('config.media.srtUrl') }),
  /** `caller` (the box calls the relay, the usual case behind a venue's NAT) or `listener`. */
  mode: z.enum(['caller', 'listener']).default('caller'),
  /** Receiver buffer in ms; the larger of the two ends' wins. */
  latencyMs: srtLatency.optional(),
  passphrase: srtPassphrase.optional(),
  /**
   * `ffmpeg`: the encoder speaks SRT itself. `srt-live-transmit`: the encoder
   * hands MPEG-TS to a local srt-live-transmit that holds the SRT connection:
   * the box then reports its sender statistics (state.link), and an encoder
   * restart (a new bitrate) does not drop the connection to the relay.
   */
  uplink: z.enum(['ffmpeg', 'srt-live-transmit']).default('ffmpeg'),
});

export const encoderOutputSchema = z.discriminatedUnion('kind', [rtmpOutputSchema, srtOutputSchema], { error: () => t('config.media.output') });
export type EncoderOutput = z.infer<typeof encoderOutputSchema>;

export const encoderConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  input: encoderInputSchema.default({ kind: 'test-pattern', pattern: 'testsrc2', color: 'gray', toneHz: 440 }),
  size: size.default('1280x720'),
  fps: z.number().int().min(1).max(60).default(30),
  /** Video bitrate in kbit/s. */
  bitrateKbps: z.number().int().min(100).max(50_000).default(2500),
  audioBitrateKbps: z.number().int().min(32).max(320).default(96),
  /** Seconds between key frames (1-2 s keeps joins and switches quick). */
  keyframeSeconds: z.number().min(0.5).max(10).default(2),
  /** `auto`: the first encoder that passes a real trial encode; or force one. */
  encoder: z.union([z.literal('auto'), z.enum(ENCODER_NAMES)], { error: () => t('config.media.encoder', { names: ENCODER_NAMES.join(', ') }) }).default('auto'),
  /** x264 preset when libx264 is used (`ultrafast` for weak CPUs). */
  x264Preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  /** VAAPI render node. */
  vaapiDevice: z.string().default('/dev/dri/renderD128'),
  /** ffmpeg binary (also `RELAIS_FFMPEG`). */
  ffmpeg: z.string().min(1).optional(),
  /** Where the trial-encode result is remembered. */
  probeCache: z.string().optional(),
  output: encoderOutputSchema,
  /** Restart policy of the supervisor. */
  restart: z
    .strictObject({
      initialDelayMs: z.number().int().min(50).max(60_000).default(500),
      maxDelayMs: z.number().int().min(100).max(600_000).default(15_000),
      /** Live this long without a crash: the delay starts small again. */
      stableAfterMs: z.number().int().min(1000).max(3_600_000).default(30_000),
      /** No new frame for this long: the encoder is stalled and restarted. */
      stallTimeoutMs: z.number().int().min(1000).max(600_000).default(5000),
      /** Grace between SIGINT and SIGKILL on stop. */
      killTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
    })
    .prefault({}),
  /**
   * Bitrate that follows the link (needs `output.uplink: srt-live-transmit`):
   * down 30 % on a bad interval, up 10 % after five good ones, within these bounds.
   */
  adaptiveBitrate: z.strictObject({ floorKbps: z.number().int().min(100).max(50_000), ceilingKbps: z.number().int().min(100).max(50_000) }).optional(),
  /** Period of the `encoder` figures in the site's state. */
  reportIntervalMs: z.number().int().min(500).max(600_000).default(5000),
  /**
   * Serve this feed over SRT straight to the other sites' displays as well as
   * to the relay: one SRT buffer on the way instead of the hub's two (docs/media.md,
   * "Topology"). Each other site costs one more upload of the feed, so this is for
   * small events; the uplink to the relay (previews, and the sites that play from
   * the hub) is then held by srt-live-transmit. Needs an SRT `output`.
   */
  direct: z
    .strictObject({
      /** Every site, in the relay's order (the same list as `relay.srt.sites` and `display.srt.sites`). */
      sites: z.array(siteSlug).min(2).max(8),
      /** The same port plan as the relay's egress: the display of site j plays site i from `egressPort + i * sites + j`. */
      egressPort: z.number().int().min(1).max(65_000).default(9100),
      /** Address the listeners bind to (0.0.0.0: every address). */
      bind: z.string().default('0.0.0.0'),
    })
    .optional(),
}).refine((c) => !c.direct || c.output.kind === 'srt', { error: () => t('config.media.directNeedsSrt'), path: ['direct'] });
export type EncoderConfig = z.infer<typeof encoderConfigSchema>;

/** The relay's SRT hub (srt-hub.ts): each site's feed in over SRT, out over SRT to the displays. */
export const relaySrtSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Every site, in a fixed order: the ports follow it (same list on the boxes). */
  sites: z.array(siteSlug).min(1).max(64),
  /** Site number i sends to `ingestPort + i`. */
  ingestPort: z.number().int().min(1).max(65_000).default(9000),
  /** The display of site j plays site i from `egressPort + i * sites + j`. */
  egressPort: z.number().int().min(1).max(65_000).default(9100),
  latencyMs: srtLatency.default(200),
  passphrase: srtPassphrase.optional(),
  /** Serve the feeds over SRT to the displays (else only FLV). */
  egress: z.boolean().default(true),
  /** The feeds' expected bitrate (sets how often statistics are printed). */
  expectedKbps: z.number().int().min(50).max(50_000).default(2500),
  statsEveryMs: z.number().int().min(500).max(60_000).default(2000),
});
export type RelaySrtConfig = z.infer<typeof relaySrtSchema>;

export const relayConfigSchema = z.strictObject({
  /** Address the listeners bind to. */
  bind: z.string().default('0.0.0.0'),
  rtmpPort: z.number().int().min(1).max(65_535).default(1935),
  httpPort: z.number().int().min(1).max(65_535).default(8000),
  /** WebRTC previews (WHEP) for the dashboard, muted; `null`: none. */
  whepPort: z.number().int().min(1).max(65_535).nullable().default(8889),
  /** The addresses the WHEP endpoint offers to browsers (ICE host candidates); all of this machine's by default. */
  whepHosts: z.array(z.string().min(1)).min(1).optional(),
  secret,
  /** Expiry given to URLs made by `relais media sign`. */
  urlTtlSeconds: z.number().int().min(30).max(7 * 24 * 3600).default(6 * 3600),
  /** node-media-server's small store (publish history); a temp dir by default. */
  dataDir: z.string().optional(),
  /** Period of the `relay/streams` snapshot even when nothing changed. */
  reportIntervalMs: z.number().int().min(200).max(600_000).default(2000),
  /** SRT ingest and egress beside RTMP; off without it. */
  srt: relaySrtSchema.optional(),
});
export type RelayConfig = z.infer<typeof relayConfigSchema>;

export const displayConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** HTTP-FLV base of the relay: the stream of site S is `<relayHttp>/live/S.flv`. */
  relayHttp: z
    .string()
    .regex(/^(https?|wss?):\/\/[^\s/]+(?::\d+)?\/?$/, { error: () => t('config.media.relayHttp') })
    .default('http://127.0.0.1:8000'),
  /**
   * Play the feeds over SRT from the relay's hub instead of HTTP-FLV: the
   * relay's host and the same port plan as `relay.srt`. The player must read
   * SRT (ffplay and mpv built with libsrt do).
   */
  srt: z
    .strictObject({
      host: z.string().min(1),
      sites: z.array(z.string()).min(1).max(64),
      egressPort: z.number().int().min(1).max(65_000).default(9100),
      latencyMs: srtLatency.default(200),
      passphrase: srtPassphrase.optional(),
      /**
       * The sites whose boxes serve their feed directly (`encoder.direct` on that box):
       * site -> the box's host. The display plays those from the box, the others from the relay.
       */
      direct: z.record(siteSlug, z.string().min(1)).optional(),
    })
    .superRefine((srt, ctx) => {
      for (const site of Object.keys(srt.direct ?? {})) {
        if (!srt.sites.includes(site)) ctx.addIssue({ code: 'custom', path: ['direct', site], message: t('config.media.directUnknownSite', { site, sites: srt.sites.join(', ') }) });
      }
    })
    .optional(),
  /**
   * `switcher`: one ffmpeg decodes the on-air and the next sites' feeds and
   * switches between them on the floor (no black frame; needs `srt`);
   * `player`: one player process per picture. `auto`: the switcher with `srt`
   * and at least two other sites, else the player.
   */
  mode: z.enum(['auto', 'switcher', 'player']).default('auto'),
  switcher: z
    .strictObject({
      /**
       * The player that shows the switcher's output: it reads raw NUT (picture and sound) on stdin.
       * No analysis: NUT's header names every stream, and with ffplay's default probe (5 MB) the
       * first picture of a 320x180 slate showed 2.5 s after the start instead of 0.35 s.
       */
      sink: z.array(z.string()).min(1).default(['ffplay', '-hide_banner', '-loglevel', 'error', '-fs', '-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0', '-f', 'nut', 'pipe:0']),
      /**
       * The output's nominal rate, and the slate's pictures a second while it is on screen. A feed
       * on screen goes out at its own rate, each picture once and at once (switch-plan.ts,
       * newPictures): no picture is held for a steady rate.
       */
      fps: z.number().int().min(5).max(60).default(30),
      /** Decode every other site up to this many; beyond, the on-air and next sites (and the queue) up to this many. */
      maxFeeds: z.number().int().min(1).max(8).default(3),
      /** A feed silent this long is dead: the others go on without it. */
      readTimeoutMs: z.number().int().min(200).max(30_000).default(1000),
      /** First probe of a dead feed after this; doubles up to 30 s. */
      retryMs: z.number().int().min(100).max(60_000).default(2000),
      /** ffmpeg binary (also `RELAIS_FFMPEG`). */
      ffmpeg: z.string().min(1).optional(),
      /**
       * How a switch reaches ffmpeg. `auto`: over ZeroMQ (its `zmq` and `azmq` filters, at the next
       * frame) when ffmpeg has them and the binding loads, else on stdin (read every 100 ms).
       */
      control: z.enum(['auto', 'stdin']).default('auto'),
      /**
       * `frames`: each feed decoded by its own ffmpeg and the switch made between whole pictures,
       * which no feed waits on (frame-switcher.ts). `graph`: one ffmpeg decodes every feed and its
       * graph switches (`streamselect`, which waits for every input's next picture; `control`
       * applies to it alone).
       */
      engine: z.enum(['frames', 'graph']).default('frames'),
    })
    .prefault({}),
  /**
   * Player argv; `{url}` is replaced by the stream URL. The probe is bounded as
   * the switcher's is (500 kB, 1 s): left at the defaults (5 MB, 5 s), a player
   * joining a feed mid-stream shows its first picture seconds late at every
   * floor change.
   */
  player: z.array(z.string()).min(1).default(['ffplay', '-hide_banner', '-loglevel', 'error', '-fs', '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '500000', '-analyzeduration', '1000000', '-framedrop', '{url}']),
  /** Slate argv; `{slate}` is replaced by an ffmpeg lavfi graph drawing the slate. */
  slate: z.array(z.string()).min(1).default(['ffplay', '-hide_banner', '-loglevel', 'error', '-fs', '-f', 'lavfi', '{slate}']),
  /** Size of the slate picture. */
  slateSize: size.default('1280x720'),
  /** Title of the event shown on the slate (defaults to the event id). */
  title: z.string().max(120).optional(),
  /** Player gone while still wanted: respawn after this delay (grows to 5 s). */
  respawnMs: z.number().int().min(50).max(60_000).default(500),
});
export type DisplayConfig = z.infer<typeof displayConfigSchema>;

/** One line per problem: `encoder.output.secret: must be ... (got ...)`. */
export class MediaConfigError extends UserError {
  override name = 'MediaConfigError';
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(`${t('config.media.invalid', { where })}\n  ${problems.join('\n  ')}`);
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    return `${path}${t('punct.colon')}${issue.message}`;
  });
  throw new MediaConfigError(where, problems);
}

/** Parses the `encoder` section; `where` prefixes the path in error messages. */
export function parseEncoderConfig(value: unknown, where = 'encoder'): EncoderConfig {
  return parseWith(encoderConfigSchema, value, where);
}

export function parseRelayConfig(value: unknown, where = 'relay'): RelayConfig {
  return parseWith(relayConfigSchema, value, where);
}

export function parseDisplayConfig(value: unknown, where = 'display'): DisplayConfig {
  return parseWith(displayConfigSchema, value, where);
}

/** `"1280x720"` -> `{ width: 1280, height: 720 }`. */
export function parseSize(value: string): { width: number; height: number } {
  const [w, h] = value.split('x').map(Number);
  return { width: w ?? 0, height: h ?? 0 };
}
