/**
 * The switcher's control over ZeroMQ, against a real ffmpeg: the `zmq` and
 * `azmq` filters built from controlFilter take a switch and answer it, a
 * switch to an input that does not exist is refused with ffmpeg's error (and
 * changes nothing), a control with no ffmpeg behind it gives up within its
 * timeout, and a directory too deep for a Unix socket's path gets no
 * endpoints (the switcher then uses stdin).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlAvailable, controlEndpoints, controlFilter, ZmqSwitch, type ControlEndpoints } from '../../src/media/switch-control.js';
import { waitFor } from '../helpers/wait.js';

describe('switch control over ZeroMQ (real ffmpeg)', function () {
  this.timeout(30_000);
  let dir = '';
  let ff: ChildProcess | null = null;
  let control: ZmqSwitch | null = null;
  let endpoints: ControlEndpoints;
  /** The map of the picture at each output frame, from showinfo's lines (the colour's mean Y). */
  const lumas: number[] = [];

  before(async () => {
    assert.equal(await controlAvailable('ffmpeg'), null, 'this machine has the zeromq binding and an ffmpeg with libzmq');
    dir = await mkdtemp(join(tmpdir(), 'relais-zmq-'));
    endpoints = controlEndpoints(dir, 1)!;
    // Two inputs: black (Y 16) and white (Y 235), each with a tone; the switch is seen in showinfo's mean.
    const graph = [
      'color=black:s=64x36:r=25[v0]',
      'color=white:s=64x36:r=25[v1]',
      `[v0][v1]streamselect=inputs=2:map=0,${controlFilter('video', endpoints.video)},showinfo,realtime[v]`,
      'sine=440:sample_rate=8000[a0]',
      'sine=880:sample_rate=8000[a1]',
      `[a0][a1]astreamselect=inputs=2:map=0,${controlFilter('audio', endpoints.audio)},arealtime[a]`,
    ].join(';');
    ff = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-filter_complex', graph, '-map', '[v]', '-map', '[a]', '-t', '25', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let pending = '';
    ff.stderr!.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /mean:\[(\d+) /.exec(line);
        if (m) lumas.push(Number(m[1]));
      }
    });
    await waitFor('ffmpeg running', () => lumas.length > 3, 10_000);
    control = new ZmqSwitch(endpoints, 1000);
  });

  after(async () => {
    control?.close();
    ff?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('switches picture and sound on one command each, and each filter answers', async () => {
    assert.equal(lumas.at(-1), 16, 'black on screen first');
    const reply = await control!.select(1);
    assert.deepEqual(reply, { video: '0 Success', audio: '0 Success' });
    const from = lumas.length;
    await waitFor('white on screen', () => lumas.slice(from).includes(235), 5000);
  });

  it('refuses an input that does not exist with ffmpeg’s own error, and the picture stays', async () => {
    const reply = await control!.select(7);
    assert.match(reply.video, /^22 /, reply.video);
    assert.match(reply.audio, /^22 /, reply.audio);
    const from = lumas.length;
    await waitFor('five more frames', () => lumas.length >= from + 5, 5000);
    assert.ok(lumas.slice(from).every((y) => y === 235), `still white: ${lumas.slice(from).join(' ')}`);
    assert.deepEqual(await control!.select(0), { video: '0 Success', audio: '0 Success' }, 'and takes the next good one');
  });

  it('gives up on a socket nobody serves within its timeout', async () => {
    const lonely = new ZmqSwitch(controlEndpoints(dir, 2)!, 300);
    try {
      await assert.rejects(lonely.select(1));
    } finally {
      lonely.close();
    }
  });

  it('names no endpoint for a directory too deep for a Unix socket', () => {
    assert.equal(controlEndpoints(`/${'d'.repeat(100)}`, 1), null);
    assert.match(controlEndpoints('/run/relais', 3)!.video, /^ipc:\/\/\/run\/relais\/switch-3-v\.sock$/);
  });
});
