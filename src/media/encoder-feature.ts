/**
 * Appliance feature: the room feed. Chooses the encoder (config or trial
 * encode), runs it under the supervisor and reports its live figures as the
 * `encoder` part of the site's state.
 */
import type { Feature, FeatureContext } from '../appliance/feature.js';
import type { EncoderPart } from '../protocol/site-state.js';
import { parseEncoderConfig, type EncoderConfig, type EncoderName } from './config.js';
import type { LinkStats } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import { DEFAULT_BITRATE_POLICY, nextBitrate, type BitrateState } from './bitrate.js';
import { createFeed } from './feed.js';
import { createSrtUplink } from './srt-uplink.js';
import { ffmpegBinary } from './ffmpeg.js';
import { chooseEncoder } from './probe.js';
import type { EncoderSupervisor } from './supervisor.js';
import { t } from '../i18n/index.js';

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
  private bitrate: BitrateState = { kbps: 0, goodStreak: 0 };
  private log: Logger | null = null;

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
    const uplink = out.kind === 'srt' && out.uplink === 'srt-live-transmit'
      ? await createSrtUplink(out, this.config.bitrateKbps + this.config.audioBitrateKbps, log, (stats) => this.onLink(ctx, stats))
      : null;
    this.uplink = uplink?.supervisor ?? null;
    this.bitrate = { kbps: this.config.bitrateKbps, goodStreak: 0 };
    const feed = createFeed({ config: this.config, site: ctx.site, encoder, binary, log, target: uplink?.encoderTarget, bitrateKbps: () => this.bitrate.kbps });
    this.feed = feed;
    this.log = log;
    await this.uplink?.start();
    const report = (): void => ctx.reportState('encoder', this.report());
    feed.on('state', report);
    this.timer = setInterval(report, this.config.reportIntervalMs);
    await feed.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.feed?.stop();
    this.feed = null;
    await this.uplink?.stop();
    this.uplink = null;
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
    return { ...figures, choice: this.choice, error: figures.state === 'failed' ? figures.lastExit : null };
  }
}

export function createEncoderFeature(config: unknown): Feature {
  return new EncoderFeature(config);
}
