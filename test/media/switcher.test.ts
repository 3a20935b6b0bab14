/**
 * The switching display with real ffmpeg and real SRT: two sites' feeds (one
 * red, one blue, each with its own tone) come over SRT through the link
 * emulator (80 ms RTT, 1 % loss); one ffmpeg decodes both, and a switch
 * command puts the other on screen. The display's output is decoded frame by
 * frame: every frame is red or blue, never black, and the switch is the next
 * frames.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { LOW_DELAY_INPUT, SwitchingDisplay, switchCommand, switcherArgs } from '../../src/media/switcher.js';
import { srtFfmpegUrl } from '../../src/media/srt.js';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';
import { freePort, testFeedArgs, udpBound } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const W = 32;
const H = 18;
const FRAME = W * H * 3;

/** A site's feed: a plain colour and a tone, served by an SRT listener. */
function source(color: string, tone: number, port: number): ChildProcess {
  const url = srtFfmpegUrl({ host: '127.0.0.1', port, mode: 'listener', latencyMs: 240 });
  return spawn('ffmpeg', testFeedArgs({ video: `color=c=${color}:size=160x90:rate=15`, toneHz: tone, fps: 15, seconds: 40, target: url }), { stdio: 'ignore' });
}

type Colour = 'red' | 'blue' | 'black' | 'other';
function colourOf(frame: Buffer): Colour {
  const i = ((H >> 1) * W + (W >> 1)) * 3;
  const [r = 0, g = 0, b = 0] = [frame[i], frame[i + 1], frame[i + 2]];
  if (r < 40 && g < 40 && b < 40) return 'black';
  if (r > 180 && g < 60 && b < 60) return 'red';
  if (b > 180 && r < 60 && g < 60) return 'blue';
  return 'other';
}

describe('switching display (pure)', () => {
  it('builds one ffmpeg with every feed, streamselect and astreamselect starting on the on-air site', () => {
    const args = switcherArgs({ feeds: [{ site: 'a', url: 'srt://r:1' }, { site: 'b', url: 'srt://r:2' }], initial: 'b', inputOptions: [], output: (v, a) => ['-map', v, '-map', a, '-f', 'null', '-'] });
    assert.deepEqual(args.slice(args.indexOf('-filter_complex')), ['-filter_complex', '[0:v:0][1:v:0]streamselect=inputs=2:map=1[v];[0:a:0][1:a:0]astreamselect=inputs=2:map=1[a]', '-map', '[v]', '-map', '[a]', '-f', 'null', '-']);
    assert.equal(switchCommand(0), 'Call -1 map 0\n', 'one line: picture and sound at the same poll');
    assert.throws(() => switcherArgs({ feeds: [{ site: 'a', url: 'x' }], initial: 'z', inputOptions: [], output: () => [] }), /initial site z is not one of the feeds/);
  });
});

describe('switching display: a feed that cannot be reached', function () {
  this.timeout(20_000);

  it('is started again, on the site last selected', async () => {
    const port = await freePort();
    const url = `${srtFfmpegUrl({ host: '127.0.0.1', port, mode: 'caller', latencyMs: 120 })}&connect_timeout=200`;
    const display = new SwitchingDisplay({ feeds: [{ site: 'a', url }, { site: 'b', url }], initial: 'a', inputOptions: [], output: (v, a) => ['-map', v, '-f', 'null', '-', '-map', a, '-f', 'null', '-'] }, 'ffmpeg', 50);
    const spawns: Array<number | undefined> = [];
    display.on('spawn', (pid) => spawns.push(pid));
    display.start();
    display.select('b');
    await waitFor('a second start after the first exit', () => spawns.length >= 2, 15_000);
    assert.equal(display.onScreen, 'b');
    await display.stop();
    // Stopped: no process left to take a switch (the pending respawn was cancelled by stop()).
    assert.equal(display.select('a'), false);
  });
});

describe('switching display (real ffmpeg, SRT through the emulated link)', function () {
  this.timeout(60_000);
  const stops: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('switches from red to blue on command with no black frame in between', async () => {
    const ports = [await freePort(), await freePort()];
    const sources = [source('red', 440, ports[0]!), source('blue', 880, ports[1]!)];
    stops.push(() => sources.forEach((s) => s.kill('SIGKILL')));
    const proxies = [];
    for (const port of ports) {
      const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: port, impairment: parseImpairment({ delayMs: 40, lossPercent: 1 }), random: seededRandom(port) });
      await proxy.start();
      stops.push(() => proxy.stop());
      proxies.push(proxy);
    }
    const display = new SwitchingDisplay({
      feeds: [
        { site: 'saint-camille', url: srtFfmpegUrl({ host: '127.0.0.1', port: proxies[0]!.port, mode: 'caller', latencyMs: 240 }) },
        { site: 'rouyn-noranda', url: srtFfmpegUrl({ host: '127.0.0.1', port: proxies[1]!.port, mode: 'caller', latencyMs: 240 }) },
      ],
      initial: 'saint-camille',
      inputOptions: LOW_DELAY_INPUT,
      output: (v, a) => ['-map', v, '-s', `${W}x${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1', '-map', a, '-f', 'null', '-'],
    });
    const replies: string[] = [];
    display.on('stderr', (line) => {
      if (/Command reply/.test(line)) replies.push(line);
    });
    // The display calls once: the sources' SRT listeners must be up first.
    await waitFor('both sources listening', () => ports.every((p) => udpBound(p)), 10_000);
    display.start();
    stops.push(() => display.stop());
    const frames: Array<{ at: number; colour: Colour }> = [];
    let pending = Buffer.alloc(0);
    display.stdout?.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= FRAME) {
        frames.push({ at: performance.now(), colour: colourOf(pending.subarray(0, FRAME)) });
        pending = pending.subarray(FRAME);
      }
    });
    await waitFor('15 red frames on screen', () => frames.filter((f) => f.colour === 'red').length >= 15, 30_000);
    const switchedAt = performance.now();
    assert.ok(display.select('rouyn-noranda'));
    await waitFor('15 blue frames after the switch', () => frames.filter((f) => f.colour === 'blue').length >= 15, 10_000);
    // One line reaches both filters and ffmpeg answers it once, with the last filter's answer (one that
    // takes no `map` says ENOSYS): the frames are the proof, and the rig's test hears the sound follow.
    await waitFor('ffmpeg answered the command', () => replies.length >= 1, 5000);
    assert.equal(replies.length, 1, replies.join('\n'));
    const firstBlue = frames.findIndex((f) => f.colour === 'blue');
    const before = frames.slice(0, firstBlue);
    const after = frames.slice(firstBlue);
    assert.ok(before.every((f) => f.colour === 'red'), `before the switch: ${before.map((f) => f.colour).join(' ')}`);
    assert.ok(after.every((f) => f.colour === 'blue'), `after the switch: ${after.map((f) => f.colour).join(' ')}`);
    const switchMs = (frames[firstBlue]?.at ?? 0) - switchedAt;
    assert.ok(switchMs >= 0);
    process.stdout.write(`      switch: first blue frame ${switchMs.toFixed(0)} ms after the command; ${before.length} red then ${after.length} blue frames, none black\n`);
  });
});
