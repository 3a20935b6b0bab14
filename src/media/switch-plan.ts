/**
 * The switching room display, the pure part: which feeds one ffmpeg decodes
 * for a floor (the on-air site and the next one, or every other site of a
 * small event), when that set must be replaced by a new process, what is on
 * screen, the ffmpeg argv (the slate as input 0, each feed scaled to the
 * screen's size, `streamselect` / `astreamselect` over all of them), and
 * which feed a dying ffmpeg named. No processes here (switched-display.ts).
 */
import type { Translator } from '../i18n/index.js';
import type { Floor } from '../protocol/schemas.js';
import { displayTarget, SLATE_WORDS_FR, type SlateReason } from './display.js';
import { controlFilter, type ControlEndpoints } from './switch-control.js';

export interface FeedChoice {
  /** The display's own site: its feed is never decoded. */
  viewer: string;
  /** Every site of the event, in the port plan's order. */
  sites: readonly string[];
  /** Decode every other site when there are at most this many; else the on-air and next sites first. */
  maxFeeds: number;
  /** Feeds that died and have not answered a probe since. */
  lost: ReadonlySet<string>;
}

/** The feeds to decode for `floor`, in the port plan's order (stable input numbers). */
export function wantedFeeds(floor: Floor | null, c: FeedChoice): string[] {
  const candidates = c.sites.filter((s) => s !== c.viewer && !c.lost.has(s));
  if (candidates.length <= c.maxFeeds) return candidates;
  const picked = new Set<string>();
  for (const site of [floor?.onAir, floor?.next, ...(floor?.queue ?? [])]) {
    if (picked.size >= c.maxFeeds) break;
    if (site && candidates.includes(site)) picked.add(site);
  }
  return candidates.filter((s) => picked.has(s));
}

/** Whether the site on air for the viewer is decoded by the running set. */
function onScreenFeed(floor: Floor | null, viewer: string, current: readonly string[]): string | null {
  const onAir = floor?.onAir ?? null;
  return onAir && onAir !== viewer && current.includes(onAir) ? onAir : null;
}

/**
 * Whether the running process (decoding `current`) must give way to a new
 * one for `floor`: a site it does not decode is on air, or the slate is on
 * screen (a restart then costs no picture) and a wanted feed is missing.
 * Otherwise a floor change is a switch command only.
 */
export function needsReplan(current: readonly string[] | null, floor: Floor | null, c: FeedChoice): boolean {
  if (current === null) return true;
  const onAir = floor?.onAir ?? null;
  if (onAir && onAir !== c.viewer && !c.lost.has(onAir) && !current.includes(onAir)) return true;
  if (onScreenFeed(floor, c.viewer, current)) return false;
  return wantedFeeds(floor, c).some((s) => !current.includes(s));
}

export type Screen =
  | { kind: 'feed'; site: string; input: number }
  | { kind: 'slate'; reason: SlateReason | null; lines: string[] };

/** What the switcher shows: input 0 is the slate, input i + 1 the feed `feeds[i]`. */
export function screenFor(floor: Floor | null, viewer: string, feeds: readonly string[], title: string, words: Translator = SLATE_WORDS_FR): Screen {
  const target = displayTarget(floor, viewer, () => '', title, words);
  if (target.kind === 'slate') return { kind: 'slate', reason: target.reason, lines: target.lines };
  const index = feeds.indexOf(target.site);
  if (index >= 0) return { kind: 'feed', site: target.site, input: index + 1 };
  // On air, but its feed is not decoded (it died, or its process is still starting).
  return { kind: 'slate', reason: null, lines: [title, words.t('slate.waitingFeed', { site: target.site })] };
}

export function screenInput(screen: Screen): number {
  return screen.kind === 'feed' ? screen.input : 0;
}

