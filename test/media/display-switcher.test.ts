/**
 * The product's room display with the switcher, through real ffmpeg and SRT:
 * two sites' feeds (red with a 440 Hz tone, blue with 880 Hz) come from SRT
 * listeners (srt-live-transmit, as at the relay's egress); the DisplayFeature
 * of a third site follows the floor. Its sink is an ffmpeg that decodes what
 * the room would see and hears into two local sockets, read here frame by
 * frame and 100 ms by 100 ms: each hand-off must go from one colour (and
 * tone) to the other with no black frame, the slate must show with nobody on
 * air, and a feed that dies must not stop the other.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { findFont } from '../../src/media/command.js';
import { DisplayFeature } from '../../src/media/display-feature.js';
import type { Floor } from '../../src/protocol/schemas.js';
import type { DisplayPart } from '../../src/protocol/site-state.js';
import { fakeFeatureContext } from '../helpers/feature-context.js';
import { waitFor } from '../helpers/wait.js';
import { freePort, freeUdpBlock, udpBound } from './helpers.js';
import { freeUdpPort } from '../../src/media/srt-transmit.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const W = 32;
const H = 18;
const FRAME = W * H * 3;
const RATE = 8000;
/** 100 ms of mono 16-bit sound. */
const WINDOW = (RATE / 10) * 2;

type Look = 'red' | 'blue' | 'slate' | 'black' | 'other';
function lookOf(frame: Buffer): Look {
  const i = (2 * W + 2) * 3;
  const [r = 0, g = 0, b = 0] = [frame[i], frame[i + 1], frame[i + 2]];
  if (r > 180 && g < 60 && b < 60) return 'red';
  if (b > 180 && r < 60 && g < 60) return 'blue';
  if (Math.abs(r - 0x18) < 16 && Math.abs(g - 0x20) < 16 && Math.abs(b - 0x2b) < 16) return 'slate';
  if (r < 16 && g < 16 && b < 16) return 'black';
  return 'other';
}

/** 440, 880 or silence, from the zero crossings of 100 ms. */
function toneOf(window: Buffer): 'low' | 'high' | 'silent' | 'other' {
  let crossings = 0;
  let peak = 0;
  for (let i = 2; i < window.length; i += 2) {
    const a = window.readInt16LE(i - 2);
    const b = window.readInt16LE(i);
    peak = Math.max(peak, Math.abs(b));
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) crossings += 1;
  }
  if (peak < 200) return 'silent';
  const hz = crossings * 5; // crossings per 100 ms / 2 * 10
  if (Math.abs(hz - 440) < 60) return 'low';
  if (Math.abs(hz - 880) < 100) return 'high';
  return 'other';
}

/** A socket the sink writes to; `chunk` bytes at a time, stamped on arrival. */
function collector<T>(size: number, classify: (b: Buffer) => T): { server: Server; seen: Array<{ at: number; what: T }> } {
  const seen: Array<{ at: number; what: T }> = [];
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= size) {
        seen.push({ at: performance.now(), what: classify(pending.subarray(0, size)) });
        pending = pending.subarray(size);
      }
    });
    socket.on('error', () => undefined);
  });
  return { server, seen };
}

let epoch = 0;
function floor(onAir: string | null, next: string | null = null): Floor {
  epoch += 1;
  const now = new Date().toISOString();
  return { epoch, onAir, next, queue: next ? [next] : [], since: onAir ? now : null, item: null, plannedEnd: null, nextItem: null, conductor: 'test', updatedAt: now };
}

