/**
 * The switch between whole pictures, its parts: the cutter that finds whole
 * pictures in a pipe's chunks, the refusals, and (real ffmpeg) a feed that
 * cannot be reached: it is reported failed and the slate goes on; a source
 * that does not exist is refused; the shipped sink (ffplay, on a virtual X
 * screen with no sound card) plays the slate and then a feed, its clock
 * moving and picture and sound together.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { parseDisplayConfig } from '../../src/media/config.js';
import { FrameSwitcher, PictureCutter, feedDecoderArgs, frameMuxArgs, pictureBytes, slateSourceArgs } from '../../src/media/frame-switcher.js';
import { freeUdpPort } from '../../src/media/srt-transmit.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir, testFeedArgs } from './helpers.js';

const size = { width: 32, height: 18 };

describe('frame switcher (pure)', () => {
  it('cuts whole pictures out of chunks of any length, each from the parts it is made of', () => {
    const got: Buffer[] = [];
    const cutter = new PictureCutter(5, (parts) => got.push(Buffer.concat(parts)));
    const bytes = Buffer.from(Array.from({ length: 23 }, (_, i) => i));
    for (const [from, to] of [[0, 3], [3, 4], [4, 12], [12, 12], [12, 23]] as const) cutter.push(bytes.subarray(from, to));
    assert.deepEqual(got.map((b) => [...b]), [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]);
    assert.equal(got.length, 4, 'the three bytes left over wait for the rest of their picture');
    cutter.push(Buffer.from([23, 24]));
    assert.deepEqual(got.map((b) => [...b]).at(-1), [20, 21, 22, 23, 24]);
  });

  it('gives every raw output one encoder thread, and the mux its two loops on the arrival times', () => {
    assert.equal(pictureBytes({ width: 1280, height: 720 }), 1_382_400);
    const decoder = feedDecoderArgs('srt://relay:9103?mode=caller', size);
    assert.equal(decoder.filter((a) => a === '-threads').length, 2, 'pictures and sound each on one thread');
    assert.ok(decoder.join(' ').includes('pad=32:18'), 'scaled and padded to the screen');
    const slate = slateSourceArgs('color=c=black:s=32x18:r=10', size);
    assert.ok(slate.includes('-re'), 'the slate paced');
    const mux = frameMuxArgs(size, 30, 1796400000.5);
    assert.ok(mux.includes('nut') && mux.includes('-1796400000.500'));
    assert.ok(mux[mux.indexOf('-vf') + 1]!.includes('setpts=') && mux[mux.indexOf('-af') + 1]!.startsWith('asetpts='), 'picture and sound times smoothed');
    assert.equal(mux.filter((a) => a === '-threads').length, 2, 'its picture and its sound each on one encoder thread');
  });

  it('refuses an odd screen size and a source that does not exist, naming them', () => {
    const base = { ffmpeg: 'ffmpeg', sink: ['cat'], fps: 30, slate: 'color', feeds: [{ site: 'a', url: 'udp://127.0.0.1:1' }] };
    assert.throws(() => new FrameSwitcher({ ...base, size: { width: 33, height: 18 }, initial: 0 }), /33x18 must be even/);
    assert.throws(() => new FrameSwitcher({ ...base, size, initial: 2 }), /source 2 is not one of the 2 sources/);
  });
});

describe('frame switcher (real ffmpeg)', function () {
  this.timeout(30_000);
  let switcher: FrameSwitcher | null = null;
  let server: Server | null = null;
  afterEach(async () => {
    await switcher?.stop();
    server?.close();
    switcher = null;
  });

  it('reports a feed that cannot be reached as failed, and the slate goes on', async () => {
    // A sink that sends what it gets to this process: the NUT bytes keep coming while the slate shows.
    let received = 0;
    server = createServer((c) => c.on('data', (d: Buffer) => (received += d.length)).on('error', () => undefined));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    // Nobody listens there: SRT's connection is refused after its timeout.
    const dead = `srt://127.0.0.1:${await freeUdpPort()}?mode=caller&connect_timeout=500`;
    const s = new FrameSwitcher({ ffmpeg: 'ffmpeg', sink: ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-f', 'nut', '-i', 'pipe:0', '-c', 'copy', '-f', 'nut', `tcp://127.0.0.1:${port}`], size, fps: 30, slate: 'color=c=0x18202b:s=32x18:r=10', feeds: [{ site: 'rouyn-noranda', url: dead }], initial: 0 });
    switcher = s;
    const failed: string[] = [];
    let frames = 0;
    s.on('failed', (url) => failed.push(url));
    s.on('frames', (n) => (frames = n));
    s.start();
    assert.deepEqual(Object.keys(s.processIds()).sort(), ['mux', 'rouyn-noranda', 'sink', 'slate']);
    await waitFor('the feed reported failed', () => failed.length === 1, 15_000);
    assert.equal(failed[0], dead);
    const [framesThen, bytesThen] = [frames, received];
    await waitFor('the slate still going out', () => frames > framesThen + 5 && received > bytesThen, 5000);
    assert.equal(s.select(5), false, 'no source 5');
    assert.equal(s.select(1), true, 'the dead feed can be asked for');
    // Its last picture is the slate's, held: the output does not stop.
    const held = frames;
    await waitFor('a held picture again', () => frames > held, 2000);
  });
});

describe('frame switcher into the shipped sink, ffplay (real ffmpeg, Xvfb)', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  let switcher: FrameSwitcher | null = null;
  after(async () => {
    await switcher?.stop();
    children.forEach((c) => c.kill('SIGKILL'));
  });

  it('plays the slate at once and then the feed, its clock moving, sound and picture together', async function () {
    for (const tool of ['ffplay', 'Xvfb']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) this.skip();
    }
    const dir = await tempDir();
    try {
      // A screen of its own: Xvfb picks a free display and writes its number on fd 3.
      const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '640x360x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
      children.push(x);
      const screen = await new Promise<string>((resolve, reject) => {
        let got = '';
        (x.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
          got += d.toString();
          if (got.includes('\n')) resolve(got.trim());
        });
        x.once('exit', (code) => reject(new Error(`Xvfb ended (${code}) before naming its display`)));
        setTimeout(() => reject(new Error('Xvfb named no display within 10 s')), 10_000);
      });
      const shipped = parseDisplayConfig({}).switcher.sink;
      // The shipped argv, its log at info (ffplay's clock line) into a file.
      const argv = shipped.map((a, i) => (shipped[i - 1] === '-loglevel' ? 'info' : a));
      const log = join(dir.path, 'ffplay.log');
      const sink = ['sh', '-c', `DISPLAY=:${screen} SDL_AUDIODRIVER=dummy exec "$@" 2>"${log}"`, 'sink', ...argv];
      const port = await freeUdpPort();
      const s = new FrameSwitcher({ ffmpeg: 'ffmpeg', sink, size: { width: 320, height: 180 }, fps: 30, slate: 'color=c=0x18202b:s=320x180:r=10', feeds: [{ site: 'saint-camille', url: `udp://127.0.0.1:${port}?fifo_size=100000&overrun_nonfatal=1` }], initial: 0 });
      switcher = s;
      const clocks = (): Array<{ t: number; av: number }> => readFileSync(log, 'utf8').split(/[\r\n]+/).flatMap((line) => {
        const m = /^\s*(\d+\.\d+) A-V:\s*(-?\d+\.\d+)/.exec(line);
        return m ? [{ t: Number(m[1]), av: Number(m[2]) }] : [];
      });
      const startedAt = performance.now();
      s.start();
      await waitFor('ffplay\'s clock', () => clocks().length > 0, 10_000);
      const firstMs = performance.now() - startedAt;
      children.push(spawn('ffmpeg', testFeedArgs({ video: 'color=c=red:size=320x180:rate=30', toneHz: 440, fps: 30, seconds: 15, target: `udp://127.0.0.1:${port}?pkt_size=1316` }), { stdio: 'ignore' }));
      await waitFor('the feed decoding', () => s.moving('saint-camille'), 10_000);
      assert.ok(s.select(1));
      const before = clocks().at(-1)!.t;
      await new Promise((r) => setTimeout(r, 3000));
      const onFeed = clocks().filter((c) => c.t > before + 0.5);
      console.log(`      ffplay's clock ${firstMs.toFixed(0)} ms after the start; on the feed ${onFeed.length} clock lines, ${(() => { const l = readFileSync(log, 'utf8').split(/[\r\n]+/).filter((x) => / fd=/.test(x)); return `fd ${/fd=\s*(\d+)/.exec(l.at(-1) ?? '')?.[1]}`; })()}, A-V ${Math.min(...onFeed.map((c) => c.av)).toFixed(3)} to ${Math.max(...onFeed.map((c) => c.av)).toFixed(3)} s`);
      assert.ok(firstMs < 1500, `the slate showed ${firstMs.toFixed(0)} ms after the start: no long probe`);
      assert.ok(onFeed.length > 5 && onFeed.at(-1)!.t > before + 2, 'the clock moves on the feed');
      assert.ok(onFeed.every((c) => Math.abs(c.av) < 0.2), 'picture and sound within 0.2 s of each other at the player');
      // ffplay drops a picture that comes too late for the sound's clock (its `fd` count): none on the feed.
      const drops = (line: string): number => Number(/fd=\s*(\d+)/.exec(line)?.[1] ?? NaN);
      const statusLines = readFileSync(log, 'utf8').split(/[\r\n]+/).filter((l) => /^\s*\d+\.\d+ A-V:/.test(l) && Number(l.trim().split(' ')[0]) > before + 0.5);
      const dropped = drops(statusLines.at(-1)!) - drops(statusLines[0]!);
      assert.ok(dropped <= 2, `ffplay dropped ${dropped} of the feed's pictures in ${(onFeed.at(-1)!.t - onFeed[0]!.t).toFixed(1)} s`);
    } finally {
      await switcher?.stop();
      switcher = null;
      await dir.remove();
    }
  });
});
