/**
 * The room display: what to show for a floor (pure), and a player process
 * that follows it (the edge). The display shows the on-air site's stream from
 * the relay, a slate (event title, who is next) when nobody is on air, and
 * never this site's own feed: "Vous êtes en ondes" ("You are on air") instead.
 * The slate's words come from the i18n catalogues (`slate.*`), in the box's `lang`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createTranslator, type Translator } from '../i18n/index.js';
import type { Floor } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import { drawtext, drawtextLiteral } from './command.js';
import { RELAY_APP } from './sign.js';
import { t } from '../i18n/index.js';

export type SlateReason = 'nobody-on-air' | 'self-on-air' | 'no-floor';

export type DisplayTarget =
  | { kind: 'stream'; site: string; url: string }
  | { kind: 'slate'; reason: SlateReason; lines: string[] };

/** HTTP-FLV (or WS-FLV) URL of a site's stream on the relay. */
export function streamUrl(relayHttp: string, site: string): string {
  return `${relayHttp.replace(/\/+$/, '')}/${RELAY_APP}/${site}.flv`;
}

/** The slate's words when no language is given: French. */
export const SLATE_WORDS_FR = createTranslator('fr');

/**
 * What the display of `site` shows for `floor`. `relay` is the relay's
 * HTTP-FLV base, or a function giving a site's stream URL (SRT: see display-feature.ts).
 */
export function displayTarget(floor: Floor | null, site: string, relay: string | ((site: string) => string), title: string, words: Translator = SLATE_WORDS_FR): DisplayTarget {
  const urlOf = typeof relay === 'string' ? (s: string): string => streamUrl(relay, s) : relay;
  if (!floor) return { kind: 'slate', reason: 'no-floor', lines: [title, words.t('slate.noFloor')] };
  if (floor.onAir === site) return { kind: 'slate', reason: 'self-on-air', lines: [title, words.t('slate.selfOnAir')] };
  if (floor.onAir) return { kind: 'stream', site: floor.onAir, url: urlOf(floor.onAir) };
  const lines = [title];
  if (floor.next) {
    const item = floor.nextItem;
    lines.push(floor.next === site ? words.t('slate.nextHere') : words.t('slate.next', { site: floor.next }));
    if (item) lines.push(item.speaker ? `${item.title} (${item.speaker})` : item.title);
  } else {
    lines.push(words.t('slate.waitingSpeaker'));
  }
  return { kind: 'slate', reason: 'nobody-on-air', lines };
}

/** Same picture on screen? (A new floor epoch with the same on-air site must not restart the player.) */
export function sameTarget(a: DisplayTarget | null, b: DisplayTarget): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'stream' && b.kind === 'stream') return a.url === b.url;
  if (a.kind === 'slate' && b.kind === 'slate') return a.reason === b.reason && a.lines.join('\n') === b.lines.join('\n');
  return false;
}

/** How many text lines a slate has at most. */
export const SLATE_LINES = 4;

/**
 * An ffmpeg lavfi graph drawing the slate: dark background, one text line
 * each. With `textFiles` (one per line) each line is read from its file at
 * every frame instead, so a running process can change the words.
 */
export function slateGraph(lines: string[], size: { width: number; height: number }, fontFile: string | null, o: { textFiles?: readonly string[]; rate?: number } = {}): string {
  const base = `color=c=0x18202b:size=${size.width}x${size.height}:rate=${o.rate ?? 5}`;
  if (!fontFile) return base;
  const big = Math.round(size.height / 12);
  const small = Math.round(size.height / 20);
  const count = o.textFiles ? Math.min(SLATE_LINES, o.textFiles.length) : Math.min(SLATE_LINES, lines.length);
  const filters = Array.from({ length: count }, (_, i) =>
    drawtext({
      fontFile,
      text: drawtextLiteral((lines[i] ?? '').slice(0, 80)),
      textFile: o.textFiles?.[i],
      size: i === 0 ? big : small,
      x: '(w-tw)/2',
      y: i === 0 ? 'h/3-th' : `h/2+${(i - 1) * Math.round(small * 1.8)}`,
    }),
  );
  return [base, ...filters].join(',');
}