export interface RoomSwitcherPlan {
  feeds: ReadonlyArray<{ site: string; url: string }>;
  /** The slate's lavfi graph (slateGraph with text files). */
  slate: string;
  size: { width: number; height: number };
  /** Pictures per second out, whatever input is on screen. */
  fps: number;
  /** Input on screen at start (0: the slate). */
  initial: number;
  /** Options before each feed's `-i`: SWITCHER_INPUT, or at least its wall-clock stamps. */
  inputOptions: readonly string[];
  /** Seconds since 1970 (to the millisecond) that the output's time 0 stands for: when the process starts (see WALL). */
  wallOrigin: number;
  /** Where the `zmq` and `azmq` filters after the select filters take switch commands (switch-control.ts); without, stdin. */
  control?: ControlEndpoints | null;
}

/**
 * WALL: every input of the switcher on one clock, the wall clock at arrival.
 *
 * ffmpeg opens its inputs one after the other and starts each one's
 * timestamps at its own first packet; what a feed sends while the later ones
 * connect and are read waits in its SRT buffer, and `streamselect`, which
 * orders its inputs by timestamp, kept that feed's picture that far behind
 * for the whole run (half a second to a second and more: docs/benchmarks.md).
 * So each feed is stamped at arrival (`-use_wallclock_as_timestamps` in
 * SWITCHER_INPUT, with `-copyts`), its backlog then comes in as one burst of
 * late pictures that the output's `fps` drops, and the slate and its silence
 * are stamped with the same clock (`RTCTIME`). Arrival times jitter (a
 * picture's packets come together, a resent one later): each feed's times are
 * smoothed by a loop that predicts the next one from the last and moves a
 * fraction of the way to what came ({@link smoothedVideoPts}). Times out are
 * seconds since `wallOrigin` (the plan's), so the output starts near zero.
 */
const wall = (originS: number): string => `(RTCTIME/1000000-${originS})/TB`;
/** Fraction of the prediction error taken per picture or sound frame, and the rate's, per picture. */
const LOOP_GAIN = 0.05;
const RATE_GAIN = 0.001;
/** An error larger than this (s) starts again from the arrival time: a burst (the backlog), or a stall. */
const LOOP_RESYNC_S = 0.1;

/**
 * The pictures' times, smoothed: a second-order loop (the time and the
 * interval between pictures, which starts at 1 / `fps` and follows the
 * feed's own rate). State in setpts's registers: 0 the last time out, 4 the
 * interval. A resync takes the later of the arrival and the loop's last
 * time plus 1 ms. Register 7: the arrival, since `originS`. The time out is
 * the loop's own: clamping it to the wall clock (so that no feed's picture is
 * ahead of the slate's, which is drawn on demand) was tried and not kept
 * (docs/media.md, "One clock for every feed").
 */
export function smoothedVideoPts(fps: number, originS: number): string {
  const expr = [
    `st(7,T-${originS})`,
    'st(5,eq(N,0))',
    `st(4,if(ld(5),${1 / fps},ld(4)))`,
    'st(1,ld(0)+ld(4))',
    'st(2,ld(7)-ld(1))',
    `st(6,ld(5)+gt(abs(ld(2)),${LOOP_RESYNC_S}))`,
    `st(0,if(ld(6),if(ld(5),ld(7),max(ld(7),ld(0)+0.001)),ld(1)+${LOOP_GAIN}*ld(2)))`,
    `st(4,clip(if(ld(6),ld(4),ld(4)+${RATE_GAIN}*ld(2)),0.008,0.2))`,
    'ld(0)/TB',
  ].join(';');
  return `setpts='${expr}'`;
}

/** The sound's times, smoothed the same way; a frame's length is known (its samples), so the loop has one order. */
export function smoothedAudioPts(originS: number): string {
  const expr = [
    `st(7,T-${originS})`,
    'st(5,eq(N,0))',
    'st(1,ld(0)+ld(3))',
    'st(2,ld(7)-ld(1))',
    `st(0,if(ld(5)+gt(abs(ld(2)),${LOOP_RESYNC_S}),if(ld(5),ld(7),max(ld(7),ld(0)+0.0001)),ld(1)+${LOOP_GAIN}*ld(2)))`,
    'st(3,NB_SAMPLES/SR)',
    'ld(0)/TB',
  ].join(';');
  return `asetpts='${expr}'`;
}

