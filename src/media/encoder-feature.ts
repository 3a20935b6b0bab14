/**
 * Appliance feature: the room feed. Chooses the encoder (config or trial
 * encode), runs it under the supervisor and reports its live figures as the
 * `encoder` part of the site's state.
 *
 * Run-time fallback: a hardware encoder can pass the trial at start (or come
 * from a cache written elsewhere) and still fail later (device busy, gone
 * after a driver update). After {@link FALLBACK_AFTER} starts in a row that
 * never went live, the encoder is tried alone (a trial encode to nowhere, no
 * network): if it still encodes, the failures come from elsewhere (the relay,
 * the link) and nothing changes; if not, the cached probe is forgotten and the
 * feed moves to the next encoder that passes a trial, libx264 last.
 */
import type { Feature, FeatureContext } from '../appliance/feature.js';
import type { EncoderPart } from '../protocol/site-state.js';
import { parseEncoderConfig, type EncoderConfig, type EncoderName } from './config.js';
import type { LinkStats } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';
import { ENCODER_NAMES } from './config.js';
import { DEFAULT_BITRATE_POLICY, nextBitrate, type BitrateState } from './bitrate.js';
import { createFeed } from './feed.js';
import { SrtDirect } from './srt-direct.js';
import { createSrtUplink, srtOutputSettings } from './srt-uplink.js';
import { ffmpegBinary } from './ffmpeg.js';
import { chooseEncoder, defaultProbeCache, forgetProbe, trialEncode } from './probe.js';
import type { EncoderSupervisor } from './supervisor.js';

/** Starts in a row that end before the first frame, before the encoder itself is put to a trial. */
export const FALLBACK_AFTER = 3;

/** What `state.encoder` carries (the protocol's encoder part). */
export type EncoderReport = EncoderPart;

/** The report of a feed that is not running: disabled in the config, or one that could not start. */
export function idleEncoderReport(state: 'disabled' | 'failed', error: string | null = null): EncoderReport {
  return { state, encoder: null, fps: 0, bitrateKbps: null, speed: null, frames: 0, dropFrames: 0, dupFrames: 0, restarts: 0, liveSince: null, lastExit: null, choice: null, error };
}

export class EncoderFeature implements Feature {
  readonly name = 'encoder';
  private readonly config: EncoderConfig;
  private feed: EncoderSupervisor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private choice: string | null = null;
  private uplink: EncoderSupervisor | null = null;
  private direct: SrtDirect | null = null;
  private readonly directLinks = new Map<string, LinkStats>();
  private bitrate: BitrateState = { kbps: 0, goodStreak: 0 };
  private log: Logger | null = null;
  private ctx: FeatureContext | null = null;
  /** Between start and stop: a fallback may start a new feed. */
  private running = false;
  private binary = '';
  private target: string | undefined;
  /** Starts since the feed was last live that ended without a frame. */
  private failedStarts = 0;
  /** The current process reached its first frame. */
  private wentLive = false;
  /** A trial of the failing encoder under way (stop waits for it). */
  private checking: Promise<void> | null = null;
  private fallback: NonNullable<EncoderReport['fallback']> | null = null;

  /** `config` is the raw `encoder:` section (parsed here). */
  constructor(config: unknown) {
    this.config = parseEncoderConfig(config);
  }

  async start(ctx: FeatureContext): Promise<void> {
    if (!this.config.enabled) {
      ctx.reportState('encoder', idleEncoderReport('disabled'));
      return;
    }
    const log = ctx.log.child('encoder');
    const binary = ffmpegBinary(this.config.ffmpeg);
    let encoder: EncoderName;
    try {
      if (this.config.encoder === 'auto') {
        const probe = await chooseEncoder({ binary, cacheFile: this.config.probeCache, vaapiDevice: this.config.vaapiDevice, log });
        encoder = probe.encoder;
        this.choice = probe.cached ? 'probe (cached)' : 'probe';
        log.info('encoder chosen', { encoder, by: this.choice, ffmpeg: probe.version });
      } else {
        encoder = this.config.encoder;
        this.choice = 'configured';
      }
    } catch (err) {
      // No encoder: the rest of the box (lamps, buttons) keeps working.
      const message = (err as Error).message;
      log.error(t('logs.feedNotStarted'), { error: message });
      ctx.reportState('encoder', idleEncoderReport('failed', message));
      return;
    }
    const out = this.config.output;
    const kbps = this.config.bitrateKbps + this.config.audioBitrateKbps;
    const direct = this.config.direct && out.kind === 'srt' ? this.config.direct : null;
    // Serving the feed directly, the encoder writes to the fan and srt-live-transmit holds the uplink.
    const uplink = out.kind === 'srt' && (out.uplink === 'srt-live-transmit' || direct)
      ? await createSrtUplink(out, kbps, log, (stats) => this.onLink(ctx, stats))
      : null;
    if (direct && uplink && out.kind === 'srt') {
      try {
        this.direct = new SrtDirect({ site: ctx.site, ...direct, ...srtOutputSettings(out), expectedKbps: kbps, alsoTo: [uplink.localPort], log, onStats: (stats) => this.onDirectLink(ctx, stats) });
      } catch (err) {
        const message = (err as Error).message;
        log.error(t('logs.feedNotStarted'), { error: message });
        ctx.reportState('encoder', idleEncoderReport('failed', message));
        return;
      }
    }
    this.uplink = uplink?.supervisor ?? null;
    this.bitrate = { kbps: this.config.bitrateKbps, goodStreak: 0 };
    this.ctx = ctx;
    this.running = true;
    this.log = log;
    this.binary = binary;
    await this.direct?.start();
    this.target = this.direct?.encoderTarget ?? uplink?.encoderTarget;
    await this.uplink?.start();
    this.timer = setInterval(() => this.reportNow(), this.config.reportIntervalMs);
    await this.runFeed(encoder);
  }

