/**
 * The switching display's plan (pure): which feeds it decodes for 3 sites and
 * for 30, when a floor change needs a new process, what is on screen, the
 * ffmpeg argv ffmpeg accepts, and which feed a dying ffmpeg named.
 */
import assert from 'node:assert/strict';
import { parseDisplayConfig } from '../../src/media/config.js';
import { usesSwitcher } from '../../src/media/display-feature.js';
import { slateGraph } from '../../src/media/display.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { failedInput, needsReplan, roomSwitcherArgs, screenFor, wantedFeeds, withReadTimeout, type FeedChoice } from '../../src/media/switch-plan.js';
import type { Floor } from '../../src/protocol/schemas.js';

const floor = (onAir: string | null, next: string | null = null, queue: string[] = []): Floor =>
  ({ epoch: 1, onAir, next, queue, since: null, item: null, plannedEnd: null, nextItem: null, conductor: 't', updatedAt: 'now' });
const three: FeedChoice = { viewer: 'c', sites: ['a', 'b', 'c'], maxFeeds: 3, lost: new Set() };
const thirty: FeedChoice = { viewer: 's0', sites: Array.from({ length: 30 }, (_, i) => `s${i}`), maxFeeds: 3, lost: new Set() };

describe('switching display plan (pure)', () => {
  it('decodes every other site of a small event, and the on-air, next and queued sites of a large one', () => {
    assert.deepEqual(wantedFeeds(null, three), ['a', 'b']);
    assert.deepEqual(wantedFeeds(floor('c', 'a'), three), ['a', 'b'], 'never its own feed');
    assert.deepEqual(wantedFeeds(floor('s7', 's3', ['s3', 's20', 's9']), thirty), ['s3', 's7', 's20'], 'three of 29, in the port plan order');
    assert.deepEqual(wantedFeeds(floor(null, null), thirty), []);
    assert.deepEqual(wantedFeeds(floor('a'), { ...three, lost: new Set(['b']) }), ['a'], 'not a lost feed');
  });

  it('plans a new process only for a site it does not decode, or while the slate shows', () => {
    assert.equal(needsReplan(null, floor('a'), three), true, 'nothing running');
    assert.equal(needsReplan(['a', 'b'], floor('b', 'a'), three), false, 'a switch command');
    assert.equal(needsReplan(['s7', 's3'], floor('s3', 's12'), thirty), false, 'the next changed while a decoded site speaks: no restart');
    assert.equal(needsReplan(['s7', 's3'], floor('s12'), thirty), true, 'a site outside the set comes on air');
    assert.equal(needsReplan(['s7', 's3'], floor(null, 's12'), thirty), true, 'the slate shows and the next is not decoded');
    assert.equal(needsReplan(['a'], floor('a'), three), false, 'b came back, but a speaks: wait for the next re-plan');
    assert.equal(needsReplan(['a'], floor(null, 'b'), three), true, 'b came back while the slate shows');
    assert.equal(needsReplan(['a'], floor('b'), { ...three, lost: new Set(['b']) }), false, 'a lost feed on air: the slate, no restart loop');
  });

  it('shows the feed, the slate, or that the on-air feed is awaited', () => {
    assert.deepEqual(screenFor(floor('b'), 'c', ['a', 'b'], 'Day'), { kind: 'feed', site: 'b', input: 2 });
    assert.equal(screenFor(floor('c'), 'c', ['a', 'b'], 'Day').kind, 'slate');
    const waiting = screenFor(floor('b'), 'c', ['a'], 'Day');
    assert.equal(waiting.kind === 'slate' && waiting.reason, null);
  });

  it('names the feed ffmpeg says failed, and gives SRT reads a timeout', () => {
    const urls = ['srt://r:9102?mode=caller', 'srt://r:9105?mode=caller'];
    assert.equal(failedInput('srt://r:9105?mode=caller: Connection timed out', urls), urls[1]);
    assert.equal(failedInput('[mpegts @ 0x1] Thread message queue blocking', urls), null);
    assert.equal(withReadTimeout('srt://r:1?mode=caller', 1000), 'srt://r:1?mode=caller&timeout=1000000');
    assert.equal(withReadTimeout('srt://r:1?timeout=5', 1000), 'srt://r:1?timeout=5');
    assert.equal(withReadTimeout('http://r/live/a.flv', 1000), 'http://r/live/a.flv');
  });

  it('builds a graph ffmpeg runs with the slate alone, and feeds on the wall clock from the plan\'s origin', async function () {
    this.timeout(20_000);
    const size = { width: 64, height: 36 };
    const slate = slateGraph([], size, null, { rate: 10 });
    assert.throws(() => roomSwitcherArgs({ feeds: [], slate, size, fps: 30, initial: 1, inputOptions: [], wallOrigin: 0 }), /input 1 is not one of the 1 inputs/);
    const alone = roomSwitcherArgs({ feeds: [], slate: `${slate}:duration=1`, size, fps: 30, initial: 0, inputOptions: [], wallOrigin: 0 }).filter((a) => a !== '-re');
    const result = await runFfmpeg('ffmpeg', alone.slice(0, alone.indexOf('-c:v')).concat(['-frames:v', '5', '-f', 'null', '-']), 15_000);
    assert.equal(result.code, 0, result.stderr);
    // With feeds (run by switcher-clock.test.ts and lipsync.test.ts on real MPEG-TS feeds): the slate, its
    // silence and every feed's picture and sound on the one clock, seconds since the origin, to the millisecond.
    const feedArgs = roomSwitcherArgs({ feeds: [{ site: 'a', url: 'udp://r:1' }, { site: 'b', url: 'udp://r:2' }], slate, size, fps: 30, initial: 1, inputOptions: ['-use_wallclock_as_timestamps', '1'], wallOrigin: 1796280000.1234 });
    assert.ok(feedArgs.includes('-copyts'));
    const graph = feedArgs[feedArgs.indexOf('-filter_complex') + 1]!;
    assert.equal(graph.match(/RTCTIME\/1000000-1796280000\.123\b/g)?.length, 2, 'the slate and its silence');
    assert.equal(graph.match(/st\(7,T-1796280000\.123\)/g)?.length, 4, 'each feed\'s picture and sound from its arrival');
    assert.match(graph, /settb=AVTB,setpts=/, 'the slate\'s times in microseconds, not in its rate\'s tenths of a second');
  });

  it('runs the switcher by default with SRT and two other sites, the player otherwise', () => {
    const srt = { host: 'r', sites: ['a', 'b', 'c'] };
    assert.equal(usesSwitcher(parseDisplayConfig({ srt }), 'c'), true);
    assert.equal(usesSwitcher(parseDisplayConfig({ srt: { host: 'r', sites: ['a', 'c'] } }), 'c'), false, 'one feed: the single player');
    assert.equal(usesSwitcher(parseDisplayConfig({ srt, mode: 'player' }), 'c'), false);
    assert.equal(usesSwitcher(parseDisplayConfig({}), 'c'), false, 'HTTP-FLV: the player');
    assert.throws(() => parseDisplayConfig({ switcher: { maxFeeds: 0 } }), /display\.switcher\.maxFeeds/);
  });
});
