/** The wire state machine alone, on fake timers: exact timeouts, retries and socket bookkeeping. */
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { CameraChannel, type Outbound } from '../../src/ptz/channel.js';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { setLang } from '../../src/i18n/index.js';

describe('VISCA channel state machine (fake timers)', () => {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  let clock: ReturnType<typeof FakeTimers.install>;
  let written: Outbound[];
  let channel: CameraChannel;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
    written = [];
    channel = new CameraChannel((out) => written.push(out), { where: 'camera 1 on test', ackTimeoutMs: 1000, completionTimeoutMs: 5000 });
  });
  afterEach(() => clock.uninstall());

  const settle = async <T>(p: Promise<T>): Promise<{ ok: T } | { error: ViscaError }> => p.then((ok) => ({ ok }), (error: ViscaError) => ({ error }));

  it('resends once exactly at the ACK timeout, then fails at the second', async () => {
    const outcome = settle(channel.send(v.home()));
    assert.equal(written.length, 1);
    await clock.tickAsync(999);
    assert.equal(written.length, 1);
    await clock.tickAsync(1);
    assert.equal(written.length, 2);
    assert.equal(written[1], written[0], 'the same command object is resent');
    await clock.tickAsync(1000);
    const result = await outcome;
    assert.ok('error' in result);
    assert.equal(result.error.failure, 'timeout');
    assert.match(result.error.message, /no acknowledgement within 1000 ms \(sent 2 times\)/);
  });

  it('holds a third command until a socket frees, and does not send it early', async () => {
    const a = settle(channel.send(v.presetRecall(1)));
    channel.handle({ type: 'ack', from: 1, socket: 1 });
    const b = settle(channel.send(v.zoomDirect(10)));
    channel.handle({ type: 'ack', from: 1, socket: 2 });
    const c = settle(channel.send(v.home()));
    assert.equal(written.length, 2, 'both sockets busy: the third waits');
    const inquiry = settle(channel.send(v.inquirePower()));
    assert.equal(written.length, 2, 'queued behind the third command, in order');
    channel.handle({ type: 'completion', from: 1, socket: 2, data: new Uint8Array(0) });
    assert.equal(written.length, 3);
    assert.equal(written[2]!.cmd.name, 'pan-tilt home');
    channel.handle({ type: 'ack', from: 1, socket: 2 });
    assert.equal(written[3]!.cmd.name, 'power inquiry');
    channel.handle({ type: 'completion', from: 1, socket: 0, data: Uint8Array.of(0x02) });
    channel.handle({ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) });
    channel.handle({ type: 'completion', from: 1, socket: 2, data: new Uint8Array(0) });
    assert.deepEqual((await inquiry as { ok: { value: unknown } }).ok.value, 'on');
    for (const p of [a, b, c]) assert.ok('ok' in (await p));
    assert.equal(channel.inFlight, 0);
  });

  it('Cancel: written at once for each busy socket, answered through the command it stops', async () => {
    const move = settle(channel.send(v.presetRecall(3)));
    channel.handle({ type: 'ack', from: 1, socket: 1 });
    const zoom = settle(channel.send(v.zoomDirect(10)));
    channel.handle({ type: 'ack', from: 1, socket: 2 });
    const waiting = settle(channel.send(v.inquirePower()));
    assert.equal(written.length, 3, 'the inquiry waits for its answer');
    const cancelled = channel.cancelRunning();
    assert.deepEqual(written.slice(3).map((o) => [o.cmd.name, Array.from(o.cmd.body)]), [
      ['cancel socket 1', [0x21, 0xff]],
      ['cancel socket 2', [0x22, 0xff]],
    ]);
    channel.handle({ type: 'error', from: 1, socket: 1, code: 0x04 });
    // The zoom finished before its Cancel arrived: the camera answers "no socket".
    channel.handle({ type: 'completion', from: 1, socket: 2, data: new Uint8Array(0) });
    assert.deepEqual(await cancelled, ['preset recall 3']);
    const moved = await move;
    assert.ok('error' in moved && moved.error.failure === 'cancelled');
    assert.ok('ok' in (await zoom));
    channel.handle({ type: 'completion', from: 1, socket: 0, data: Uint8Array.of(0x02) });
    assert.ok('ok' in (await waiting), 'the inquiry in flight is untouched');
  });

  it('Cancel with nothing running writes nothing; an unanswered one gives up at the ACK timeout', async () => {
    assert.deepEqual(await channel.cancelRunning(), []);
    assert.equal(written.length, 0);
    const move = settle(channel.send(v.presetRecall(3)));
    channel.handle({ type: 'ack', from: 1, socket: 1 });
    const cancelled = channel.cancelRunning();
    await clock.tickAsync(1000);
    assert.deepEqual(await cancelled, [], 'no answer: nothing was cancelled');
    channel.handle({ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) });
    assert.ok('ok' in (await move), 'the move ran to its end');
  });

  it('ignores a completion for a socket that holds nothing', () => {
    void settle(channel.send(v.inquireZoom()));
    assert.equal(channel.handle({ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) }), false);
    assert.equal(channel.inFlight, 1);
  });

  it('matches by sequence number when one is given', async () => {
    const p = settle(channel.send(v.home()));
    written[0]!.seq = 7;
    assert.equal(channel.handle({ type: 'ack', from: 1, socket: 1 }, 6), false);
    assert.equal(channel.handle({ type: 'ack', from: 1, socket: 1 }, 7), true);
    assert.equal(channel.handle({ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) }, 8), false);
    assert.equal(channel.handle({ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) }, 7), true);
    assert.ok('ok' in (await p));
  });

  it('resends a command interrupted by a reset without using up its retry, but only twice', async () => {
    const outcome = settle(channel.send(v.home()));
    channel.pause('a network change');
    channel.resume();
    assert.equal(written.length, 2);
    assert.equal(written[1]!.attempts, 1, 'an interruption gives the attempt back');
    channel.handle({ type: 'ack', from: 1, socket: 1 });
    channel.pause('a network change'); // acknowledged and running: interrupted as well
    channel.resume();
    assert.equal(written.length, 3);
    channel.pause('a network change');
    const result = await outcome;
    assert.ok('error' in result);
    assert.equal(result.error.failure, 'link-unstable');
    assert.match(result.error.message, /pan-tilt home: interrupted 3 times while on its way \(a network change\); relais gives up on it/);
    channel.resume();
    assert.equal(written.length, 3, 'not written again');
    assert.equal(channel.inFlight, 0);
  });

  it('an interruption does not refill the budget: a timeout retry and two interruptions, then the next timeout fails', async () => {
    const outcome = settle(channel.send(v.inquirePower()));
    await clock.tickAsync(1000); // no answer: the one retry
    for (let i = 0; i < 2; i++) {
      channel.pause('a reset');
      channel.resume();
    }
    assert.equal(written.length, 4);
    await clock.tickAsync(1000);
    const result = await outcome;
    assert.ok('error' in result);
    assert.equal(result.error.failure, 'timeout');
    assert.match(result.error.message, /no acknowledgement within 1000 ms \(sent 4 times\)/);
    assert.equal(written.length, 4, 'four writes in all: 1 + 1 retry + 2 interruptions');
  });

  it('a queued command that was never written is not charged for an interruption', async () => {
    const first = settle(channel.send(v.inquirePower()));
    const second = settle(channel.send(v.inquireZoom()));
    for (let i = 0; i < 2; i++) {
      channel.pause('a reset');
      channel.resume();
    }
    channel.handle({ type: 'completion', from: 1, socket: 0, data: Uint8Array.of(0x02) });
    channel.pause('a reset');
    channel.resume();
    channel.handle({ type: 'completion', from: 1, socket: 0, data: Uint8Array.of(0, 0, 1, 0) });
    assert.ok('ok' in (await first));
    const zoomed = await second;
    assert.ok('ok' in zoomed && zoomed.ok.value === 0x10);
  });

  it('refuses more than the bounded queue', async () => {
    const small = new CameraChannel(() => undefined, { where: 'camera 1 on test', maxQueue: 2 });
    void small.send(v.home()).catch(() => undefined);
    void small.send(v.home()).catch(() => undefined);
    void small.send(v.home()).catch(() => undefined);
    const error = await small.send(v.home()).then(() => null, (e: ViscaError) => e);
    assert.match(error!.message, /2 commands already wait for this camera/);
    small.failAll('link-closed');
  });
});

describe('VISCA errors in the language of the moment', () => {
  after(() => setLang('fr'));

  it('says the camera\'s reply and what to do in Quebec French, and in English on request', () => {
    setLang('fr');
    const fr = new ViscaError('syntax', 'caméra 1 sur /dev/ttyUSB0', 'tally on');
    assert.equal(fr.message, 'caméra 1 sur /dev/ttyUSB0\u00a0: tally on\u00a0: la caméra a répondu «\u00a0erreur de syntaxe\u00a0» (la caméra ne connaît pas cette commande; vérifiez que le modèle de caméra la prend en charge)');
    assert.equal(fr.failure, 'syntax');
    setLang('en');
    assert.equal(new ViscaError('not-executable', 'camera 1 on /dev/ttyUSB0', 'preset recall').message, 'camera 1 on /dev/ttyUSB0: preset recall: camera replied "command not executable" (the camera cannot do this now (powered off, in a menu, or the preset/position is not available))');
  });
});