/**
 * The pictures out of `streamselect`, each new one as soon as it comes: none
 * held back, no repeat. `streamselect` gives a picture at every picture of
 * any of its inputs (the on-air one's current picture again, at that input's
 * time), so three inputs give it out three times. ffmpeg's `fps` made that one
 * steady rate, but it holds every picture until the next one has come (to
 * choose the nearer): one picture's time (33 ms at 30 fps) on every picture
 * shown, and at every switch (docs/benchmarks.md, "The picture held by fps").
 * This keeps a feed's picture when it is a new one (its packet's position in
 * the feed, `pos`, is not the last picture's; a copy keeps its position) and
 * the slate's (drawn, no position) at most `fps` times a second. A picture
 * held (a feed that ended, whose `tpad` repeats its last one) goes out again
 * every HELD_PICTURE_S of its times: the output goes on, and at the end
 * ffmpeg's graph gives a picture out instead of pulling repeats for ever.
 * Registers: 0 the last picture's position, 1 its time.
 */
const HELD_PICTURE_S = 0.25;

/**
 * A feed's pictures that came within BURST_S of the one before it are
 * dropped before the loop: a backlog (what a feed sent while ffmpeg opened
 * the others) is read at once, and its pictures would otherwise go out a
 * millisecond apart, too close for any screen to show. Pictures of a feed at
 * up to 60 a second come 16 ms apart or more. Register 0: the last kept
 * picture's arrival.
 */
const BURST_S = 0.004;
export function burstDropped(): string {
  return `select='st(1,gte(t-ld(0),${BURST_S})+eq(n,0));if(ld(1),st(0,t));ld(1)'`;
}
export function newPictures(fps: number): string {
  const sinceLast = `t-ld(1)`;
  const keep = `if(isnan(pos),gte(${sinceLast},${(0.9 / fps).toFixed(4)}),not(eq(pos,ld(0)))+gte(${sinceLast},${HELD_PICTURE_S}))`;
  return `select='st(2,${keep});if(ld(2),st(0,pos)+st(1,t));ld(2)'`;
}

/**
 * The switcher's picture out: each picture at its own time (no rate
 * conversion: newPictures has chosen them), in 1/90000 s; the output's
 * nominal rate is `fps`, whose own steps would round two pictures to one time.
 */
export function switcherPictureOut(fps: number): string[] {
  return ['-fps_mode:v', 'passthrough', '-enc_time_base:v', '1:90000', '-r', String(fps)];
}

