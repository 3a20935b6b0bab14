import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const INSTALL = join(REPO, 'scripts', 'install.sh');
const ROLES = ['appliance', 'conductor', 'relay', 'dashboard'];

/** path -> "mode size sha256 [-> link]" for every entry under `root`. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const st = await lstat(path);
      const rel = path.slice(root.length);
      if (st.isSymbolicLink()) out.set(rel, `link -> ${await readlink(path)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`);
        await walk(path);
      } else {
        const hash = createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
        out.set(rel, `file ${(st.mode & 0o7777).toString(8)} ${st.size} ${hash} ${st.mtimeMs}`);
      }
    }
  };
  await walk(root);
  return out;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

describe('deploy: scripts/install.sh (--prefix, as the tests run it)', () => {
  let work: string;
  let app: string;
  let prefix: string;

  const install = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('bash', [INSTALL, '--app', app, '--prefix', prefix, ...args]);
    return stdout;
  };

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'relais-install-'));
    app = join(work, 'app');
    prefix = join(work, 'root');
    // A built release: dist/, package files, the shipped units, examples and udev rules.
    await mkdir(join(app, 'dist', 'src', 'util'), { recursive: true });
    await writeFile(join(app, 'dist', 'src', 'cli.js'), 'console.log("relais");\n');
    await writeFile(join(app, 'dist', 'src', 'util', 'old.js'), 'export {};\n');
    await writeFile(join(app, 'package.json'), '{"name":"relais","version":"0.1.0"}\n');
    await mkdir(join(app, 'scripts'));
    await cp(join(REPO, 'scripts', 'prepare.mjs'), join(app, 'scripts', 'prepare.mjs'));
    await cp(join(REPO, 'systemd'), join(app, 'systemd'), { recursive: true });
    await cp(join(REPO, 'hardware', 'examples'), join(app, 'hardware', 'examples'), { recursive: true });
    if (await exists(join(REPO, 'hardware', 'udev'))) await cp(join(REPO, 'hardware', 'udev'), join(app, 'hardware', 'udev'), { recursive: true });
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('--dry-run prints every step and changes nothing', async () => {
    const out = await install('--dry-run', '--roles', 'appliance,conductor');
    assert.equal(await exists(prefix), false, 'prefix not even created');
    for (const step of [
      'would    install /opt/relais/dist/src/cli.js',
      'would    install /usr/bin/relais',
      'would    mkdir /var/lib/relais/',
      'would    install /etc/relais/conductor.yaml from conductor.yaml',
      'would    install /etc/systemd/system/relais-relay.service',
      'would    enable relais-appliance.service',
      'would    enable relais-conductor.service',
    ]) {
      assert.ok(out.includes(step), `missing "${step}" in:\n${out}`);
    }
    assert.match(out, /done\s+0 changed/);
  });

  it('installs the tree: units, enabled links, configs, state dir, udev rules, launcher', async () => {
    const out = await install('--roles', 'appliance,conductor');
    assert.match(out, /done\s+\d+ changed/);
    for (const role of ROLES) {
      const unit = `relais-${role}.service`;
      assert.equal(await readFile(join(prefix, 'etc/systemd/system', unit), 'utf8'), await readFile(join(REPO, 'systemd', unit), 'utf8'));
    }
    assert.equal(await readlink(join(prefix, 'etc/systemd/system/multi-user.target.wants/relais-appliance.service')), '/etc/systemd/system/relais-appliance.service');
    assert.equal(await exists(join(prefix, 'etc/systemd/system/multi-user.target.wants/relais-relay.service')), false, 'relay not enabled');

    assert.equal(await readFile(join(prefix, 'etc/relais/conductor.yaml'), 'utf8'), await readFile(join(REPO, 'hardware/examples/conductor.yaml'), 'utf8'));
    assert.equal(((await stat(join(prefix, 'etc/relais/appliance.yaml'))).mode & 0o777).toString(8), '640');
    assert.equal(((await stat(join(prefix, 'var/lib/relais'))).mode & 0o777).toString(8), '750');

    const launcher = join(prefix, 'usr/bin/relais');
    assert.equal(((await stat(launcher)).mode & 0o777).toString(8), '755');
    assert.match(await readFile(launcher, 'utf8'), /^exec \/\S+\/node \/opt\/relais\/dist\/src\/cli\.js "\$@"$/m);
    assert.equal(await readFile(join(prefix, 'opt/relais/dist/src/cli.js'), 'utf8'), 'console.log("relais");\n');
    // package.json's prepare script: without it a hand-run `npm ci` in /opt/relais stops at MODULE_NOT_FOUND.
    assert.ok(await exists(join(prefix, 'opt/relais/scripts/prepare.mjs')));

    if (await exists(join(app, 'hardware/udev'))) {
      for (const rule of await readdir(join(app, 'hardware/udev'))) {
        assert.ok(await exists(join(prefix, 'etc/udev/rules.d', rule)), `udev rule ${rule}`);
      }
    }
  });

  it('a second run changes nothing, and an edited config is kept', async () => {
    await install('--roles', 'appliance');
    const config = join(prefix, 'etc/relais/appliance.yaml');
    await writeFile(config, 'site: edited-by-the-technician\n');
    const before = await snapshot(prefix);
    const out = await install('--roles', 'appliance');
    assert.match(out, /done\s+0 changed/);
    assert.match(out, /ok\s+\/etc\/relais\/appliance.yaml \(kept as is\)/);
    assert.doesNotMatch(out, /^changed/m);
    assert.deepEqual(await snapshot(prefix), before);
  });

  it('an update replaces changed files and drops files the new build no longer has', async () => {
    await install();
    await writeFile(join(app, 'dist', 'src', 'cli.js'), 'console.log("relais 2");\n');
    await rm(join(app, 'dist', 'src', 'util', 'old.js'));
    const out = await install();
    assert.match(out, /changed\s+install \/opt\/relais\/dist\/src\/cli.js/);
    assert.match(out, /changed\s+remove \/opt\/relais\/dist\/src\/util\/old.js/);
    assert.match(out, /done\s+2 changed/);
  });

  it('--display desktop adds the display drop-in, and the default (kms) takes it away again', async () => {
    const dropIn = join(prefix, 'etc/systemd/system/relais-appliance.service.d/display-desktop.conf');
    const out = await install('--display', 'desktop');
    assert.match(out, /changed\s+install \/etc\/systemd\/system\/relais-appliance.service.d\/display-desktop.conf/);
    assert.equal(await readFile(dropIn, 'utf8'), await readFile(join(REPO, 'systemd/relais-appliance.service.d/display-desktop.conf'), 'utf8'));
    await install();
    assert.equal(await exists(dropIn), false);
    await assert.rejects(install('--display', 'wayland'), (err: { stderr: string }) => /unknown --display 'wayland' \(choose from: kms desktop\)/.test(err.stderr));
  });

  it('handles a release without udev rules', async () => {
    await rm(join(app, 'hardware', 'udev'), { recursive: true, force: true });
    const out = await install();
    assert.match(out, /skip\s+udev rules \(none in/);
  });

  it('--uninstall removes what it added and keeps configs and state', async () => {
    await install('--roles', 'appliance,relay');
    await writeFile(join(prefix, 'var/lib/relais/conductor-state.json'), '{"epoch":3}');
    const out = await install('--uninstall');
    assert.match(out, /kept\s+\/etc\/relais/);
    for (const gone of ['usr/bin/relais', 'opt/relais', 'etc/systemd/system/relais-appliance.service', 'etc/systemd/system/multi-user.target.wants/relais-relay.service', 'etc/udev/rules.d/99-relais.rules']) {
      assert.equal(await exists(join(prefix, gone)), false, `${gone} removed`);
    }
    assert.ok(await exists(join(prefix, 'etc/relais/appliance.yaml')));
    assert.equal(await readFile(join(prefix, 'var/lib/relais/conductor-state.json'), 'utf8'), '{"epoch":3}');
    assert.match(await install('--uninstall'), /done\s+0 changed/);
  });

  it('says what is wrong and what to do, and touches nothing', async () => {
    await assert.rejects(install('--roles', 'appliance,mixer'), (err: { code: number; stderr: string }) => err.code === 2 && /unknown role 'mixer' in --roles \(choose from: appliance conductor relay dashboard\)/.test(err.stderr));
    await rm(join(app, 'dist'), { recursive: true });
    await assert.rejects(install(), (err: { stderr: string }) => /no build in .*dist\/src\/cli\.js is missing.*npm run build/.test(err.stderr));
    assert.equal(await exists(join(prefix, 'etc')), false);
  });

  it('the install, update, release, user and CI scripts pass shellcheck (when installed)', function () {
    const probe = spawnSync('shellcheck', ['--version']);
    if (probe.error) this.skip();
    const result = spawnSync('shellcheck', [INSTALL, join(REPO, 'scripts/update.sh'), join(REPO, 'scripts/make-release.sh'), join(REPO, 'scripts/mosquitto/make-users.sh'), join(REPO, '.ci/run')], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
