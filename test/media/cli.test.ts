/** The media commands as a user runs them (through test/media/cli-entry.ts), and the demo hook. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDemoMedia } from './demo-feeds.js';
import type { StreamsSnapshot } from '../../src/media/relay.js';
import { verifyPublishSign } from '../../src/media/sign.js';
import { freePort, quietLogger, SECRET, waitForEvent } from './helpers.js';

const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, until?: (stderr: string) => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, RELAIS_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until && !signalled && until(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('media commands', function () {
  this.timeout(40_000);

  it('media sign prints a URL the relay accepts; bad input gets the fix and exit code 2', async () => {
    const ok = await run(['media', 'sign', 'saint-camille', '--base', 'rtmp://relay.example:1935/live', '--ttl', '120'], { RELAIS_RELAY_SECRET: SECRET });
    assert.equal(ok.code, 0, ok.stderr);
    const match = /^rtmp:\/\/relay\.example:1935\/live\/saint-camille\?sign=(\d+-[0-9a-f]{64})\n$/.exec(ok.stdout);
    assert.ok(match, ok.stdout);
    assert.equal(verifyPublishSign('/live/saint-camille', match[1], SECRET).ok, true);

    const noSecret = await run(['media', 'sign', 'saint-camille'], { RELAIS_RELAY_SECRET: '' });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /relais media sign: .*relay\.secret\s: manquant/s);
    const badSite = await run(['media', 'sign', 'Saint Camille', '--secret', SECRET]);
    assert.equal(badSite.code, 2);
    assert.match(badSite.stderr, /le site «\u00a0Saint Camille\u00a0» doit être un identifiant en minuscules comme saint-camille/);
  });

  it('media probe --json reports every encoder with a reason and picks one that works', async () => {
    const res = await run(['media', 'probe', '--json', '--cache', '/dev/null/not-writable.json']);
    assert.equal(res.code, 0, res.stderr);
    const result = JSON.parse(res.stdout) as { encoder: string; trials: Array<{ encoder: string; ok: boolean; reason: string }> };
    assert.equal(result.trials.length, 6);
    assert.ok(result.trials.find((t) => t.encoder === result.encoder)?.ok);
    assert.ok(result.trials.every((t) => t.reason.length > 0));
    assert.match(res.stderr, /impossible d’écrire le cache de la sonde des encodeurs/);
  });

  it('relay runs until Ctrl-C and stops cleanly; a taken port is a clear error', async () => {
    const rtmp = await freePort();
    const res = await run(['relay', '--rtmp-port', String(rtmp), '--http-port', String(await freePort()), '--bind', '127.0.0.1', '--secret', SECRET], {}, (err) => /relay ready/.test(err));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /relay stopped/);

    const blocker = await import('node:net').then((net) => net.createServer().listen(rtmp, '127.0.0.1'));
    await new Promise((r) => blocker.once('listening', r));
    try {
      const taken = await run(['relay', '--rtmp-port', String(rtmp), '--http-port', String(await freePort()), '--bind', '127.0.0.1', '--secret', SECRET]);
      assert.equal(taken.code, 2);
      assert.match(taken.stderr, new RegExp(`le port ${rtmp} est occupé`));
    } finally {
      blocker.close();
    }
  });

  it('the demo encoder settings give one live test pattern per site through the relay', async () => {
    const demo = await startDemoMedia({ sites: ['a-site', 'b-site'], event: 'demo', host: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, log: quietLogger('demo') });
    assert.notEqual(typeof demo, 'string');
    if (typeof demo === 'string') return;
    try {
      const both = (s: StreamsSnapshot): boolean => s.streams.filter((x) => x.status === 'live').length === 2;
      if (!both(demo.relay.snapshot())) await waitForEvent<[StreamsSnapshot]>(demo.relay, 'streams', both, 15_000, 'both demo feeds live');
      assert.match(demo.urls['a-site'] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/live\/a-site\.flv$/);
    } finally {
      await demo.stop();
    }
  });
});