/** A site's feed: ffmpeg -> loopback UDP -> srt-live-transmit listening on `port`, which takes a caller back after it leaves. */
async function feed(color: string, tone: number, port: number): Promise<{ encoder: ChildProcess; transmit: ChildProcess; restart(): void }> {
  const udp = await freeUdpPort();
  const transmit = spawn('srt-live-transmit', ['-loglevel:error', `udp://127.0.0.1:${udp}`, `srt://:${port}?mode=listener&latency=240`], { stdio: 'ignore' });
  const encode = (): ChildProcess => spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=${color}:size=160x90:rate=15`, '-re', '-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-b:v', '200k', '-c:a', 'aac', '-b:a', '64k', '-f', 'mpegts', `udp://127.0.0.1:${udp}?pkt_size=1316`], { stdio: 'ignore' });
  const handle = { encoder: encode(), transmit, restart: () => (handle.encoder = encode()) };
  return handle;
}

describe('room display with the switcher (real ffmpeg, SRT feeds)', function () {
  this.timeout(120_000);
  const stops: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('hands off with no black frame, sound following, shows the slate, and survives a dying feed', async () => {
    const base = await freeUdpBlock(SITES.length * SITES.length);
    // The display of riviere-du-loup (j = 2) plays site i from base + i * 3 + 2.
    const ports = [base + 2, base + 5];
    const red = await feed('red', 440, ports[0]!);
    const blue = await feed('blue', 880, ports[1]!);
    stops.push(() => [red, blue].forEach((f) => { f.encoder.kill('SIGKILL'); f.transmit.kill('SIGKILL'); }));
    await waitFor('both feeds listening', () => ports.every((p) => udpBound(p)), 10_000);

    const video = collector(FRAME, lookOf);
    const audio = collector(WINDOW, toneOf);
    const [vp, ap] = [await freePort(), await freePort()];
    video.server.listen(vp, '127.0.0.1');
    audio.server.listen(ap, '127.0.0.1');
    stops.push(() => new Promise<void>((r) => video.server.close(() => r())), () => new Promise<void>((r) => audio.server.close(() => r())));
    for (const s of [video.server, audio.server]) s.on('connection', (c) => stops.push(() => void c.destroy()));

    const sink = ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-f', 'nut', '-i', 'pipe:0',
      '-map', '0:v', '-s', `${W}x${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', `tcp://127.0.0.1:${vp}`,
      '-map', '0:a', '-ac', '1', '-ar', String(RATE), '-f', 's16le', `tcp://127.0.0.1:${ap}`];
    const fake = fakeFeatureContext({ site: 'riviere-du-loup', event: 'test-day' });
    const reports: DisplayPart[] = [];
    fake.seen.on('report', (key, value) => key === 'display' && reports.push(value as DisplayPart));
    const feature = new DisplayFeature({
      srt: { host: '127.0.0.1', sites: SITES, egressPort: base, latencyMs: 240 },
      switcher: { sink, readTimeoutMs: 1000, retryMs: 300 },
      slateSize: '320x180',
      title: 'Journée des régions',
      respawnMs: 200,
    }, { fontFile: findFont() });
    await feature.start(fake.ctx);
    stops.push(() => feature.stop());
    const last = (): DisplayPart | undefined => reports.at(-1);
    assert.equal(last()?.mode, 'switcher', 'auto with SRT and two other sites: the switcher');
    assert.deepEqual(last()?.feeds, ['saint-camille', 'rouyn-noranda']);

    await waitFor('both feeds ready', () => last()?.ready?.length === 2, 30_000);
    await waitFor('the slate on screen (no floor yet)', () => video.seen.filter((f) => f.what === 'slate').length >= 5, 10_000);
    assert.equal(last()?.slate, 'no-floor');

    const handOff = async (site: string | null, next: string | null, look: Look, tone: 'low' | 'high' | 'silent'): Promise<{ switchMs: number; gapMs: number }> => {
      const from = video.seen.length;
      const fromAudio = audio.seen.length;
      const at = performance.now();
      fake.setFloor(floor(site, next));
      await waitFor(`10 ${look} frames after the floor change`, () => video.seen.slice(from).filter((f) => f.what === look).length >= 10, 10_000);
      await waitFor(`the ${tone} sound after the floor change`, () => audio.seen.slice(fromAudio).filter((w) => w.what === tone).length >= 3, 10_000);
      const after = video.seen.slice(from);
      const first = after.findIndex((f) => f.what === look);
      assert.ok(after.slice(0, first).every((f) => f.what !== 'black' && f.what !== 'other'), `before ${look}: ${after.slice(0, first).map((f) => f.what).join(' ')}`);
      assert.ok(after.slice(first).every((f) => f.what === look), `after the switch: ${after.slice(first).map((f) => f.what).join(' ')}`);
      const frames = video.seen.slice(Math.max(0, from - 1), from + first + 1);
      const gapMs = Math.max(0, ...frames.slice(1).map((f, i) => f.at - frames[i]!.at));
      return { switchMs: after[first]!.at - at, gapMs };
    };

    const figures: Array<{ what: string; switchMs: number; gapMs: number }> = [];
    figures.push({ what: 'slate -> saint-camille', ...(await handOff('saint-camille', 'rouyn-noranda', 'red', 'low')) });
    assert.equal(last()?.playing, 'saint-camille');
    figures.push({ what: 'saint-camille -> rouyn-noranda', ...(await handOff('rouyn-noranda', 'saint-camille', 'blue', 'high')) });
    figures.push({ what: 'rouyn-noranda -> slate', ...(await handOff(null, 'saint-camille', 'slate', 'silent')) });
    assert.equal(last()?.slate, 'nobody-on-air');
    figures.push({ what: 'slate -> saint-camille', ...(await handOff('saint-camille', null, 'red', 'low')) });
    const pid = (feature as unknown as { switched: { pid: number } }).switched.pid;
    assert.equal((feature as unknown as { switched: { pid: number } }).switched.pid, pid, 'hand-offs between decoded feeds keep the one process');

    // rouyn-noranda's encoder dies: its SRT connection stays up, silent. saint-camille stays on screen.
    const beforeDeath = video.seen.length;
    const diedAt = performance.now();
    blue.encoder.kill('SIGKILL');
    await waitFor('rouyn-noranda reported lost', () => last()?.lost?.includes('rouyn-noranda') === true, 10_000);
    await waitFor('saint-camille ready again, alone', () => last()?.ready?.join() === 'saint-camille', 20_000);
    const resumeFrom = video.seen.length;
    await waitFor('red frames again after the dead feed', () => video.seen.slice(resumeFrom).filter((f) => f.what === 'red').length >= 10, 10_000);
    const episode = video.seen.slice(beforeDeath);
    assert.ok(episode.every((f) => f.what === 'red'), `while rouyn-noranda died: ${episode.map((f) => f.what).join(' ')}`);
    const stalls = [video.seen[beforeDeath - 1]!, ...episode];
    const frozenMs = Math.max(...stalls.slice(1).map((f, i) => f.at - stalls[i]!.at));

    // It comes back: the probe finds it, and a hand-off to it plans a process with it again.
    blue.restart();
    await waitFor('rouyn-noranda no longer lost', () => last()?.lost?.length === 0, 20_000);
    const back = await handOff('rouyn-noranda', null, 'blue', 'high');
    process.stdout.write(`      ${figures.map((f) => `${f.what}: ${f.switchMs.toFixed(0)} ms, longest frame gap ${f.gapMs.toFixed(0)} ms`).join('\n      ')}\n`);
    process.stdout.write(`      dead feed: picture held ${frozenMs.toFixed(0)} ms at most (killed at +0, on screen again at +${((video.seen[resumeFrom]?.at ?? 0) - diedAt).toFixed(0)} ms); back after a re-plan: ${back.switchMs.toFixed(0)} ms\n`);
    const blackOrOther = video.seen.filter((f) => f.what === 'black' || f.what === 'other').length;
    assert.equal(blackOrOther, 0, `${blackOrOther} black or unknown frames in ${video.seen.length}`);
  });
});
