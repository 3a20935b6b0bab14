import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { createNotifier } from '../../src/system/sd-notify.js';
import { socatAddress } from '../../src/system/notify-transport.js';
import { watchdogFromEnv } from '../../src/system/watchdog.js';
import { createLogger, setLogSink, type LogSink } from '../../src/util/log.js';
import { NotifyManager } from './notify-manager.js';

const log = createLogger('test');

describe('deploy: sd_notify', () => {
  describe('settings', () => {
    it('pings at half of WATCHDOG_USEC, only for the named process', () => {
      assert.deepEqual(watchdogFromEnv({ WATCHDOG_USEC: '20000000' }, 7), { enabled: true, timeoutMs: 20000, pingEveryMs: 10000 });
      assert.equal(watchdogFromEnv({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '7' }, 7).enabled, true);
      const other = watchdogFromEnv({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '8' }, 7);
      assert.equal(other.enabled, false);
      assert.match(other.enabled ? '' : other.reason, /WATCHDOG_PID=8 is another process/);
      const bad = watchdogFromEnv({ WATCHDOG_USEC: '20s' }, 7);
      assert.match(bad.enabled ? '' : bad.reason, /not a whole number/);
      assert.equal(watchdogFromEnv({}, 7).enabled, false);
    });

    it('maps socket names to socat addresses and rejects relative names', () => {
      assert.equal(socatAddress('/run/systemd/notify'), 'UNIX-SENDTO:/run/systemd/notify');
      assert.equal(socatAddress('@/org/freedesktop/systemd1/notify/1'), 'ABSTRACT-SENDTO:/org/freedesktop/systemd1/notify/1');
      assert.throws(() => socatAddress('notify'), /neither an absolute path nor an abstract name/);
    });
  });

  describe('with fake timers and a recording transport', () => {
    let clock: ReturnType<typeof FakeTimers.install>;
    let previousSink: LogSink;
    const logged: string[] = [];
    beforeEach(() => {
      clock = FakeTimers.install({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
      logged.length = 0;
      previousSink = setLogSink((line) => void logged.push(line));
    });
    afterEach(() => {
      setLogSink(previousSink);
      clock.uninstall();
    });

    function recorder(): { sent: string[]; make: () => { send: (m: string) => void; close: () => Promise<void> } } {
      const sent: string[] = [];
      return { sent, make: () => ({ send: (m: string) => void sent.push(m), close: async () => undefined }) };
    }

    it('is a no-op without NOTIFY_SOCKET', async () => {
      const rec = recorder();
      const n = createNotifier(log, { env: { WATCHDOG_USEC: '1000000' }, transport: rec.make });
      n.ready();
      n.startWatchdog(() => true);
      clock.tick(5000);
      assert.equal(n.active, false);
      assert.deepEqual(rec.sent, []);
      await n.close();
    });

    it('says READY, STATUS, WATCHDOG every half timeout, skips pings while unhealthy, then STOPPING', async () => {
      const rec = recorder();
      const n = createNotifier(log, { env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '4000000' }, pid: 1, transport: rec.make });
      let healthy = true;
      n.ready('floor: 3 sites\nconnected');
      n.startWatchdog(() => healthy);
      assert.deepEqual(rec.sent, ['READY=1\nSTATUS=floor: 3 sites connected', 'WATCHDOG=1']);
      clock.tick(1999);
      assert.equal(rec.sent.length, 2);
      clock.tick(1);
      assert.equal(rec.sent.at(-1), 'WATCHDOG=1');
      assert.equal(rec.sent.length, 3);
      healthy = false;
      clock.tick(6000);
      assert.equal(rec.sent.length, 3, 'no ping while unhealthy');
      healthy = true;
      clock.tick(2000);
      assert.equal(rec.sent.length, 4);
      n.status('draining');
      n.stopping();
      await n.close();
      clock.tick(10000);
      assert.deepEqual(rec.sent.slice(4), ['STATUS=draining', 'STOPPING=1']);
      // One warning when pings stop, one note when they resume: not one line per tick.
      assert.equal(logged.filter((l) => l.includes('pas de signal au chien de garde')).length, 1);
      assert.equal(logged.filter((l) => l.includes('pings resume')).length, 1);
    });

    it('treats a throwing health check as unhealthy', async () => {
      const rec = recorder();
      const n = createNotifier(log, { env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '1000000' }, pid: 1, transport: rec.make });
      n.startWatchdog(() => {
        throw new Error('broker client gone');
      });
      clock.tick(3000);
      assert.deepEqual(rec.sent, []);
      assert.equal(logged.filter((l) => l.includes('la vérification de santé a levé une erreur')).length, 1);
      await n.close();
    });
  });

  describe('against a real datagram socket', () => {
    let dir: string;
    let manager: NotifyManager | null = null;
    let child: ChildProcess | null = null;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'relais-notify-'));
    });
    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      child = null;
      await manager?.stop();
      manager = null;
      await rm(dir, { recursive: true, force: true });
    });

    function startService(notifySocket: string, watchdogUsec: number): ChildProcess {
      const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/notify-child.ts')], {
        env: { ...process.env, NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: String(watchdogUsec), RELAIS_LOG_LEVEL: 'error' },
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      // Like systemd: the watchdog belongs to the main process.
      return proc;
    }

    it('delivers READY and regular pings to a socket path, and STOPPING on the way out', async () => {
      manager = new NotifyManager(join(dir, 'notify'));
      await manager.start();
      child = startService(manager.socket, 400_000);
      await manager.waitFor('READY=1');
      manager.watch(400);
      let timedOut = false;
      manager.on('watchdog-timeout', () => (timedOut = true));
      await manager.waitFor('WATCHDOG=1', 5);
      assert.equal(timedOut, false);
      assert.ok(manager.received.includes('STATUS=serving test'));
      child.stdin!.write('stop\n');
      await manager.waitFor('STOPPING=1');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    });

    it('works with an abstract socket name', async () => {
      manager = new NotifyManager(`@relais-test-${process.pid}-${Date.now()}`);
      await manager.start();
      child = startService(manager.socket, 400_000);
      await manager.waitFor('READY=1');
      await manager.waitFor('WATCHDOG=1', 2);
    });

    it('stops pinging when the service reports itself unhealthy, so the watchdog fires', async () => {
      manager = new NotifyManager(join(dir, 'notify'));
      await manager.start();
      child = startService(manager.socket, 300_000);
      await manager.waitFor('WATCHDOG=1', 2);
      manager.watch(300);
      const pingsBefore = manager.received.filter((m) => m === 'WATCHDOG=1').length;
      child.stdin!.write('sick\n');
      await once(manager, 'watchdog-timeout');
      const pingsAfter = manager.received.filter((m) => m === 'WATCHDOG=1').length;
      assert.ok(pingsAfter - pingsBefore <= 1, `at most one ping in flight after "sick", got ${pingsAfter - pingsBefore}`);
    });

    it('stops pinging when the event loop is wedged', async () => {
      manager = new NotifyManager(join(dir, 'notify'));
      await manager.start();
      child = startService(manager.socket, 300_000);
      await manager.waitFor('WATCHDOG=1', 2);
      manager.watch(300);
      child.stdin!.write('wedge\n');
      await once(manager, 'watchdog-timeout');
      // What systemd does next: SIGABRT the main process.
      child.kill('SIGABRT');
      const [, signal] = await once(child, 'exit');
      assert.equal(signal, 'SIGABRT');
    });
  });
});
