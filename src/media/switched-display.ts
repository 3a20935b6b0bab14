/**
 * The room display that switches without a black frame: one ffmpeg
 * (room-switcher.ts) decodes the on-air site's feed and the next one (every
 * other site in a small event) and a floor change is a switch command; a new
 * process is planned only when a site it does not decode comes on air, or
 * while the slate is on screen (switch-plan.ts). A feed that stops sending
 * ends its read (the SRT read timeout; ffmpeg names it) and the graph holds
 * its last picture: the process goes on with the others, the feed is reported
 * lost and never put on screen, and after a growing delay it is wanted again
 * (the next re-plan tries it). A lost feed with no process holding it is
 * probed. Reports what is on screen and which feeds are ready to switch to.
 */
import { EventEmitter } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nextRetryDelay } from '../hardware/reconnect.js';
import { t, type Translator } from '../i18n/index.js';
import type { Floor } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import { SLATE_LINES, slateGraph, type DisplayState } from './display.js';
import { FrameSwitcher } from './frame-switcher.js';
import { RoomSwitcher, type RoomSwitcherExit, type SwitchProcess } from './room-switcher.js';
import { watchFirstFrame, type FirstFrameWatch } from './ffmpeg.js';
import { redactSign } from './sign.js';
import { needsReplan, roomSwitcherArgs, screenFor, screenInput, wantedFeeds, withReadTimeout, type FeedChoice, type Screen } from './switch-plan.js';
import { SWITCHER_INPUT } from './switcher.js';
import { controlEndpoints } from './switch-control.js';

export interface SwitchedDisplayOptions {
  viewer: string;
  /** Every site, in the port plan's order. */
  sites: readonly string[];
  urlOf: (site: string) => string;
  title: string;
  /** The slate's words (the box's language). */
  words: Translator;
  size: { width: number; height: number };
  fontFile: string | null;
  ffmpeg: string;
  sink: readonly string[];
  maxFeeds: number;
  /** Pictures per second to the player. */
  fps: number;
  /** A feed silent this long ends its read (and the process). */
  readTimeoutMs: number;
  /** First delay before probing a lost feed again; doubles up to 30 s. */
  retryMs: number;
  /** First delay before a process that died for no named reason is started again; doubles up to 5 s. */
  respawnMs: number;
  /** Where the slate's text files (and the switch control's sockets) are written. */
  dir: string;
  /**
   * `frames` (the default): each feed decoded by its own ffmpeg, the switch made between whole
   * pictures (frame-switcher.ts); `graph`: one ffmpeg whose graph switches (room-switcher.ts).
   */
  engine?: 'frames' | 'graph';
  /** The graph's switches over ZeroMQ (switch-control.ts; the caller has checked controlAvailable), else on stdin. */
  zmqControl?: boolean;
  log: Logger;
}

export interface SwitchedDisplayState extends DisplayState {
  /** The feeds the running process decodes. */
  feeds: string[];
  /** Those it is decoding now (its picture moves): a switch to one of them is immediate. */
  ready: string[];
  /** Feeds that died and have not answered since. */
  lost: string[];
}

export interface SwitchedDisplayEvents {
  state: [state: SwitchedDisplayState];
  /** A process ended while still wanted. */
  exit: [info: RoomSwitcherExit];
}

/** Longest wait for a new process's first frame before it is replaced. */
const START_TIMEOUT_MS = 20_000;
const MAX_RETRY_MS = 30_000;

export class SwitchedDisplay extends EventEmitter<SwitchedDisplayEvents> {
  private floor: Floor | null = null;
  private proc: SwitchProcess | null = null;
  private feeds: string[] | null = null;
  /** Feeds of the running process whose read ended: it goes on, holding their last picture. */
  private dead = new Set<string>();
  /** A feed that died again after being wanted back waits longer before the next try. */
  private readonly retryDelay = new Map<string, number>();
  private screen: Screen | null = null;
  /** Input shown by the running process. */
  private shown = 0;
  private ready = false;
  private startedAt = 0;
  private lastFrameAt = 0;
  private since = new Date();
  private readonly lost = new Map<string, { delayMs: number; timer: NodeJS.Timeout | null; probe: FirstFrameWatch | null }>();
  private readonly dying = new Set<Promise<void>>();
  private respawnTimer: NodeJS.Timeout | null = null;
  private respawnDelay: number;
  private watchdog: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastReport = '';
  private readonly textFiles: string[];
  /** Processes started so far: each one's control sockets have their own names. */
  private processes = 0;

