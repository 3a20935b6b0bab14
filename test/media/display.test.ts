/**
 * The room display following the floor: two sites publish to a real relay, the
 * display of a third site plays whichever is on air (an `ffmpeg -i URL -f null -`
 * stand-in for the player), and the relay's viewer counts prove what it plays.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ApplianceEvents, FeatureContext, SiteRole } from '../../src/appliance/feature.js';
import { createTranslator } from '../../src/i18n/index.js';
import { findFont } from '../../src/media/command.js';
import { parseEncoderConfig } from '../../src/media/config.js';
import { DisplayFeature } from '../../src/media/display-feature.js';
import { displayTarget, slateGraph, streamUrl } from '../../src/media/display.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { createFeed } from '../../src/media/feed.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import type { EncoderSupervisor, SupervisorState } from '../../src/media/supervisor.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { alive, freePort, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';

let epoch = 0;
function floor(onAir: string | null, next: string | null = null, nextItem: Floor['nextItem'] = null): Floor {
  epoch += 1;
  const now = new Date().toISOString();
  return { epoch, onAir, next, queue: next ? [next] : [], since: onAir ? now : null, item: null, plannedEnd: null, nextItem, conductor: 'test', updatedAt: now };
}

describe('media room display', function () {
  describe('what to show (pure)', () => {
    const http = 'http://relay:8000';
    it('plays the on-air site, the slate when nobody is on air, never its own feed', () => {
      assert.deepEqual(displayTarget(floor('a'), 'b', http, 'Day'), { kind: 'stream', site: 'a', url: 'http://relay:8000/live/a.flv' });
      assert.deepEqual(displayTarget(floor('b'), 'b', http, 'Day'), { kind: 'slate', reason: 'self-on-air', lines: ['Day', 'Vous êtes en ondes'] });
      assert.deepEqual(displayTarget(null, 'b', http, 'Day'), { kind: 'slate', reason: 'no-floor', lines: ['Day', 'En attente du chef d’orchestre'] });
      assert.deepEqual(displayTarget(floor('b'), 'b', http, 'Day', createTranslator('en')), { kind: 'slate', reason: 'self-on-air', lines: ['Day', 'You are on air'] }, 'English on request');
      const item = { index: 1, title: 'Water: a "shared" good', speaker: 'Ana', site: 'c', plannedMinutes: 10 };
      assert.deepEqual(displayTarget(floor(null, 'c', item), 'b', http, 'Day').kind === 'slate' && displayTarget(floor(null, 'c', item), 'b', http, 'Day'), {
        kind: 'slate',
        reason: 'nobody-on-air',
        lines: ['Day', 'Ensuite\u00a0: c', 'Water: a "shared" good (Ana)'],
      });
      assert.equal(streamUrl('http://r:8000/', 'x'), 'http://r:8000/live/x.flv');
    });

    it('draws a slate ffmpeg accepts, whatever the title contains', async () => {
      const graph = slateGraph(["L'été: 100% [live], a;b \\ c", 'Next: saint-camille'], { width: 320, height: 180 }, findFont());
      const result = await runFfmpeg('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', graph, '-frames:v', '1', '-f', 'null', '-'], 10_000);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(slateGraph(['x'], { width: 320, height: 180 }, null), 'color=c=0x18202b:size=320x180:rate=5');
    });
  });

  describe('following the floor with a real relay', function () {
    this.timeout(60_000);
    let relay: Relay;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    const feeds: EncoderSupervisor[] = [];
    let feature: DisplayFeature | null = null;
    const bus = new EventEmitter<ApplianceEvents>();
    let current: Floor | null = null;
    const reports: Array<{ playing: string | null; url: string | null; slate: string | null; since: string }> = [];

    const ctx: FeatureContext = {
      event: 'test-day',
      site: 'riviere-du-loup',
      log: quietLogger('display'),
      bus,
      floor: () => current,
      role: (): SiteRole => 'idle',
      linkUp: () => true,
      reportState: (key, value) => {
        if (key === 'display') reports.push(value as (typeof reports)[number]);
      },
      subscribe: async () => undefined,
      publish: async () => undefined,
    };

    const setFloor = (f: Floor): void => {
      current = f;
      bus.emit('floor', f);
    };
    const viewers = (snap: StreamsSnapshot, site: string): number => snap.streams.find((s) => s.site === site)?.viewers ?? 0;
    const watching = (site: string | null, timeoutMs: number): Promise<unknown> => {
      const ok = (s: StreamsSnapshot): boolean =>
        ['saint-camille', 'rouyn-noranda'].every((x) => viewers(s, x) === (x === site ? 1 : 0));
      if (ok(relay.snapshot())) return Promise.resolve();
      return waitForEvent<[StreamsSnapshot]>(relay, 'streams', ok, timeoutMs, `the display watching ${site ?? 'nothing'}`);
    };

    before(async () => {
      dir = await tempDir();
      relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay'), pollMs: 50 });
      await relay.start();
      const config = parseEncoderConfig({ size: '320x180', fps: 15, bitrateKbps: 250, x264Preset: 'ultrafast', output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET } });
      for (const site of ['saint-camille', 'rouyn-noranda']) {
        const feed = createFeed({ config, site, encoder: 'libx264', binary: 'ffmpeg', log: quietLogger(site) });
        feeds.push(feed);
        const live = waitForEvent(feed, 'state', (s: SupervisorState) => s === 'live', 15_000, `${site} live`);
        await feed.start();
        await live;
      }
    });

    after(async () => {
      await feature?.stop();
      await Promise.all(feeds.map((f) => f.stop()));
      await relay.stop();
      await dir.remove();
    });

    it('shows the slate, then each on-air site after the floor change, then the slate again', async () => {
      feature = new DisplayFeature({
        relayHttp: relay.httpUrl,
        player: ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-i', '{url}', '-f', 'null', '-'],
        slate: ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', '{slate}', '-f', 'null', '-'],
        slateSize: '320x180',
        title: 'Journée des régions',
        respawnMs: 200,
      });
      await feature.start(ctx);
      assert.equal(reports.at(-1)?.slate, 'no-floor');
      assert.equal(reports.at(-1)?.playing, null);

      for (const site of ['saint-camille', 'rouyn-noranda']) {
        setFloor(floor(site));
        assert.equal(reports.at(-1)?.playing, site);
        assert.equal(reports.at(-1)?.url, `${relay.httpUrl}/live/${site}.flv`);
        await watching(site, 10_000);
      }

      // A newer floor with the same site on air must not restart the player.
      const count = reports.length;
      setFloor(floor('rouyn-noranda', 'saint-camille'));
      assert.equal(reports.length, count);

      setFloor(floor(null, 'saint-camille'));
      assert.equal(reports.at(-1)?.slate, 'nobody-on-air');
      assert.equal(reports.at(-1)?.playing, null);
      await watching(null, 1500);
    });

    it('never plays its own feed: "you are on air" instead', async () => {
      setFloor(floor('saint-camille'));
      await watching('saint-camille', 1500);
      setFloor(floor('riviere-du-loup'));
      assert.equal(reports.at(-1)?.slate, 'self-on-air');
      await watching(null, 1500);
    });

    it('a player that dies is started again and watches the same site', async () => {
      setFloor(floor('rouyn-noranda'));
      await watching('rouyn-noranda', 1500);
      const pid = (feature as unknown as { player: { state(): { pid: number | null } } }).player.state().pid;
      assert.ok(pid && alive(pid));
      process.kill(pid, 'SIGKILL');
      await waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => viewers(s, 'rouyn-noranda') === 0, 3000, 'the viewer gone');
      await watching('rouyn-noranda', 3000);
      assert.equal(reports.at(-1)?.playing, 'rouyn-noranda');
    });
  });
});