/** A feed's picture scaled into the screen, its aspect kept, padded to fill it, in yuv420p. */
export function fitToScreen({ width: w, height: h }: { width: number; height: number }): string {
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`;
}

/**
 * One thread for the raw encoders: ffmpeg's rawvideo encoder runs in frame
 * threads by default, and holds each picture until the next one comes (one
 * picture's time behind, 33 ms at 30 a second; 100 ms at 10, measured).
 */
export const RAW_OUT_THREADS = ['-threads', '1'];
/** Seconds between ffmpeg's progress blocks: how soon a stalled picture is seen. */
export const PROGRESS_PERIOD_S = 0.25;

/**
 * The argv (without the binary) of a switching display. Its picture and
 * sound go raw in NUT on stdout (the sink player's stdin); its progress (the
 * output's frame count) on fd 3. The slate is drawn inside the graph, so it
 * is made as fast as the feeds are read; with no feed it is a paced input.
 */
export function roomSwitcherArgs(plan: RoomSwitcherPlan): string[] {
  const { width: w, height: h } = plan.size;
  const n = plan.feeds.length;
  if (plan.initial < 0 || plan.initial > n) throw new Error(`input ${plan.initial} is not one of the ${n + 1} inputs (the slate and ${n} feeds)`);
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats'];
  const chains: string[] = [];
  if (n === 0) {
    args.push('-re', '-f', 'lavfi', '-i', `${plan.slate}[out0];anullsrc=r=48000:cl=stereo[out1]`);
    chains.push(`[0:v]format=yuv420p,setsar=1,fps=${plan.fps}[v]`, '[0:a]anull[a]');
  } else {
    // The feeds' own times are kept (their arrival, SWITCHER_INPUT): see WALL.
    args.push('-copyts');
    for (const feed of plan.feeds) args.push(...plan.inputOptions, '-i', feed.url);
    const origin = Math.round(plan.wallOrigin * 1000) / 1000;
    // In microseconds first: the slate's own time base is its rate's (1/10 s), and a coarse time base
    // rounds many pictures to one time, which streamselect then pulls again and again.
    chains.push(`${plan.slate},format=yuv420p,setsar=1,settb=AVTB,setpts=${wall(origin)}[v0]`, `anullsrc=r=48000:cl=stereo,asetpts=${wall(origin)}[a0]`);
    plan.feeds.forEach((_, i) => {
      // A feed whose read ends (its SRT read timeout) holds its last picture and goes silent instead of
      // ending the graph: the others go on after one read timeout, with no new process.
      chains.push(`[${i}:v:0]settb=AVTB,${smoothedVideoPts(plan.fps, origin)},${burstDropped()},${fitToScreen(plan.size)},tpad=stop=-1:stop_mode=clone[v${i + 1}]`);
      chains.push(`[${i}:a:0]${smoothedAudioPts(origin)},aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad[a${i + 1}]`);
    });
    const v = Array.from({ length: n + 1 }, (_, i) => `[v${i}]`).join('');
    const a = Array.from({ length: n + 1 }, (_, i) => `[a${i}]`).join('');
    // streamselect gives a picture at each picture of any input: only the new ones go on (newPictures).
    // The control filters take a switch at the next frame out of each select filter.
    const vc = plan.control ? `,${controlFilter('video', plan.control.video)}` : '';
    const ac = plan.control ? `,${controlFilter('audio', plan.control.audio)}` : '';
    chains.push(`${v}streamselect=inputs=${n + 1}:map=${plan.initial}${vc},${newPictures(plan.fps)}[v]`, `${a}astreamselect=inputs=${n + 1}:map=${plan.initial}${ac}[a]`);
  }
  args.push('-filter_complex', chains.join(';'));
  args.push('-map', '[v]', '-map', '[a]', '-c:v', 'rawvideo', ...switcherPictureOut(plan.fps));
  args.push(...RAW_OUT_THREADS, '-c:a', 'pcm_s16le', '-f', 'nut', 'pipe:1');
  args.push('-progress', 'pipe:3', '-stats_period', String(PROGRESS_PERIOD_S));
  return args;
}

/** With no feed there is nothing to switch: the graph has no streamselect. */
export function canSwitch(plan: Pick<RoomSwitcherPlan, 'feeds'>): boolean {
  return plan.feeds.length > 0;
}

/**
 * The feed URL a line of ffmpeg's log names as failed (`srt://...: Connection
 * timed out`, `...: Input/output error`), among `urls`; null for other lines.
 */
export function failedInput(line: string, urls: readonly string[]): string | null {
  for (const url of urls) if (line.startsWith(`${url}: `)) return url;
  return null;
}

/** A feed URL with a read timeout: a feed that stops sending ends ffmpeg's read of it instead of freezing the others. */
export function withReadTimeout(url: string, timeoutMs: number): string {
  if (!url.startsWith('srt://') || /[?&]timeout=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}timeout=${timeoutMs * 1000}`;
}
