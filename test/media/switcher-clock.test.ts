/**
 * The room switcher keeps every feed live, whichever it opened first. ffmpeg
 * opens its inputs one after the other; here the second feed starts sending
 * two seconds after the first, so the first one's packets wait meanwhile.
 * On the feeds' own clocks `streamselect` kept the first feed's picture those
 * two seconds behind for good; on the wall clock (SWITCHER_INPUT and the
 * graph of roomSwitcherArgs) its backlog is dropped and its picture is live.
 * The first feed turns from red to green six seconds after its encoder
 * started: the switcher's output must show green within a second of that.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { freeUdpPort } from '../../src/media/srt-transmit.js';
import { roomSwitcherArgs, switcherPictureOut } from '../../src/media/switch-plan.js';
import { SWITCHER_INPUT } from '../../src/media/switcher.js';
import { waitFor } from '../helpers/wait.js';
import { testFeedArgs } from './helpers.js';

const W = 32;
const H = 18;
const FRAME = W * H * 3;
/** When the first feed turns green, in its own time: well after the switcher's output began (it waits for a picture of every feed). */
const GREEN_AT_S = 6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A feed over loopback UDP: `colour`, turning green at `greenAtS` of its own time when given; a tone. */
function encoder(port: number, colour: string, greenAtS?: number): ChildProcess {
  const turn = greenAtS === undefined ? '' : `,drawbox=c=green:t=fill:enable='gte(t,${greenAtS})'`;
  return spawn('ffmpeg', testFeedArgs({ video: `color=c=${colour}:size=160x90:rate=15${turn}`, toneHz: 440, fps: 15, seconds: 20, target: `udp://127.0.0.1:${port}?pkt_size=1316` }), { stdio: 'ignore' });
}

describe('room switcher: a feed opened before another is not held behind it (real ffmpeg)', function () {
  this.timeout(30_000);
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill('SIGKILL')));

  it('shows the first feed live although the second began two seconds later', async () => {
    const ports = [await freeUdpPort(), await freeUdpPort()];
    const args = roomSwitcherArgs({
      feeds: ports.map((port, i) => ({ site: `site-${i}`, url: `udp://127.0.0.1:${port}?fifo_size=100000&overrun_nonfatal=1` })),
      slate: `color=c=0x18202b:s=${W}x${H}:r=10`,
      size: { width: W, height: H },
      fps: 15,
      initial: 1,
      inputOptions: SWITCHER_INPUT,
      wallOrigin: Date.now() / 1000,

    });
    const display = spawn('ffmpeg', [...args.slice(0, args.indexOf('-map')), '-map', '[v]', ...switcherPictureOut(15), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1', '-map', '[a]', '-f', 'null', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(display);
    const greens: number[] = [];
    let frames = 0;
    let firstAt = 0;
    let framesAtGreen = 0;
    let pending = Buffer.alloc(0);
    display.stdout!.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (; pending.length >= FRAME; pending = pending.subarray(FRAME)) {
        frames += 1;
        if (frames === 1) firstAt = performance.now();
        const [r, g] = [pending[(FRAME / 2) | 0]!, pending[((FRAME / 2) | 0) + 1]!];
        if (g > 100 && r < 60 && greens.push(performance.now()) === 1) framesAtGreen = frames;
      }
    });
    await sleep(300);
    const firstStarted = performance.now();
    children.push(encoder(ports[0]!, 'red', GREEN_AT_S));
    await sleep(2000);
    children.push(encoder(ports[1]!, 'blue'));
    await waitFor('the first feed\'s green on screen', () => greens.length > 0, 15_000);
    const late = (greens[0]! - firstStarted) / 1000 - GREEN_AT_S;
    console.log(`      the first feed's picture on screen ${late.toFixed(2)} s after it was made (${framesAtGreen} pictures out before it)`);
    // The output ran for seconds before, at the rate asked for (15 a second), not the slate's 10 or the sum of the inputs'.
    const rate = (framesAtGreen - 1) / ((greens[0]! - firstAt) / 1000);
    assert.ok(framesAtGreen > 30 && rate > 12 && rate < 18, `${framesAtGreen} pictures out before the green, ${rate.toFixed(1)} a second`);
    // Encoding, loopback and decoding take a few hundred milliseconds; held behind, it was over two seconds.
    assert.ok(late < 1, `the first feed's picture on screen ${late.toFixed(2)} s after it was made`);
  });
});
