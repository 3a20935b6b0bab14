/**
 * The product's room display with the switcher (DisplayFeature, mode auto,
 * two SRT feeds 160x90 red and blue from srt-live-transmit listeners, at
 * DISPLAY_FEED_FPS (30 by default, the encoder's default; the test's rig runs 15),
 * SRT latency 240 ms, on loopback; rig: test/media/display-rig.ts):
 *   1. 8 hand-offs between the two feeds and 4 to and from the slate: new
 *      floor to the first frame of the new picture at the sink's output
 *      (the sink decodes the NUT the room's player would get), the longest
 *      gap between two frames across each, and black or unknown frames;
 *      (DISPLAY_ENGINE=graph: one ffmpeg whose graph switches, over ZeroMQ, or
 *      with DISPLAY_CONTROL=stdin on its stdin; by default the switch between whole pictures);
 *   2. a feed that dies while the other is on screen: the longest frozen
 *      interval of the picture on screen, and how long until it moves again.
 */
import { handOff, longestGap, startDisplayRig, type HandOff } from '../test/media/display-rig.js';
import { waitFor } from '../test/helpers/wait.js';
import { summary } from './stats.js';

const FEED_FPS = Number(process.env.DISPLAY_FEED_FPS ?? 30);
/** `stdin` to switch the way an ffmpeg without the zmq filters does (read every 100 ms). */
const CONTROL = process.env.DISPLAY_CONTROL === 'stdin' ? 'stdin' : 'auto';
/** DISPLAY_ENGINE=graph: one ffmpeg whose graph switches, instead of the switch between whole pictures. */
const ENGINE = process.env.DISPLAY_ENGINE === 'graph' ? 'graph' : 'frames';
const rig = await startDisplayRig({ feedFps: FEED_FPS, control: CONTROL, engine: ENGINE });
try {
  const feeds: HandOff[] = [];
  const slate: HandOff[] = [];
  // The sink's first frames: before them, a hand-off would time the sink's start, not the switch.
  await waitFor('the slate on screen', () => rig.video.filter((f) => f.what === 'slate').length >= 5, 10_000);
  slate.push(await handOff(rig, 'saint-camille', 'rouyn-noranda', 'red', 'low'));
  for (let i = 0; i < 8; i += 1) {
    const blue = i % 2 === 0;
    feeds.push(await handOff(rig, blue ? 'rouyn-noranda' : 'saint-camille', blue ? 'saint-camille' : 'rouyn-noranda', blue ? 'blue' : 'red', blue ? 'high' : 'low'));
  }
  slate.push(await handOff(rig, null, 'rouyn-noranda', 'slate', 'silent'));
  slate.push(await handOff(rig, 'rouyn-noranda', null, 'blue', 'high'));
  slate.push(await handOff(rig, null, 'saint-camille', 'slate', 'silent'));
  slate.push(await handOff(rig, 'saint-camille', null, 'red', 'low'));
  const bad = [...feeds, ...slate].reduce((n, h) => n + h.bad, 0);
  console.log(JSON.stringify({ bench: 'display-handoff', feedFps: FEED_FPS, engine: ENGINE, control: ENGINE === 'graph' ? CONTROL : undefined, between: 'two decoded SRT feeds', switchMs: summary(feeds.map((h) => h.switchMs)), gapMs: summary(feeds.map((h) => h.gapMs)), blackOrUnknown: bad }));
  console.log(JSON.stringify({ bench: 'display-handoff', feedFps: FEED_FPS, engine: ENGINE, control: ENGINE === 'graph' ? CONTROL : undefined, between: 'a feed and the slate', switchMs: summary(slate.map((h) => h.switchMs)), gapMs: summary(slate.map((h) => h.gapMs)) }));

  const from = rig.video.length;
  const diedAt = performance.now();
  rig.blue.encoder.kill('SIGKILL');
  await waitFor('rouyn-noranda lost', () => rig.last()?.lost?.includes('rouyn-noranda') === true, 10_000);
  const lostAt = performance.now();
  const resume = rig.video.length;
  await waitFor('the picture moving again', () => rig.last()?.ready?.join() === 'saint-camille' && rig.video.length > resume + 10, 20_000);
  const moving = rig.video.slice(resume).find((f) => f.what === 'red');
  console.log(JSON.stringify({ bench: 'display-dead-feed', feedKilledToLostMs: Math.round(lostAt - diedAt), killedToMovingMs: Math.round((moving?.at ?? NaN) - diedAt), longestFrozenMs: Math.round(longestGap(rig.video, from)), notRed: rig.video.slice(from).filter((f) => f.what !== 'red').length }));
} finally {
  await rig.stop();
}
