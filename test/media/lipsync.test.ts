/**
 * Lip sync through the room switcher, both engines. In the graph, every feed
 * is stamped with the wall clock at arrival and its picture and sound are
 * each smoothed on their own (switch-plan.ts, WALL); between whole pictures
 * (frame-switcher.ts), the feed's decoder gives its pictures and its sound
 * on two pipes and the mux stamps each at arrival: they must stay together. A feed flashes white and
 * beeps at the same moment once a second; the same bytes go to the switcher
 * (over loopback UDP, beside a second feed) and to a file. The
 * switcher's NUT output (what the room's player gets) and the file are read
 * back with ffmpeg's own meters: the sound's lead or lag on the picture,
 * beep against flash, must be the file's within 45 ms (ITU-R BT.1359 puts the
 * threshold of detection at 45 ms of sound ahead, 125 ms behind).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { MPEGTS_MUX_OPTIONS } from '../../src/media/command.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { freeUdpPort } from '../../src/media/srt-transmit.js';
import { FrameSwitcher } from '../../src/media/frame-switcher.js';
import { roomSwitcherArgs } from '../../src/media/switch-plan.js';
import { SWITCHER_INPUT } from '../../src/media/switcher.js';
import { tempDir, testFeedArgs } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const udp = (port: number): string => `udp://127.0.0.1:${port}?pkt_size=1316`;

/**
 * A feed: white and a 1 kHz beep together for the first 100 ms of every second, black and silence
 * otherwise. Its MPEG-TS comes on stdout; this process sends it on in datagrams of 7 TS packets and
 * keeps a copy of the same bytes in `file`.
 */
function flashingFeed(port: number, file: string): ChildProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', "color=c=black:size=160x90:rate=30,drawbox=c=white:t=fill:enable='lt(mod(t,1),0.1)'",
    '-re', '-f', 'lavfi', '-i', "aevalsrc='if(lt(mod(t,1),0.1),0.5*sin(2*PI*1000*t),0)':s=48000:c=stereo",
    '-t', '12', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-b:v', '300k', '-c:a', 'aac', '-b:a', '128k', ...MPEGTS_MUX_OPTIONS,
    '-f', 'mpegts', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const socket = createSocket('udp4');
  const copy = createWriteStream(file);
  let pending = Buffer.alloc(0);
  child.stdout!.on('data', (d: Buffer) => {
    copy.write(d);
    pending = Buffer.concat([pending, d]);
    for (; pending.length >= 1316; pending = pending.subarray(1316)) socket.send(pending.subarray(0, 1316), port, '127.0.0.1');
  });
  child.once('exit', () => {
    copy.end();
    socket.close();
  });
  return child;
}

function plainFeed(port: number): ChildProcess {
  return spawn('ffmpeg', testFeedArgs({ video: 'color=c=blue:size=160x90:rate=30', toneHz: 440, fps: 30, seconds: 12, target: udp(port) }), { stdio: 'ignore' });
}

/** The times (s) where the picture turns bright and where the sound turns loud, from ffmpeg's signalstats and astats. */
async function onsets(file: string): Promise<{ flashes: number[]; beeps: number[] }> {
  const result = await runFfmpeg('ffmpeg', ['-hide_banner', '-nostats', '-i', file,
    '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG',
    '-af', 'asetnsamples=n=240,astats=metadata=1:reset=1,ametadata=print:key=lavfi.astats.Overall.RMS_level', '-f', 'null', '-'], 60_000);
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  const flashes: number[] = [];
  const beeps: number[] = [];
  let at = NaN;
  let bright = false;
  let loud = false;
  for (const line of result.stderr.split('\n')) {
    const time = /pts_time:([\d.]+)/.exec(line);
    if (time) at = Number(time[1]);
    const y = /signalstats\.YAVG=([\d.]+)/.exec(line);
    if (y) {
      const now = Number(y[1]) > 128;
      if (now && !bright) flashes.push(at);
      bright = now;
    }
    const rms = /RMS_level=(-?[\d.]+|-inf)/.exec(line);
    if (rms) {
      const now = rms[1] !== '-inf' && Number(rms[1]) > -30;
      if (now && !loud) beeps.push(at);
      loud = now;
    }
  }
  return { flashes, beeps };
}