  /** Starts the feed's supervisor with `encoder`, watching its failed starts. */
  private async runFeed(encoder: EncoderName): Promise<void> {
    const log = this.log!;
    const feed = createFeed({ config: this.config, site: this.ctx!.site, encoder, binary: this.binary, log, target: this.target, bitrateKbps: () => this.bitrate.kbps });
    this.feed = feed;
    this.failedStarts = 0;
    feed.on('state', (state) => {
      if (state === 'starting') this.wentLive = false;
      if (state === 'live') {
        this.wentLive = true;
        this.failedStarts = 0;
      }
      this.reportNow();
    });
    feed.on('crash', () => {
      if (feed !== this.feed || this.wentLive) return;
      this.failedStarts += 1;
      if (this.failedStarts < FALLBACK_AFTER || this.checking) return;
      this.checking = this.checkEncoder(feed, encoder).finally(() => (this.checking = null));
    });
    await feed.start();
  }

  private reportNow(): void {
    const report = this.report();
    if (report) this.ctx?.reportState('encoder', report);
  }

  /** The feed's encoder failed {@link FALLBACK_AFTER} starts in a row: is it the encoder? */
  private async checkEncoder(feed: EncoderSupervisor, encoder: EncoderName): Promise<void> {
    const log = this.log!;
    const trial = await trialEncode(this.binary, encoder, 10_000, this.config.vaapiDevice);
    if (feed !== this.feed) return;
    if (trial.ok) {
      log.warn(t('box.encoderStillEncodes', { encoder }));
      this.failedStarts = 0;
      return;
    }
    const later = ENCODER_NAMES.slice(ENCODER_NAMES.indexOf(encoder) + 1);
    if (later.length === 0) return;
    const cacheFile = this.config.probeCache === undefined ? defaultProbeCache() : this.config.probeCache;
    if (cacheFile) await forgetProbe(this.binary, cacheFile, log).catch((err: Error) => log.warn(t('logs.probeForget'), { file: cacheFile, error: err.message }));
    let next: EncoderName;
    try {
      // Not cached: the next start of the box tries the hardware again.
      next = (await chooseEncoder({ binary: this.binary, cacheFile: null, candidates: later, vaapiDevice: this.config.vaapiDevice, log })).encoder;
    } catch (err) {
      log.error(t('box.encoderNoFallback', { from: encoder, reason: trial.reason, why: (err as Error).message }));
      return;
    }
    if (feed !== this.feed) return;
    log.error(t('box.encoderFallback', { from: encoder, to: next, reason: trial.reason }));
    this.fallback = { from: encoder, to: next, reason: trial.reason, at: new Date().toISOString() };
    this.choice = 'fallback';
    this.feed = null;
    await feed.stop();
    if (this.running) await this.runFeed(next);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.running = false;
    const feed = this.feed;
    this.feed = null;
    await feed?.stop();
    await this.checking;
    await this.uplink?.stop();
    this.uplink = null;
    await this.direct?.stop();
    this.direct = null;
    this.directLinks.clear();
  }

  /** One interval of a display's direct link: the newest of each display into the state. */
  private onDirectLink(ctx: FeatureContext, stats: LinkStats): void {
    this.directLinks.set(stats.peer, stats);
    ctx.reportState('directLinks', [...this.directLinks.values()]);
  }

  /** One interval of the uplink's statistics: into the state, and the bitrate follows the link when configured. */
  private onLink(ctx: FeatureContext, stats: LinkStats): void {
    ctx.reportState('link', stats);
    const bounds = this.config.adaptiveBitrate;
    if (!bounds || !this.feed) return;
    const next = nextBitrate(this.bitrate, stats, { ...DEFAULT_BITRATE_POLICY, ...bounds });
    this.bitrate = next.state;
    if (next.changeTo === null) return;
    this.log?.info('bitrate follows the link', { kbps: next.changeTo, why: next.why ?? undefined });
    // A new encoder at the new bitrate; the SRT connection to the relay stays up meanwhile.
    this.feed.replace();
  }

  report(): EncoderReport | null {
    if (!this.feed) return null;
    const { pid: _pid, ...figures } = this.feed.figures();
    return { ...figures, choice: this.choice, error: figures.state === 'failed' ? figures.lastExit : null, fallback: this.fallback };
  }
}

export function createEncoderFeature(config: unknown): Feature {
  return new EncoderFeature(config);
}
