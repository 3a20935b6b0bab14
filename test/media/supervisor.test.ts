/**
 * The encoder supervisor: restart policy with fake timers and a scripted
 * process, then the real thing (ffmpeg publishing to the relay) under kill -9
 * and SIGSTOP.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { parseEncoderConfig } from '../../src/media/config.js';
import type { EncoderProcess, EncoderProcessEvents, ExitInfo } from '../../src/media/ffmpeg.js';
import { createFeed } from '../../src/media/feed.js';
import type { ProgressSample } from '../../src/media/progress.js';
import { Relay } from '../../src/media/relay.js';
import { EncoderSupervisor, type SupervisorState } from '../../src/media/supervisor.js';
import { alive, freePort, quietLogger, SECRET, tempDir, waitForEvent } from './helpers.js';

class ScriptedProcess extends EventEmitter<EncoderProcessEvents> implements EncoderProcess {
  exited = false;
  exitInfo: ExitInfo | null = null;
  readonly signals: string[] = [];
  constructor(
    readonly pid: number,
    private readonly obeys: NodeJS.Signals[] = ['SIGINT', 'SIGKILL'],
  ) {
    super();
  }
  frame(n: number): void {
    const sample: ProgressSample = { frame: n, fps: 25, bitrateKbps: 800, speed: 1, dropFrames: 0, dupFrames: 0, outTime: n / 25, end: false };
    this.emit('progress', sample);
  }
  die(info: Partial<ExitInfo> = {}): void {
    if (this.exited) return;
    this.exited = true;
    this.exitInfo = { code: 1, signal: null, spawnError: null, stderrTail: ['rtmp://x: Connection refused'], ...info };
    this.emit('exit', this.exitInfo);
  }
  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (this.obeys.includes(signal)) this.die({ code: null, signal });
  }
}

describe('media encoder supervisor', function () {
  describe('restart policy (fake timers, scripted process)', () => {
    let clock: ReturnType<typeof FakeTimers.install>;
    let procs: ScriptedProcess[];
    let sup: EncoderSupervisor;
    let states: SupervisorState[];

    const make = (obeys?: NodeJS.Signals[], extra: Partial<ConstructorParameters<typeof EncoderSupervisor>[0]> = {}): void => {
      procs = [];
      states = [];
      sup = new EncoderSupervisor({
        encoder: 'libx264',
        initialDelayMs: 500,
        maxDelayMs: 4000,
        stableAfterMs: 10_000,
        stallTimeoutMs: 3000,
        killTimeoutMs: 2000,
        tickMs: 500,
        launch: async () => {
          const p = new ScriptedProcess(1000 + procs.length, obeys);
          procs.push(p);
          return p;
        },
        ...extra,
      });
      sup.on('state', (s) => states.push(s));
    };
    const last = (): ScriptedProcess => procs[procs.length - 1] as ScriptedProcess;

    beforeEach(() => {
      clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    });
    afterEach(async () => {
      await sup.stop().catch(() => undefined);
      clock.uninstall();
    });

    it('goes live on the first frame, and restarts a crash after 0.5, 1, 2, 4, 4 s', async () => {
      make();
      await sup.start();
      assert.equal(sup.state, 'starting');
      last().frame(1);
      assert.equal(sup.state, 'live');
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = procs.length;
        last().die();
        assert.equal(sup.state, 'restarting');
        const t0 = Date.now();
        while (procs.length === before) await clock.tickAsync(50);
        delays.push(Date.now() - t0);
      }
      assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000]);
      assert.equal(sup.figures().restarts, 5);
      assert.match(sup.figures().lastExit ?? '', /exit code 1: rtmp:\/\/x: Connection refused/);
    });

    it('after a stable period the delay starts small again', async () => {
      make();
      await sup.start();
      for (let i = 0; i < 3; i++) {
        last().die();
        await clock.tickAsync(5000);
      }
      last().frame(1);
      assert.equal(sup.state, 'live');
      for (let f = 2; f < 24; f++) {
        await clock.tickAsync(500);
        last().frame(f);
      }
      const before = procs.length;
      last().die();
      await clock.tickAsync(499);
      assert.equal(procs.length, before);
      await clock.tickAsync(1);
      assert.equal(procs.length, before + 1, 'restarted after the initial 500 ms');
    });

    it('kills a stalled encoder (no new frame for 3 s) and starts another', async () => {
      make();
      await sup.start();
      const stalls: number[] = [];
      sup.on('stall', (ms) => stalls.push(ms));
      last().frame(1);
      await clock.tickAsync(1000);
      last().frame(2);
      await clock.tickAsync(2500);
      assert.deepEqual(stalls, []);
      await clock.tickAsync(500);
      assert.equal(stalls.length, 1);
      assert.deepEqual(procs[0]?.signals, ['SIGKILL']);
      await clock.tickAsync(500);
      assert.equal(procs.length, 2);
      assert.deepEqual(states, ['starting', 'live', 'restarting', 'starting']);
    });

    it('stop sends SIGINT, then SIGKILL after the timeout to an encoder that ignores it', async () => {
      make(['SIGKILL']);
      await sup.start();
      last().frame(1);
      const stopping = sup.stop();
      await clock.tickAsync(1999);
      assert.deepEqual(last().signals, ['SIGCONT', 'SIGINT']);
      await clock.tickAsync(1);
      await stopping;
      assert.deepEqual(last().signals, ['SIGCONT', 'SIGINT', 'SIGKILL']);
      assert.equal(sup.state, 'idle');
      await clock.tickAsync(60_000);
      assert.equal(procs.length, 1, 'nothing restarts after stop');
    });

    it('fails for good when ffmpeg cannot be started at all', async () => {
      make(undefined, {
        launch: async () => {
          const p = new ScriptedProcess(1);
          procs.push(p);
          p.die({ code: null, spawnError: '/opt/ffmpeg: ENOENT' });
          return p;
        },
      });
      await sup.start();
      assert.equal(sup.state, 'failed');
      assert.match(sup.figures().lastExit ?? '', /could not start: \/opt\/ffmpeg: ENOENT/);
      await clock.tickAsync(60_000);
      assert.equal(procs.length, 1);
    });
  });

  describe('real ffmpeg publishing to the relay', function () {
    this.timeout(40_000);
    let relay: Relay;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let feed: EncoderSupervisor;

    before(async () => {
      dir = await tempDir();
      relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: dir.path, log: quietLogger('relay') });
      await relay.start();
      const config = parseEncoderConfig({
        size: '320x180',
        fps: 15,
        bitrateKbps: 300,
        x264Preset: 'ultrafast',
        output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET },
        restart: { initialDelayMs: 300, stallTimeoutMs: 1500, killTimeoutMs: 1000 },
      });
      feed = createFeed({ config, site: 'saint-camille', encoder: 'libx264', binary: 'ffmpeg', log: quietLogger('feed') });
      const live = waitForEvent(feed, 'state', (s: SupervisorState) => s === 'live', 10_000, 'first live');
      await feed.start();
      await live;
    });

    after(async () => {
      const pid = feed.pid;
      await feed.stop();
      assert.equal(alive(pid), false, 'ffmpeg is gone after stop');
      await relay.stop();
      await dir.remove();
    });

    it('kill -9 of ffmpeg: a new one goes live again', async () => {
      const pid = feed.pid;
      assert.ok(pid && alive(pid));
      const relive = waitForEvent(feed, 'state', (s: SupervisorState, prev: SupervisorState) => s === 'live' && prev === 'starting', 10_000, 'live again after kill -9');
      process.kill(pid, 'SIGKILL');
      await relive;
      assert.notEqual(feed.pid, pid);
      assert.equal(feed.figures().restarts, 1);
      assert.match(feed.figures().lastExit ?? '', /SIGKILL/);
    });

    it('a stopped (SIGSTOP) ffmpeg is seen as stalled, killed and replaced', async () => {
      const pid = feed.pid;
      assert.ok(pid);
      const stalled = waitForEvent<[number]>(feed, 'stall', () => true, 6000, 'stall detected');
      const relive = waitForEvent(feed, 'state', (s: SupervisorState, prev: SupervisorState) => s === 'live' && prev === 'starting', 10_000, 'live again after the stall');
      process.kill(pid, 'SIGSTOP');
      const [silentMs] = await stalled;
      assert.ok(silentMs >= 1500, `silent for ${silentMs} ms before the restart`);
      await relive;
      assert.equal(alive(pid), false, 'the stopped process was killed');
      assert.notEqual(feed.pid, pid);
    });
  });
});
