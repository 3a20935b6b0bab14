/**
 * The room switcher shows each picture of the feed on air once, and as soon
 * as a plain decoder of the same packets would. In one ffmpeg graph
 * (`streamselect`), a picture was held until the next one came whenever the
 * inputs' times crossed: at 10 pictures a second, 100 ms behind a plain
 * decoder, in some runs on a loaded machine and not others; the switch made
 * between whole pictures (frame-switcher.ts) has no such wait. Here one feed
 * (a white bar that moves two pixels a picture, 10 a second) goes through a
 * tee on loopback UDP to the product's switcher (the slate, the feed's
 * decoder, the mux) and to a plain decoder with the display's low-delay
 * options; each decoded picture is known by the bar's place at the switcher's
 * sink and at the plain decoder, and its times out of each are compared.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { freeUdpPort } from '../../src/media/srt-transmit.js';
import { FrameSwitcher } from '../../src/media/frame-switcher.js';
import { LOW_DELAY_INPUT } from '../../src/media/switcher.js';
import { waitFor } from '../helpers/wait.js';
import { testFeedArgs } from './helpers.js';

const W = 160;
const H = 90;
const FPS = 10;
const FRAME = W * H;

/** The bar's left edge in a gray picture (the middle row's first bright pixel), -1 with no bar (the slate). */
function barAt(picture: Buffer): number {
  const row = picture.subarray((H >> 1) * W, ((H >> 1) + 1) * W);
  return row.findIndex((v) => v > 160);
}

/** Each picture's bar place and the time it came out of `child`'s stdout. */
function collect(out: NodeJS.ReadableStream): Array<{ bar: number; at: number }> {
  const seen: Array<{ bar: number; at: number }> = [];
  let pending = Buffer.alloc(0);
  out.on('data', (d: Buffer) => {
    const at = performance.now();
    pending = Buffer.concat([pending, d]);
    for (; pending.length >= FRAME; pending = pending.subarray(FRAME)) seen.push({ bar: barAt(pending.subarray(0, FRAME)), at });
  });
  return seen;
}

const gray = ['-pix_fmt', 'gray', '-s', `${W}x${H}`, '-f', 'rawvideo', 'pipe:1'];

describe('room switcher: every picture once, none held back (real ffmpeg)', function () {
  this.timeout(30_000);
  const children: ChildProcess[] = [];
  let tee: Socket | null = null;
  let switcher: FrameSwitcher | null = null;
  const servers: Server[] = [];
  after(async () => {
    servers.forEach((v) => v.close());
    children.forEach((c) => c.kill('SIGKILL'));
    tee?.close();
    await switcher?.stop();
  });

  it('gives the feed\'s pictures at its rate, none repeated, as soon as a plain decoder does', async () => {
    const [input, toSwitcher, toPlain] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
    const t = createSocket('udp4');
    tee = t;
    t.on('message', (m) => {
      t.send(m, toSwitcher, '127.0.0.1');
      t.send(m, toPlain, '127.0.0.1');
    });
    await new Promise<void>((r) => t.bind(input, '127.0.0.1', () => r()));
    const url = (port: number): string => `udp://127.0.0.1:${port}?fifo_size=100000&overrun_nonfatal=1`;
    // The switcher's sink sends its gray pictures to a local socket this process reads.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    const connected = new Promise<NodeJS.ReadableStream>((r) => server.once('connection', (c) => r(c)));
    const sinkPort = (server.address() as AddressInfo).port;
    const sink = ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0', '-f', 'nut', '-i', 'pipe:0', '-map', '0:v', '-fps_mode', 'passthrough', '-threads', '1', ...gray.slice(0, -1), `tcp://127.0.0.1:${sinkPort}`];
    const s = new FrameSwitcher({ ffmpeg: 'ffmpeg', sink, size: { width: W, height: H }, fps: 30, slate: `color=c=0x18202b:s=${W}x${H}:r=10`, feeds: [{ site: 'saint-camille', url: url(toSwitcher) }], initial: 1 });
    switcher = s;
    const plain = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...LOW_DELAY_INPUT, '-i', url(toPlain), '-map', '0:v:0', '-fps_mode', 'passthrough', '-threads', '1', ...gray], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(plain);
    s.start();
    const fromPlain = collect(plain.stdout!);
    const bar = `color=c=black:size=${W}x${H}:rate=${FPS}[b];color=c=white:size=4x${H}:rate=${FPS}[w];[b][w]overlay=x='2*mod(n,75)':y=0:eval=frame[out0]`;
    children.push(spawn('ffmpeg', testFeedArgs({ video: bar, toneHz: 440, fps: FPS, seconds: 15, target: `udp://127.0.0.1:${input}?pkt_size=1316` }), { stdio: 'ignore' }));
    const fromSwitcher = collect(await connected);
    // A few seconds of pictures through both, after each has begun.
    await waitFor('pictures from both', () => fromSwitcher.filter((p) => p.bar >= 0).length > 10 && fromPlain.length > 10, 15_000);
    const [s0, p0] = [fromSwitcher.length, fromPlain.length];
    const start = performance.now();
    await waitFor('five seconds more', () => performance.now() - start > 5000, 10_000);
    const shown = fromSwitcher.slice(s0);
    const rate = shown.length / ((shown.at(-1)!.at - shown[0]!.at) / 1000);
    const repeated = shown.slice(1).filter((p, i) => p.bar === shown[i]!.bar).length;
    assert.ok(rate > FPS * 0.8 && rate < FPS * 1.2, `${shown.length} pictures, ${rate.toFixed(1)} a second: the feed's ${FPS}, not one per picture of any input`);
    assert.ok(repeated <= 1, `${repeated} of ${shown.length} pictures were the one before again`);
    // The same picture (the bar's place, within one lap of it), out of each: the switcher no later than the plain decoder and a little.
    const plainAt = new Map<number, number>();
    for (const p of fromPlain.slice(p0 - 10)) if (p.bar >= 0) plainAt.set(p.bar, p.at);
    const behind = shown.filter((p) => plainAt.has(p.bar)).map((p) => p.at - plainAt.get(p.bar)!).sort((a, b) => a - b);
    assert.ok(behind.length > shown.length / 2, `${behind.length} of ${shown.length} pictures matched between the two`);
    const median = behind[behind.length >> 1]!;
    console.log(`      ${shown.length} pictures, ${rate.toFixed(1)} a second, ${repeated} repeated; behind a plain decoder by ${median.toFixed(0)} ms (median)`);
    // A held picture is the feed's next picture's time (100 ms) on every one; the process hops more
    // than a plain decoder's (the mux, the sink) cost a few ms each, more when the machine is loaded.
    assert.ok(median < 70, `the switcher's pictures ${median.toFixed(0)} ms behind a plain decoder's (one picture is ${1000 / FPS} ms)`);
  });
});
