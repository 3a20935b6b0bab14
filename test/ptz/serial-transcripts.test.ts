/**
 * Conversations with a simulated camera over a real serial port (socat pty
 * pair): one describe per VISCA edge case, each checked line by line as the
 * camera's end of the wire saw it, relais's bytes and the camera's answers.
 */
import assert from 'node:assert/strict';
import * as v from '../../src/ptz/commands.js';
import { ViscaError } from '../../src/ptz/errors.js';
import { nextEvent, rejection, says, serialRig, type SerialRig } from './rig.js';
import { setLang } from '../../src/i18n/index.js';

const { relais, camera: cam } = says;

describe('VISCA serial transcripts', function () {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  let rig: SerialRig;

  before(async () => {
    rig = await serialRig(1);
    await rig.link.open();
  });
  after(async () => {
    await rig?.stop();
  });
  beforeEach(() => {
    rig.sim.transcript.clear();
  });

  const camera = () => rig.sim.chain.camera(1)!;
  const talk = (): string[] => [...rig.sim.transcript.lines];
  const visca = (error: Error): ViscaError => error as unknown as ViscaError;
  const failureOf = (error: Error): string => visca(error).failure;

  describe('ACK then completion', () => {
    it('recalls a preset, then reads the position back', async () => {
      camera().presets.set(3, { pan: 500, tilt: -100, zoom: 800 });
      const result = await rig.link.send(1, v.presetRecall(3));
      assert.equal(result.attempts, 1);
      assert.deepEqual(camera().position(), { pan: 500, tilt: -100, zoom: 800 });
      const position = await rig.link.send(1, v.inquirePosition());
      assert.deepEqual(position.value, { pan: 500, tilt: -100 });
      assert.deepEqual(talk(), [
        relais('81 01 04 3F 02 03 FF'), // CAM_Memory Recall 3
        cam('90 41 FF'), // accepted into socket 1
        cam('90 51 FF'), // done
        relais('81 09 06 12 FF'), // Pan-tiltPosInq
        cam('90 50 00 01 0F 04 0F 0F 09 0C FF'), // pan 0x01F4 = 500, tilt 0xFF9C = -100
      ]);
    });

    it('runs a move and a zoom at once in the two sockets', async () => {
      camera().presets.set(4, { pan: -2000, tilt: 0, zoom: 0 });
      const [move, zoom] = await Promise.all([rig.link.send(1, v.presetRecall(4)), rig.link.send(1, v.zoomDirect(0x2000))]);
      assert.equal(move.attempts + zoom.attempts, 2);
      // The zoom took over the zoom axis of the preset move; the pan went on to the preset.
      assert.deepEqual(camera().position(), { pan: -2000, tilt: 0, zoom: 0x2000 });
      const lines = talk();
      assert.deepEqual(lines.slice(0, 4), [relais('81 01 04 3F 02 04 FF'), cam('90 41 FF'), relais('81 01 04 47 02 00 00 00 FF'), cam('90 42 FF')]);
      // Each socket completes when its own move ends, in whichever order.
      assert.deepEqual(lines.slice(4).sort(), [cam('90 51 FF'), cam('90 52 FF')]);
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
      assert.deepEqual(talk(), [
        relais('81 01 04 3F 02 05 FF'),
        cam('90 41 FF'),
        relais('81 01 06 04 FF'), // Pan-tiltHome
        cam('90 61 04 FF'), // socket 1 cancelled by the newer move
        cam('90 42 FF'),
        cam('90 52 FF'),
      ]);
    });
  });

  describe('Cancel', () => {
    it('stops a preset move on its way: 81 21 FF -> 90 61 04 FF; the camera stays where it was', async () => {
      camera().presets.set(6, { pan: 0x7000, tilt: 0, zoom: 0 });
      const move = rig.link.send(1, v.presetRecall(6));
      // Answered only once relais has read the move's ACK: the move is on its way by then.
      await rig.link.send(1, v.inquirePower());
      const names = await rig.link.cancel(1);
      assert.deepEqual(names, ['preset recall 6']);
      const error = await rejection(move);
      assert.ok(error instanceof ViscaError);
      assert.equal(error.failure, 'cancelled');
      assert.notEqual(camera().position().pan, 0x7000, 'the preset was never reached');
      assert.deepEqual(talk(), [
        relais('81 01 04 3F 02 06 FF'),
        cam('90 41 FF'),
        relais('81 09 04 00 FF'), // CAM_PowerInq
        cam('90 50 02 FF'), // on
        relais('81 21 FF'), // Cancel socket 1
        cam('90 61 04 FF'),
      ]);
      // The camera takes commands again at once.
      await rig.link.send(1, v.home());
    });

    it('with nothing running, sends nothing and cancels nothing', async () => {
      assert.deepEqual(await rig.link.cancel(1), []);
      assert.deepEqual(talk(), []);
    });
  });

  describe('syntax error', () => {
    it('90 60 02 FF becomes a typed error naming camera and command', async () => {
      camera().inject('syntax-error');
      const error = await rejection(rig.link.send(1, v.tally(true)));
      assert.equal(failureOf(error), 'syntax');
      assert.match(error.message, /^camera 1 on .* at 9600 baud: tally on: camera replied "syntax error" \(.*model supports it\)$/);
      assert.deepEqual(talk(), [relais('81 01 7E 01 0A 00 02 FF'), cam('90 60 02 FF')]);
    });
  });

  describe('buffer full', () => {
    it('90 60 03 FF says to wait for the running move; the line is usable afterwards', async () => {
      camera().inject('buffer-full');
      const error = await rejection(rig.link.send(1, v.home()));
      assert.equal(failureOf(error), 'buffer-full');
      assert.equal(visca(error).retryable, true);
      assert.match(error.message, /command buffer full.*try again/);
      await rig.link.send(1, v.home());
      assert.deepEqual(talk(), [relais('81 01 06 04 FF'), cam('90 60 03 FF'), relais('81 01 06 04 FF'), cam('90 41 FF'), cam('90 51 FF')]);
    });
  });

  describe('cancelled', () => {
    it("ACK then 90 6y 04 FF rejects that socket's command", async () => {
      camera().inject('cancel');
      const error = await rejection(rig.link.send(1, v.zoomDirect(100)));
      assert.equal(failureOf(error), 'cancelled');
      assert.deepEqual(talk(), [relais('81 01 04 47 00 00 06 04 FF'), cam('90 41 FF'), cam('90 61 04 FF')]);
    });
  });

  describe('no socket', () => {
    it('90 61 05 FF is reported as no socket', async () => {
      camera().inject('no-socket');
      const error = await rejection(rig.link.send(1, v.stop()));
      assert.equal(failureOf(error), 'no-socket');
      assert.deepEqual(talk(), [relais('81 01 06 01 0C 0A 03 03 FF'), cam('90 61 05 FF')]);
    });
  });

  describe('not executable', () => {
    it('90 61 41 FF, e.g. a preset that was never stored', async () => {
      camera().presets.delete(99);
      const error = await rejection(rig.link.send(1, v.presetRecall(99)));
      assert.equal(failureOf(error), 'not-executable');
      assert.match(error.message, /preset recall 99: camera replied "command not executable"/);
      assert.deepEqual(talk(), [relais('81 01 04 3F 02 63 FF'), cam('90 61 41 FF')]);
    });
  });

  describe('malformed inquiry answer', () => {
    it('an answer one byte short is "not a valid answer", with its bytes', async () => {
      camera().inject('short-reply');
      const error = await rejection(rig.link.send(1, v.inquireZoom()));
      assert.equal(failureOf(error), 'bad-reply');
      assert.match(
        error.message,
        /^camera 1 on .*: zoom position inquiry: the camera's reply 90 50 0. 0. 0. FF is not a valid answer to zoom position inquiry \(it must carry 4 data bytes 00-0F; it carries 3\) \(check that the camera model supports this inquiry/,
      );
      assert.doesNotMatch(error.message, /error code/);
      assert.equal(talk().length, 2);
      assert.match(talk()[1]!, /^camera -> relais  90 50 0. 0. 0. FF$/);
    });

    it('a data byte beyond a nibble is "not a valid answer" too, and the next inquiry is read normally', async () => {
      camera().inject('bad-nibble');
      const error = await rejection(rig.link.send(1, v.inquirePosition()));
      assert.equal(failureOf(error), 'bad-reply');
      assert.match(error.message, /the camera's reply 90 50 1. (0. ){7}FF is not a valid answer to pan-tilt position inquiry \(it must carry 8 data bytes 00-0F; data byte 1 is 1.\)/);
      assert.equal((await rig.link.send(1, v.inquirePower())).value, 'on');
      assert.deepEqual(talk().slice(2), [relais('81 09 04 00 FF'), cam('90 50 02 FF')]);
    });
  });

  describe('lost completion', () => {
    it('times out, sends once more, and succeeds when the retry completes', async function () {
      const quick = await serialRig(1, { completionTimeoutMs: 150 });
      try {
        await quick.link.open();
        quick.sim.transcript.clear();
        quick.sim.chain.camera(1)!.inject('lose-completion');
        const result = await quick.link.send(1, v.home());
        assert.equal(result.attempts, 2);
        assert.deepEqual([...quick.sim.transcript.lines], [
          relais('81 01 06 04 FF'),
          cam('90 41 FF'), // ... and no completion within 150 ms
          relais('81 01 06 04 FF'),
          cam('90 41 FF'),
          cam('90 51 FF'),
        ]);
      } finally {
        await quick.stop();
      }
    });

    it('gives a clear error when the retry loses its completion too', async () => {
      const quick = await serialRig(1, { completionTimeoutMs: 150 });
      try {
        await quick.link.open();
        quick.sim.transcript.clear();
        quick.sim.chain.camera(1)!.inject('lose-completion', 'lose-completion');
        const error = await rejection(quick.link.send(1, v.home()));
        assert.equal(failureOf(error), 'timeout');
        assert.match(error.message, /pan-tilt home: acknowledged in socket 1 but no completion within 150 ms \(sent 2 times\) \(check the cable/);
        assert.deepEqual([...quick.sim.transcript.lines], [relais('81 01 06 04 FF'), cam('90 41 FF'), relais('81 01 06 04 FF'), cam('90 41 FF')]);
      } finally {
        await quick.stop();
      }
    });

    it('retries a lost acknowledgement once as well', async () => {
      camera().inject('no-reply');
      const result = await rig.link.send(1, v.power(true));
      assert.equal(result.attempts, 2);
      assert.deepEqual(talk(), [relais('81 01 04 00 02 FF'), relais('81 01 04 00 02 FF'), cam('90 41 FF'), cam('90 51 FF')]);
      rig.sim.transcript.clear();
      camera().inject('no-reply', 'no-reply');
      const error = await rejection(rig.link.send(1, v.power(true)));
      assert.match(error.message, /power on: no acknowledgement within 300 ms \(sent 2 times\)/);
      assert.deepEqual(talk(), [relais('81 01 04 00 02 FF'), relais('81 01 04 00 02 FF')]);
    });
  });

  describe('garbage then resync', () => {
    it('skips bytes that are not VISCA and reads the answer after them', async () => {
      camera().inject('garbage');
      const garbage = nextEvent(rig.link, 'garbage');
      const result = await rig.link.send(1, v.inquirePower());
      assert.equal(result.value, 'on');
      await garbage;
      assert.deepEqual(talk(), [relais('81 09 04 00 FF'), cam(`90 12 34 56 FF ${'55 '.repeat(20)}FF`), cam('90 50 02 FF')]);
    });

    it('ignores stray bytes written between commands', async () => {
      let seen = 0;
      const both = nextEvent(rig.link, 'garbage', () => ++seen === 2);
      rig.sim.inject(Uint8Array.of(0x00, 0x13, 0x37, 0xff, 0x90, 0x51, 0xff, 0x90));
      rig.sim.inject(Uint8Array.of(0x41, 0x00, 0xff));
      await both;
      const result = await rig.link.send(1, v.inquireZoom());
      assert.equal(typeof result.value, 'number');
      assert.deepEqual(talk().slice(0, 3), [cam('00 13 37 FF 90 51 FF 90'), cam('41 00 FF'), relais('81 09 04 47 FF')]);
    });
  });

  describe('network change', () => {
    it('90 38 FF: relais addresses the chain again, then sends what waited', async () => {
      const readdressed = nextEvent(rig.link, 'addressed');
      const addressSet = nextEvent(rig.sim, 'packet');
      rig.sim.chain.networkChange();
      await addressSet;
      const waiting = rig.link.send(1, v.inquirePower()); // asked while the chain is being addressed
      assert.deepEqual(await readdressed, [1]);
      assert.equal((await waiting).value, 'on');
      assert.deepEqual(talk(), [
        cam('90 38 FF'), // a camera came or went
        relais('88 30 01 FF'), // AddressSet broadcast
        cam('88 30 02 FF'), // one camera on the chain
        relais('88 01 00 01 FF'), // IF_Clear broadcast
        cam('88 01 00 01 FF'),
        relais('81 09 04 00 FF'),
        cam('90 50 02 FF'),
      ]);
    });
  });
});