  constructor(private readonly o: SwitchedDisplayOptions) {
    super();
    this.respawnDelay = o.respawnMs;
    this.textFiles = Array.from({ length: SLATE_LINES }, (_, i) => join(o.dir, `slate-${i}.txt`));
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts on `floor` (null: none known yet). */
  start(floor: Floor | null): void {
    this.floor = floor;
    this.watchdog = setInterval(() => this.check(), Math.max(50, Math.floor(this.o.readTimeoutMs / 4)));
    this.apply();
  }

  show(floor: Floor | null): void {
    this.floor = floor;
    this.apply();
  }

  state(): SwitchedDisplayState {
    const s = this.screen;
    const site = s?.kind === 'feed' ? s.site : null;
    return {
      playing: site,
      url: site ? redactSign(this.o.urlOf(site)) : null,
      slate: s?.kind === 'slate' ? s.reason : null,
      since: this.since.toISOString(),
      pid: this.proc?.pid ?? null,
      feeds: this.live(),
      // Feed by feed where the process knows it (the frames engine); else the whole graph's picture.
      ready: this.ready ? this.live().filter((site) => this.proc?.moving?.(site) ?? true) : [],
      lost: [...this.lost.keys()],
    };
  }

  /** The running process's feeds that still send. */
  private live(): string[] {
    return (this.feeds ?? []).filter((s) => !this.dead.has(s));
  }

  /** The running process's feeds, a dead one blanked so that it is never put on screen (input numbers kept). */
  private selectable(): string[] {
    return (this.feeds ?? []).map((s) => (this.dead.has(s) ? '' : s));
  }

  private choice(): FeedChoice {
    return { viewer: this.o.viewer, sites: this.o.sites, maxFeeds: this.o.maxFeeds, lost: new Set(this.lost.keys()) };
  }

  private apply(): void {
    if (this.stopped) return;
    if (!this.respawnTimer && needsReplan(this.proc ? this.live() : null, this.floor, this.choice())) this.replan();
    const screen = screenFor(this.floor, this.o.viewer, this.selectable(), this.o.title, this.o.words);
    if (screen.kind === 'slate') this.writeSlate(screen.lines);
    const input = screenInput(screen);
    if (!this.screen || screenInput(this.screen) !== input) this.since = new Date();
    this.screen = screen;
    if (this.ready && input !== this.shown && this.proc?.select(input)) this.shown = input;
    this.report();
  }

  private replan(): void {
    const old = this.proc;
    if (old) this.retire(old);
    const feeds = wantedFeeds(this.floor, this.choice());
    const urls = feeds.map((site) => withReadTimeout(this.o.urlOf(site), this.o.readTimeoutMs));
    const screen = screenFor(this.floor, this.o.viewer, feeds, this.o.title, this.o.words);
    if (screen.kind === 'slate') this.writeSlate(screen.lines);
    else this.writeSlate([]);
    const initial = screenInput(screen);
    const proc = this.switchProcess(feeds, urls, initial);
    this.proc = proc;
    this.feeds = feeds;
    this.dead = new Set();
    this.shown = initial;
    this.ready = false;
    this.startedAt = performance.now();
    proc.on('frames', () => {
      if (this.proc !== proc) return;
      this.lastFrameAt = performance.now();
      if (this.ready) return;
      this.ready = true;
      this.respawnDelay = this.o.respawnMs;
      const want = this.screen ? screenInput(this.screen) : this.shown;
      if (want !== this.shown && proc.select(want)) this.shown = want;
      this.report();
    });
    proc.on('failed', (url) => {
      const site = feeds[urls.indexOf(url)];
      if (this.proc !== proc || !site || this.dead.has(site)) return;
      this.o.log.warn(t('logs.displayFeedLost'), { site });
      this.dead.add(site);
      this.markLost(site);
      this.apply();
    });
    proc.on('exit', (info) => this.ended(proc, info, feeds, urls));
    proc.start();
    this.o.log.info('display: decoding the feeds', { feeds: feeds.join(', ') || '-', pid: proc.pid });
  }

  private switchProcess(feeds: string[], urls: string[], initial: number): SwitchProcess {
    const slate = slateGraph([], this.o.size, this.o.fontFile, { textFiles: this.textFiles, rate: 10 });
    const sources = feeds.map((site, i) => ({ site, url: urls[i]! }));
    if ((this.o.engine ?? 'frames') === 'frames') {
      return new FrameSwitcher({ ffmpeg: this.o.ffmpeg, sink: this.o.sink, size: this.o.size, fps: this.o.fps, slate, feeds: sources, initial });
    }
    this.processes += 1;
    const control = this.o.zmqControl ? controlEndpoints(this.o.dir, this.processes) : null;
    const args = roomSwitcherArgs({ feeds: sources, slate, size: this.o.size, fps: this.o.fps, initial, inputOptions: SWITCHER_INPUT, wallOrigin: Date.now() / 1000, control });
    return new RoomSwitcher({ ffmpeg: this.o.ffmpeg, args, sink: this.o.sink, urls, control });
  }

  private ended(proc: SwitchProcess, info: RoomSwitcherExit, feeds: string[], urls: string[]): void {
    if (this.proc !== proc || this.stopped) return;
    this.proc = null;
    this.ready = false;
    const failed = info.failed.map((url) => feeds[urls.indexOf(url)]).filter((s): s is string => Boolean(s));
    this.o.log.warn(t('logs.displayProcessEnded'), { code: info.code, signal: info.signal, lost: failed.join(', ') || undefined });
    this.emit('exit', info);
    for (const site of failed) this.markLost(site);
    if (failed.length > 0) {
      // The others go on at once, without the dead feed.
      this.apply();
      return;
    }
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      this.apply();
    }, this.respawnDelay);
    this.respawnDelay = nextRetryDelay(this.respawnDelay, 5000);
    this.report();
  }

  /** A picture that stopped moving is not ready; one that never starts, or stays frozen past the read timeout, is replaced. */
  private check(): void {
    const proc = this.proc;
    if (!proc || this.stopped) return;
    const now = performance.now();
    if (this.ready && now - this.lastFrameAt > Math.max(1000, this.o.readTimeoutMs)) {
      this.ready = false;
      this.report();
    }
    const frozen = this.lastFrameAt > this.startedAt && now - this.lastFrameAt > 3 * this.o.readTimeoutMs + 2000;
    if (frozen || (this.lastFrameAt < this.startedAt && now - this.startedAt > START_TIMEOUT_MS)) {
      this.o.log.warn(frozen ? 'display picture frozen; starting the process again' : 'display process shows no picture; starting it again');
      void proc.stop();
    }
    // A feed that starts or stops moving (the frames engine's `ready`, feed by feed) is told.
    this.report();
  }

  private markLost(site: string): void {
    if (this.lost.has(site)) return;
    this.lost.set(site, { delayMs: this.retryDelay.get(site) ?? this.o.retryMs, timer: null, probe: null });
    this.scheduleProbe(site);
  }

  private scheduleProbe(site: string): void {
    const entry = this.lost.get(site);
    if (!entry || this.stopped) return;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.dead.has(site)) {
        // The running process still holds its connection (a relay's egress takes one caller): no probe
        // can get in. It is wanted again instead: the next re-plan (on air, or the slate) tries it.
        this.lost.delete(site);
        this.retryDelay.set(site, nextRetryDelay(entry.delayMs, MAX_RETRY_MS));
        this.report();
        this.apply();
        return;
      }
      const url = withReadTimeout(this.o.urlOf(site), this.o.readTimeoutMs);
      const probe = watchFirstFrame(this.o.ffmpeg, url, 10_000);
      entry.probe = probe;
      void probe.result.then((ms) => {
        entry.probe = null;
        if (this.stopped || this.lost.get(site) !== entry) return;
        if (ms !== null) {
          this.lost.delete(site);
          this.retryDelay.delete(site);
          this.o.log.info('display: a lost feed answers again', { site });
          this.apply();
          return;
        }
        entry.delayMs = nextRetryDelay(entry.delayMs, MAX_RETRY_MS);
        this.scheduleProbe(site);
      });
    }, entry.delayMs);
  }

  private writeSlate(lines: readonly string[]): void {
    this.textFiles.forEach((file, i) => {
      // A space, not nothing: drawtext refuses an empty file. Renamed into place: always whole.
      writeFileSync(`${file}.new`, (lines[i] ?? '').slice(0, 80) || ' ');
      renameSync(`${file}.new`, file);
    });
  }

  private report(): void {
    const state = this.state();
    const key = JSON.stringify({ ...state, pid: null });
    if (key === this.lastReport) return;
    this.lastReport = key;
    this.emit('state', state);
  }

  private retire(proc: SwitchProcess): void {
    const gone = proc.stop();
    this.dying.add(gone);
    void gone.then(() => this.dying.delete(gone));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    for (const entry of this.lost.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.probe?.stop();
    }
    const proc = this.proc;
    this.proc = null;
    if (proc) this.retire(proc);
    await Promise.all([...this.dying]);
  }
}
