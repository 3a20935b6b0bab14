/**
 * Conversations with a simulated camera over a real serial port (socat pty
 * pair): one describe per VISCA edge case.
 */
import assert from 'node:assert/strict';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { hexOf, nextEvent, rejection, serialRig, type SerialRig } from './rig.js';

describe('VISCA serial transcripts', function () {
  let rig: SerialRig;
  const sent: string[] = [];

  before(async () => {
    rig = await serialRig(1);
    rig.sim.chain.camera(1)!.on('command', (body) => sent.push(hexOf(body)));
    await rig.link.open();
  });
  after(async () => {
    await rig?.stop();
  });
  beforeEach(() => {
    sent.length = 0;
  });

  const camera = () => rig.sim.chain.camera(1)!;

  describe('ACK then completion', () => {
    it('recalls a preset: 81 01 04 3F 02 03 FF -> 90 4y FF -> 90 5y FF', async () => {
      camera().presets.set(3, { pan: 500, tilt: -100, zoom: 800 });
      const result = await rig.link.send(1, v.presetRecall(3));
      assert.equal(result.attempts, 1);
      assert.deepEqual(sent, ['01 04 3f 02 03 ff']);
      assert.deepEqual(camera().position(), { pan: 500, tilt: -100, zoom: 800 });
      const position = await rig.link.send(1, v.inquirePosition());
      assert.deepEqual(position.value, { pan: 500, tilt: -100 });
    });

    it('runs a move and a zoom at once in the two sockets', async () => {
      camera().presets.set(4, { pan: -2000, tilt: 0, zoom: 0 });
      const [move, zoom] = await Promise.all([rig.link.send(1, v.presetRecall(4)), rig.link.send(1, v.zoomDirect(0x2000))]);
      assert.equal(move.attempts + zoom.attempts, 2);
      // The zoom took over the zoom axis of the preset move; the pan went on to the preset.
      assert.deepEqual(camera().position(), { pan: -2000, tilt: 0, zoom: 0x2000 });
    });

    it('a newer move cancels the running one: 90 6y 04 FF', async () => {
      camera().presets.set(5, { pan: 2000, tilt: 0, zoom: 0 });
      const first = rig.link.send(1, v.presetRecall(5));
      const second = rig.link.send(1, v.home());
      const error = await rejection(first);
      assert.ok(error instanceof ViscaError);
      assert.equal(error.failure, 'cancelled');
      await second;
      assert.deepEqual(camera().position(), { pan: 0, tilt: 0, zoom: camera().position().zoom });
    });
  });

  describe('Cancel', () => {
    it('stops a preset move on its way: 81 21 FF -> 90 61 04 FF; the camera stays where it was', async () => {
      camera().presets.set(6, { pan: 0x7000, tilt: 0, zoom: 0 });
      const before = camera().position();
      const move = rig.link.send(1, v.presetRecall(6));
      await nextEvent(camera(), 'command');
      await new Promise((r) => setTimeout(r, 30));
      const names = await rig.link.cancel(1);
      assert.deepEqual(names, ['preset recall 6']);
      const error = await rejection(move);
      assert.ok(error instanceof ViscaError);
      assert.equal(error.failure, 'cancelled');
      assert.deepEqual(sent, ['01 04 3f 02 06 ff', '21 ff']);
      assert.notEqual(camera().position().pan, 0x7000, 'the preset was never reached');
      assert.notDeepEqual(before, { pan: 0x7000, tilt: 0, zoom: 0 });
      // The camera takes commands again at once.
      await rig.link.send(1, v.home());
    });

    it('with nothing running, sends nothing and cancels nothing', async () => {
      assert.deepEqual(await rig.link.cancel(1), []);
      assert.deepEqual(sent, []);
    });
  });

  describe('syntax error', () => {
    it('90 60 02 FF becomes a typed error naming camera and command', async () => {
      camera().inject('syntax-error');
      const error = await rejection(rig.link.send(1, v.tally(true)));
      assert.ok(error instanceof ViscaError);
      assert.equal(error.failure, 'syntax');
      assert.match(error.message, /^camera 1 on .* at 9600 baud: tally on: camera replied "syntax error" \(.*model supports it\)$/);
    });
  });

  describe('buffer full', () => {
    it('90 60 03 FF says to wait for the running move', async () => {
      camera().inject('buffer-full');
      const error = await rejection(rig.link.send(1, v.home()));
      assert.equal((error as unknown as ViscaError).failure, 'buffer-full');
      assert.equal((error as unknown as ViscaError).retryable, true);
      assert.match(error.message, /command buffer full.*try again/);
      await rig.link.send(1, v.home()); // the line is usable afterwards
    });
  });

  describe('cancelled', () => {
    it('ACK then 90 6y 04 FF rejects that socket\'s command', async () => {
      camera().inject('cancel');
      const error = await rejection(rig.link.send(1, v.zoomDirect(100)));
      assert.equal((error as unknown as ViscaError).failure, 'cancelled');
    });
  });

  describe('no socket', () => {
    it('90 61 05 FF is reported as no socket', async () => {
      camera().inject('no-socket');
      const error = await rejection(rig.link.send(1, v.stop()));
      assert.equal((error as unknown as ViscaError).failure, 'no-socket');
    });
  });

  describe('not executable', () => {
    it('90 61 41 FF, e.g. a preset that was never stored', async () => {
      camera().presets.delete(99);
      const error = await rejection(rig.link.send(1, v.presetRecall(99)));
      assert.equal((error as unknown as ViscaError).failure, 'not-executable');
      assert.match(error.message, /preset recall 99: camera replied "command not executable"/);
    });
  });

  describe('lost completion', () => {
    it('times out, sends once more, and succeeds when the retry completes', async function () {
      const quick = await serialRig(1, { completionTimeoutMs: 150 });
      try {
        await quick.link.open();
        const cam = quick.sim.chain.camera(1)!;
        const bodies: string[] = [];
        cam.on('command', (b) => bodies.push(hexOf(b)));
        cam.inject('lose-completion');
        const result = await quick.link.send(1, v.home());
        assert.equal(result.attempts, 2);
        assert.deepEqual(bodies, ['01 06 04 ff', '01 06 04 ff']);
      } finally {
        await quick.stop();
      }
    });

    it('gives a clear error when the retry loses its completion too', async () => {
      const quick = await serialRig(1, { completionTimeoutMs: 150 });
      try {
        await quick.link.open();
        quick.sim.chain.camera(1)!.inject('lose-completion', 'lose-completion');
        const error = await rejection(quick.link.send(1, v.home()));
        assert.equal((error as unknown as ViscaError).failure, 'timeout');
        assert.match(error.message, /pan-tilt home: acknowledged in socket 1 but no completion within 150 ms \(sent 2 times\) \(check the cable/);
      } finally {
        await quick.stop();
      }
    });

    it('retries a lost acknowledgement once as well', async () => {
      camera().inject('no-reply');
      const result = await rig.link.send(1, v.power(true));
      assert.equal(result.attempts, 2);
      camera().inject('no-reply', 'no-reply');
      const error = await rejection(rig.link.send(1, v.power(true)));
      assert.match(error.message, /power on: no acknowledgement within 300 ms \(sent 2 times\)/);
    });
  });

  describe('garbage then resync', () => {
    it('skips bytes that are not VISCA and reads the answer after them', async () => {
      camera().inject('garbage');
      const garbage = nextEvent(rig.link, 'garbage');
      const result = await rig.link.send(1, v.inquirePower());
      assert.equal(result.value, 'on');
      await garbage;
    });

    it('ignores stray bytes written between commands', async () => {
      let seen = 0;
      const both = nextEvent(rig.link, 'garbage', () => ++seen === 2);
      rig.sim.inject(Uint8Array.of(0x00, 0x13, 0x37, 0xff, 0x90, 0x51, 0xff, 0x90));
      rig.sim.inject(Uint8Array.of(0x41, 0x00, 0xff));
      await both;
      const result = await rig.link.send(1, v.inquireZoom());
      assert.equal(typeof result.value, 'number');
    });
  });
});
