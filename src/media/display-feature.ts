/**
 * Appliance feature: the room display follows the floor. Reports
 * `display: { playing, url, slate, since }` in the site's state, and with the
 * switcher also `mode`, `feeds`, `ready` and `lost` (docs/protocol.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, FeatureContext } from '../appliance/feature.js';
import { createTranslator, t, type Lang, type Translator } from '../i18n/index.js';
import type { Floor } from '../protocol/schemas.js';
import type { DisplayPart } from '../protocol/site-state.js';
import { findFont } from './command.js';
import { parseDisplayConfig, parseSize, type DisplayConfig } from './config.js';
import { DisplayPlayer, displayTarget, type DisplayState } from './display.js';
import { ffmpegBinary } from './ffmpeg.js';
import { redactSign } from './sign.js';
import { srtEgressPort, srtFfmpegUrl } from './srt.js';
import { SwitchedDisplay, type SwitchedDisplayState } from './switched-display.js';
import { controlAvailable } from './switch-control.js';

export interface DisplayFeatureOptions {
  /** Font for the slate; found automatically when left out, `null` for none. */
  fontFile?: string | null;
  /** The language of the slate's words (the site config's `lang`); French by default. */
  lang?: Lang;
}

export class DisplayFeature implements Feature {
  readonly name = 'display';
  private player: DisplayPlayer | null = null;
  private switched: SwitchedDisplay | null = null;
  private dir: string | null = null;
  private ctx: FeatureContext | null = null;
  private readonly config: DisplayConfig;
  private readonly words: Translator;
  private readonly onFloor = (floor: Floor): void => this.follow(floor);

  /** `config` is the raw `display:` section (parsed here) or an already parsed one. */
  constructor(
    config: unknown,
    private readonly options: DisplayFeatureOptions = {},
  ) {
    this.config = parseDisplayConfig(config);
    this.words = createTranslator(options.lang ?? 'fr');
  }

  async start(ctx: FeatureContext): Promise<void> {
    if (!this.config.enabled) return;
    this.ctx = ctx;
    let fontFile = this.options.fontFile;
    if (fontFile === undefined) {
      fontFile = findFont();
      if (!fontFile) ctx.log.warn(t('logs.noFontSlate'));
    }
    const log = ctx.log.child('display');
    const title = this.config.title ?? ctx.event;
    const srt = this.config.srt;
    if (srt && usesSwitcher(this.config, ctx.site)) {
      const source = displaySource(this.config, ctx.site);
      this.dir = await mkdtemp(join(tmpdir(), 'relais-display-'));
      const ffmpeg = ffmpegBinary(this.config.switcher.ffmpeg);
      const engine = this.config.switcher.engine;
      const noControl = engine === 'frames' || this.config.switcher.control === 'stdin' ? 'stdin' : await controlAvailable(ffmpeg);
      if (noControl === 'no-binding') log.warn(t('logs.switchControlNoBinding'));
      if (noControl === 'no-filters') log.warn(t('logs.switchControlNoFilters'));
      this.switched = new SwitchedDisplay({
        viewer: ctx.site,
        sites: srt.sites,
        urlOf: typeof source === 'string' ? () => source : source,
        title,
        words: this.words,
        size: parseSize(this.config.slateSize),
        fontFile,
        ffmpeg,
        sink: this.config.switcher.sink,
        maxFeeds: this.config.switcher.maxFeeds,
        fps: this.config.switcher.fps,
        readTimeoutMs: this.config.switcher.readTimeoutMs,
        retryMs: this.config.switcher.retryMs,
        respawnMs: this.config.respawnMs,
        dir: this.dir,
        engine,
        zmqControl: noControl === null,
        log,
      });
      this.switched.on('state', (state) => ctx.reportState('display', switchedPart(state)));
      ctx.bus.on('floor', this.onFloor);
      this.switched.start(ctx.floor());
      return;
    }
    this.player = new DisplayPlayer({
      player: this.config.player,
      slate: this.config.slate,
      slateSize: parseSize(this.config.slateSize),
      fontFile,
      respawnMs: this.config.respawnMs,
      log,
    });
    this.player.on('state', (state) => ctx.reportState('display', playerPart(state)));
    ctx.bus.on('floor', this.onFloor);
    this.follow(ctx.floor());
  }

  async stop(): Promise<void> {
    this.ctx?.bus.off('floor', this.onFloor);
    await this.player?.stop();
    await this.switched?.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.player = null;
    this.switched = null;
    this.dir = null;
    this.ctx = null;
  }

  private follow(floor: Floor | null): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (this.switched) return this.switched.show(floor);
    this.player?.show(displayTarget(floor, ctx.site, displaySource(this.config, ctx.site), this.config.title ?? ctx.event, this.words));
  }
}

function playerPart(state: DisplayState): DisplayPart {
  return { playing: state.playing, url: state.url === null ? null : redactSign(state.url), slate: state.slate, since: state.since, mode: 'player' };
}

function switchedPart(state: SwitchedDisplayState): DisplayPart {
  return { playing: state.playing, url: state.url, slate: state.slate, since: state.since, mode: 'switcher', feeds: state.feeds, ready: state.ready, lost: state.lost };
}

/** Whether the display of `viewer` runs the switcher: asked for, or `auto` with SRT feeds and at least two other sites. */
export function usesSwitcher(config: DisplayConfig, viewer: string): boolean {
  if (config.mode === 'player' || !config.srt) return false;
  if (config.mode === 'switcher') return true;
  return config.srt.sites.filter((s) => s !== viewer).length >= 2;
}

/**
 * Where the display of `viewer` takes a site's feed: over SRT when configured (from
 * that site's box when it serves its feed directly, else from the relay's hub), else HTTP-FLV.
 */
export function displaySource(config: DisplayConfig, viewer: string): string | ((site: string) => string) {
  const srt = config.srt;
  if (!srt) return config.relayHttp;
  const plan = { sites: srt.sites, ingestPort: 0, egressPort: srt.egressPort };
  return (feed) => srtFfmpegUrl({ host: srt.direct?.[feed] ?? srt.host, port: srtEgressPort(plan, feed, viewer), mode: 'caller', latencyMs: srt.latencyMs, passphrase: srt.passphrase });
}

/** The display feature of a site config's `display:` section. */
export function createDisplayFeature(config: unknown, options?: DisplayFeatureOptions): Feature {
  return new DisplayFeature(config, options);
}