/** Fills `{url}`, `{slate}`, `{site}` in a player command template. */
export function fillTemplate(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((arg) => arg.replace(/\{(url|slate|site)\}/g, (_m, key: string) => values[key] ?? ''));
}

export interface DisplayState {
  /** The site whose stream is on screen, or null for the slate. */
  playing: string | null;
  url: string | null;
  slate: SlateReason | null;
  /** ISO time the current picture started. */
  since: string;
  pid: number | null;
}

export interface DisplayPlayerEvents {
  state: [state: DisplayState];
  /** The player process ended while still wanted (the stream dropped, the relay restarted). */
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

export interface DisplayPlayerOptions {
  player: readonly string[];
  slate: readonly string[];
  slateSize: { width: number; height: number };
  fontFile: string | null;
  respawnMs: number;
  log: Logger;
  /** Grace between SIGTERM and SIGKILL for a replaced player. */
  killTimeoutMs?: number;
}

/** Runs one player process at a time and replaces it when the target changes. */
export class DisplayPlayer extends EventEmitter<DisplayPlayerEvents> {
  private target: DisplayTarget | null = null;
  private child: ChildProcess | null = null;
  private since = new Date();
  private respawnTimer: NodeJS.Timeout | null = null;
  private respawnDelay: number;
  private readonly dying = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly o: DisplayPlayerOptions) {
    super();
    this.respawnDelay = o.respawnMs;
  }

  state(): DisplayState {
    const t = this.target;
    return {
      playing: t?.kind === 'stream' ? t.site : null,
      url: t?.kind === 'stream' ? t.url : null,
      slate: t?.kind === 'slate' ? t.reason : null,
      since: this.since.toISOString(),
      pid: this.child?.pid ?? null,
    };
  }

  /** Shows `target`; does nothing if it is already on screen. */
  show(target: DisplayTarget): void {
    if (this.stopped || sameTarget(this.target, target)) return;
    this.target = target;
    this.since = new Date();
    this.respawnDelay = this.o.respawnMs;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    // Start the new picture first: the old one is killed alongside, not awaited.
    const old = this.child;
    this.spawnCurrent();
    if (old) this.kill(old);
    this.emit('state', this.state());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    if (this.child) this.kill(this.child);
    this.child = null;
    await Promise.all([...this.dying]);
  }

  private argv(): string[] {
    const t = this.target;
    if (!t) return [];
    if (t.kind === 'stream') return fillTemplate(this.o.player, { url: t.url, site: t.site });
    return fillTemplate(this.o.slate, { slate: slateGraph(t.lines, this.o.slateSize, this.o.fontFile), site: '' });
  }

  private spawnCurrent(): void {
    const [cmd, ...args] = this.argv();
    if (!cmd) return;
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let tail = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (tail = (tail + d).slice(-500)));
    child.on('error', (err) => this.o.log.error(t('logs.displayFailed'), { cmd, error: err.message }));
    child.on('close', (code, signal) => {
      if (this.child !== child) return; // replaced on purpose
      this.child = null;
      if (this.stopped) return;
      this.o.log.warn(t('logs.displayEnded'), { code, signal, stderr: tail.trim().split('\n').at(-1) });
      this.emit('exit', code, signal);
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = null;
        if (!this.stopped && !this.child) {
          this.spawnCurrent();
          this.emit('state', this.state());
        }
      }, this.respawnDelay);
      this.respawnDelay = Math.min(5000, this.respawnDelay * 2);
    });
    this.o.log.debug('display player started', { argv: [cmd, ...args].join(' ').slice(0, 300), pid: child.pid });
  }

  private kill(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.killTimeoutMs ?? 1000);
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.dying.add(gone);
    void gone.then(() => this.dying.delete(gone));
    child.kill('SIGTERM');
  }
}