/** The sound's offset on the picture (s, + when the beep comes after the flash), one per flash with a beep within 0.5 s. */
function offsets({ flashes, beeps }: { flashes: number[]; beeps: number[] }): number[] {
  return flashes.flatMap((f) => {
    const beep = beeps.reduce((best, b) => (Math.abs(b - f) < Math.abs(best - f) ? b : best), Infinity);
    return Math.abs(beep - f) < 0.5 ? [beep - f] : [];
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('room switcher: lip sync on the wall clock (real ffmpeg)', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill('SIGKILL')));

  const udpIn = (port: number): string => `udp://127.0.0.1:${port}?fifo_size=100000&overrun_nonfatal=1`;
  const feeds = (plain: number, flashing: number): Array<{ site: string; url: string }> => [{ site: 'plain', url: udpIn(plain) }, { site: 'flashing', url: udpIn(flashing) }];
  const slate = 'color=c=0x18202b:s=160x90:r=10';

  /** The graph engine's ffmpeg, its NUT into `shown`; resolves once it has written it all. */
  async function throughGraph(plain: number, flashing: number, shown: string, run: () => Promise<void>): Promise<void> {
    const args = roomSwitcherArgs({ feeds: feeds(plain, flashing), slate, size: { width: 160, height: 90 }, fps: 30, initial: 2, inputOptions: SWITCHER_INPUT, wallOrigin: Date.now() / 1000 });
    const display = spawn('ffmpeg', [...args.slice(0, args.indexOf('-progress')).filter((a) => a !== 'pipe:1'), '-y', shown], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(display);
    await run();
    const ended = new Promise((resolve) => display.once('exit', resolve));
    display.stdin!.end('q');
    await ended;
  }

  /** The frames engine, its sink writing the NUT it gets into `shown`. */
  async function throughFrames(plain: number, flashing: number, shown: string, run: () => Promise<void>): Promise<void> {
    const switcher = new FrameSwitcher({ ffmpeg: 'ffmpeg', sink: ['dd', `of=${shown}`, 'status=none'], size: { width: 160, height: 90 }, fps: 30, slate, feeds: feeds(plain, flashing), initial: 2 });
    switcher.start();
    try {
      await run();
    } finally {
      await switcher.stop();
    }
  }

  for (const [engine, through] of [['graph', throughGraph], ['frames', throughFrames]] as const) it(`keeps each flash and its beep together as the box sent them (${engine})`, async () => {
    const dir = await tempDir();
    try {
      const [flashing, plain] = [await freeUdpPort(), await freeUdpPort()];
      const reference = join(dir.path, 'sent.ts');
      const shown = join(dir.path, 'shown.nut');
      await through(plain, flashing, shown, async () => {
        await sleep(200);
        children.push(flashingFeed(flashing, reference), plainFeed(plain));
        await sleep(9000);
      });
      const sent = offsets(await onsets(reference));
      const seen = offsets(await onsets(shown));
      console.log(`      beep after flash, median: ${(median(sent) * 1000).toFixed(0)} ms as sent (${sent.length}), ${(median(seen) * 1000).toFixed(0)} ms on the ${engine} switcher's output (${seen.length})`);
      assert.ok(sent.length >= 5, `${sent.length} flashes with their beep in the box's own output`);
      assert.ok(seen.length >= 5, `${seen.length} flashes with their beep through the switcher`);
      assert.ok(Math.abs(median(seen) - median(sent)) <= 0.045, `lip sync moved ${((median(seen) - median(sent)) * 1000).toFixed(0)} ms through the switcher`);
    } finally {
      await dir.remove();
    }
  });
});
