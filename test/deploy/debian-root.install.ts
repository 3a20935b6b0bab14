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
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DebianRoot } from './debian-root.js';
import { freePort, REPO, startMosquitto, type RunningBroker } from './mosquitto-harness.js';
import { NotifyManager } from './notify-manager.js';
import { readUnit } from './unit-file.js';

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

  it('relais doctor runs as the relais user and names the config’s missing devices', async () => {
    // The example install.sh picked for a PC box names a Firmata board on /dev/relais-firmata.
    const out = await box().exec('/usr/bin/relais', ['doctor', '--config', '/etc/relais/appliance.yaml', '--only', 'serial', 'ffmpeg', 'disk'], { user: 'relais' });
    assert.ok(out.code === 0 || out.code === 1, `doctor crashed (${out.code}):\n${out.stdout}\n${out.stderr}`);
    assert.match(out.stdout, /^(PASS|WARN|FAIL)\s+ffmpeg\s/m);
    assert.match(out.stdout, /^(PASS|WARN|FAIL)\s+disk\s/m);
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
});
