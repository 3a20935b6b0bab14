/**
 * The product's room display with the switcher, through real ffmpeg and SRT
 * (the rig: display-rig.ts): each hand-off must go from one colour (and
 * tone) to the other with no black frame, the slate must show with nobody on
 * air, hand-offs between decoded feeds keep one process, and a feed that
 * dies must not stop the other, which comes back once it answers again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { waitFor } from '../helpers/wait.js';
import { handOff, longestGap, startDisplayRig, type DisplayRig, type HandOff } from './display-rig.js';

describe('room display with the switcher (real ffmpeg, SRT feeds)', function () {
  this.timeout(120_000);
  let rig: DisplayRig | null = null;
  after(async () => {
    await rig?.stop();
  });

  it('hands off with no black frame, sound following, shows the slate, and survives a dying feed', async () => {
    rig = await startDisplayRig();
    const r = rig;
    assert.equal(r.last()?.mode, 'switcher', 'auto with SRT and two other sites: the switcher');
    assert.deepEqual(r.last()?.feeds, ['saint-camille', 'rouyn-noranda']);
    await waitFor('the slate on screen (no floor yet)', () => r.video.filter((f) => f.what === 'slate').length >= 5, 10_000);
    assert.equal(r.last()?.slate, 'no-floor');
    const pid = (r.feature as unknown as { switched: { pid: number } }).switched.pid;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes('nut') && argv.includes('pipe:3') && !argv.some((a) => a.startsWith('srt://')), `the mux reads raw pictures and sound, no feed: ${argv.join(' ')}`);
    const decoders = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/)
      .map((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8')).filter((cmd) => cmd.startsWith('ffmpeg\0') && cmd.includes('srt://'));
    assert.equal(decoders.length, 2, 'one decoder per feed');

    const figures: Array<{ what: string } & HandOff> = [];
    figures.push({ what: 'slate -> saint-camille', ...(await handOff(r, 'saint-camille', 'rouyn-noranda', 'red', 'low')) });
    assert.equal(r.last()?.playing, 'saint-camille');
    figures.push({ what: 'saint-camille -> rouyn-noranda', ...(await handOff(r, 'rouyn-noranda', 'saint-camille', 'blue', 'high')) });
    figures.push({ what: 'rouyn-noranda -> slate', ...(await handOff(r, null, 'saint-camille', 'slate', 'silent')) });
    assert.equal(r.last()?.slate, 'nobody-on-air');
    figures.push({ what: 'slate -> saint-camille', ...(await handOff(r, 'saint-camille', null, 'red', 'low')) });
    assert.deepEqual(figures.map((f) => f.bad), [0, 0, 0, 0], 'no black or unknown frame during a hand-off');
    assert.equal((r.feature as unknown as { switched: { pid: number } }).switched.pid, pid, 'hand-offs between decoded feeds keep the one process');

    // rouyn-noranda's encoder dies: its SRT connection stays up, silent. saint-camille stays on screen.
    const beforeDeath = r.video.length;
    const diedAt = performance.now();
    r.blue.encoder.kill('SIGKILL');
    await waitFor('rouyn-noranda reported lost', () => r.last()?.lost?.includes('rouyn-noranda') === true, 10_000);
    await waitFor('saint-camille ready again, alone', () => r.last()?.ready?.join() === 'saint-camille', 20_000);
    const resumeFrom = r.video.length;
    await waitFor('red frames again after the dead feed', () => r.video.slice(resumeFrom).filter((f) => f.what === 'red').length >= 10, 10_000);
    const episode = r.video.slice(beforeDeath);
    assert.ok(episode.every((f) => f.what === 'red'), `while rouyn-noranda died: ${episode.map((f) => f.what).join(' ')}`);
    const frozenMs = longestGap(r.video, beforeDeath);
    assert.equal((r.feature as unknown as { switched: { pid: number } }).switched.pid, pid, 'a feed that dies off air costs no new process');
    assert.ok(frozenMs < 2000, `the picture on air held ${frozenMs.toFixed(0)} ms: at most the read timeout (1 s) and a little`);

    // It comes back: the probe finds it, and a hand-off to it plans a process with it again.
    r.blue.restart();
    await waitFor('rouyn-noranda no longer lost', () => r.last()?.lost?.length === 0, 20_000);
    const back = await handOff(r, 'rouyn-noranda', null, 'blue', 'high');
    process.stdout.write(`      ${figures.map((f) => `${f.what}: ${f.switchMs.toFixed(0)} ms, longest frame gap ${f.gapMs.toFixed(0)} ms`).join('\n      ')}\n`);
    process.stdout.write(`      dead feed: picture held ${frozenMs.toFixed(0)} ms at most (on screen again ${((r.video[resumeFrom]?.at ?? 0) - diedAt).toFixed(0)} ms after the kill); back after a re-plan: ${back.switchMs.toFixed(0)} ms\n`);
    const blackOrOther = r.video.filter((f) => f.what === 'black' || f.what === 'other').length;
    assert.equal(blackOrOther, 0, `${blackOrOther} black or unknown frames in ${r.video.length}`);
    await rig.stop();
    rig = null;
  });

  it('the graph engine, its switches over ZeroMQ (ffmpeg not reading stdin), as cleanly', async () => {
    rig = await startDisplayRig({ engine: 'graph', noStdin: true });
    const r = rig;
    const pid = (r.feature as unknown as { switched: { pid: number } }).switched.pid;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes('-nostdin') && argv.some((a) => a.includes(',zmq=bind_address=ipc') && a.includes(',azmq=bind_address=ipc')), 'the switcher takes its switches over ZeroMQ');
    const figures = [
      await handOff(r, 'saint-camille', 'rouyn-noranda', 'red', 'low'),
      await handOff(r, 'rouyn-noranda', 'saint-camille', 'blue', 'high'),
      await handOff(r, null, 'saint-camille', 'slate', 'silent'),
    ];
    assert.deepEqual(figures.map((f) => f.bad), [0, 0, 0], 'no black or unknown frame during a hand-off');
    process.stdout.write(`      graph, over ZeroMQ: ${figures.map((f) => `${f.switchMs.toFixed(0)} ms`).join(', ')}\n`);
    await rig.stop();
    rig = null;
  });

  it('the graph engine with `control: stdin` (an ffmpeg without the zmq filters) switches through stdin, as cleanly', async () => {
    rig = await startDisplayRig({ engine: 'graph', control: 'stdin' });
    const r = rig;
    const pid = (r.feature as unknown as { switched: { pid: number } }).switched.pid;
    assert.ok(!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('zmq='), 'no control filter in the graph');
    const figures = [
      await handOff(r, 'saint-camille', 'rouyn-noranda', 'red', 'low'),
      await handOff(r, 'rouyn-noranda', 'saint-camille', 'blue', 'high'),
      await handOff(r, null, 'saint-camille', 'slate', 'silent'),
    ];
    assert.deepEqual(figures.map((f) => f.bad), [0, 0, 0], 'no black or unknown frame during a hand-off');
    process.stdout.write(`      on stdin: ${figures.map((f) => `${f.switchMs.toFixed(0)} ms`).join(', ')}\n`);
  });
});
