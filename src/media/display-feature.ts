/**
 * Appliance feature: the room display follows the floor. Reports
 * `display: { playing, url, slate, since }` in the site's state.
 */
import type { Feature, FeatureContext } from '../appliance/feature.js';
import type { Floor } from '../protocol/schemas.js';
import { findFont } from './command.js';
import { parseDisplayConfig, parseSize, type DisplayConfig } from './config.js';
import { DisplayPlayer, displayTarget } from './display.js';
import { redactSign } from './sign.js';
import { srtEgressPort, srtFfmpegUrl } from './srt.js';
import { t } from '../i18n/index.js';

export interface DisplayFeatureOptions {
  /** Font for the slate; found automatically when left out, `null` for none. */
  fontFile?: string | null;
}

export class DisplayFeature implements Feature {
  readonly name = 'display';
  private player: DisplayPlayer | null = null;
  private ctx: FeatureContext | null = null;
  private readonly config: DisplayConfig;
  private readonly onFloor = (floor: Floor): void => this.follow(floor);

  /** `config` is the raw `display:` section (parsed here) or an already parsed one. */
  constructor(
    config: unknown,
    private readonly options: DisplayFeatureOptions = {},
  ) {
    this.config = parseDisplayConfig(config);
  }

  async start(ctx: FeatureContext): Promise<void> {
    if (!this.config.enabled) return;
    this.ctx = ctx;
    let fontFile = this.options.fontFile;
    if (fontFile === undefined) {
      fontFile = findFont();
      if (!fontFile) ctx.log.warn(t('logs.noFontSlate'));
    }
    this.player = new DisplayPlayer({
      player: this.config.player,
      slate: this.config.slate,
      slateSize: parseSize(this.config.slateSize),
      fontFile,
      respawnMs: this.config.respawnMs,
      log: ctx.log.child('display'),
    });
    this.player.on('state', (state) => ctx.reportState('display', { playing: state.playing, url: state.url === null ? null : redactSign(state.url), slate: state.slate, since: state.since }));
    ctx.bus.on('floor', this.onFloor);
    this.follow(ctx.floor());
  }

  async stop(): Promise<void> {
    this.ctx?.bus.off('floor', this.onFloor);
    await this.player?.stop();
    this.player = null;
    this.ctx = null;
  }

  private follow(floor: Floor | null): void {
    const ctx = this.ctx;
    if (!ctx || !this.player) return;
    this.player.show(displayTarget(floor, ctx.site, displaySource(this.config, ctx.site), this.config.title ?? ctx.event));
  }
}

/** Where the display of `viewer` takes a site's feed: over SRT from the relay's hub when configured, else HTTP-FLV. */
export function displaySource(config: DisplayConfig, viewer: string): string | ((site: string) => string) {
  const srt = config.srt;
  if (!srt) return config.relayHttp;
  const plan = { sites: srt.sites, ingestPort: 0, egressPort: srt.egressPort };
  return (feed) => srtFfmpegUrl({ host: srt.host, port: srtEgressPort(plan, feed, viewer), mode: 'caller', latencyMs: srt.latencyMs, passphrase: srt.passphrase });
}

/** The display feature of a site config's `display:` section. */
export function createDisplayFeature(config: unknown, options?: DisplayFeatureOptions): Feature {
  return new DisplayFeature(config, options);
}
