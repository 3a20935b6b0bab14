import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const ROLES = ['appliance', 'conductor', 'relay', 'dashboard'] as const;

/** `Key=value` lines of a unit, repeated keys kept in order. */
function directives(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('['))
    .map((l) => {
      const eq = l.indexOf('=');
      return [l.slice(0, eq), l.slice(eq + 1)] as [string, string];
    });
}

describe('deploy: systemd units', () => {
  for (const role of ROLES) {
    it(`relais-${role}.service: notify + watchdog, restart, user relais, hardening`, async () => {
      const text = await readFile(join(REPO, 'systemd', `relais-${role}.service`), 'utf8');
      const d = directives(text);
      const one = (key: string): string | undefined => d.find(([k]) => k === key)?.[1];
      const all = (key: string): string[] => d.filter(([k]) => k === key).map(([, v]) => v);
      assert.equal(one('Type'), 'notify');
      assert.equal(one('NotifyAccess'), 'all', 'the sd_notify sender is a child process');
      assert.match(one('WatchdogSec') ?? '', /^\d+s$/);
      assert.equal(one('Restart'), 'on-failure');
      assert.ok(one('RestartSec'));
      const exec: Record<string, string> = {
        appliance: '/usr/bin/relais appliance --config /etc/relais/appliance.yaml',
        conductor: '/usr/bin/relais conductor --config /etc/relais/conductor.yaml',
        // The relay and the dashboard take flags; their secrets and URLs come from an environment file.
        relay: '/usr/bin/relais relay',
        dashboard: '/usr/bin/relais dashboard --host 0.0.0.0',
      };
      assert.equal(one('ExecStart'), exec[role]);
      if (role === 'relay' || role === 'dashboard') assert.equal(one('EnvironmentFile'), `-/etc/relais/${role}.env`);
      assert.equal(one('User'), 'relais');
      assert.equal(one('StateDirectory'), 'relais');
      assert.equal(one('ProtectSystem'), 'strict');
      assert.deepEqual(all('ReadWritePaths'), ['/var/lib/relais']);
      assert.equal(one('NoNewPrivileges'), 'yes');
      assert.equal(one('PrivateTmp'), 'yes');
      assert.equal(one('DevicePolicy'), 'closed');
      assert.equal(one('StandardOutput'), 'journal');
      const groups = (one('SupplementaryGroups') ?? '').split(/\s+/).filter(Boolean);
      if (role === 'appliance') {
        // render: /dev/dri/renderD* (VAAPI, QSV); video: /dev/dri/card* (the screen) and V4L2 codecs.
        assert.deepEqual(groups, ['gpio', 'dialout', 'video', 'render', 'audio']);
        for (const group of ['char-gpiochip', 'char-ttyUSB', 'char-ttyAMA', 'char-video4linux', 'char-alsa', 'char-drm', 'char-nvidia-frontend']) {
          assert.ok(all('DeviceAllow').includes(`${group} rw`), `DevicePolicy=closed blocks ${group} without DeviceAllow=${group} rw`);
        }
        // The display reaches a screen with no desktop: SDL2 on KMS/DRM.
        assert.ok(all('Environment').includes('SDL_VIDEODRIVER=kmsdrm'));
      } else {
        assert.deepEqual(groups, [], `${role} touches no hardware`);
        assert.deepEqual(all('DeviceAllow'), []);
      }
    });
  }

  it('systemd-analyze verify accepts every unit without a warning', async function () {
    if (spawnSync('systemd-analyze', ['--version']).error) this.skip();
    // An offline root: the host's stock units (for the targets) plus ours, and a stand-in /usr/bin/relais.
    const root = await mkdtemp(join(tmpdir(), 'relais-units-'));
    try {
      await mkdir(join(root, 'usr/bin'), { recursive: true });
      await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
      await mkdir(join(root, 'usr/lib/systemd'), { recursive: true });
      await cp('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
      await writeFile(join(root, 'usr/bin/relais'), '#!/bin/sh\n');
      await chmod(join(root, 'usr/bin/relais'), 0o755);
      const units = ROLES.map((r) => join(root, 'etc/systemd/system', `relais-${r}.service`));
      for (const role of ROLES) await cp(join(REPO, 'systemd', `relais-${role}.service`), join(root, 'etc/systemd/system', `relais-${role}.service`));
      // With the desktop display drop-in as install.sh --display desktop puts it.
      await cp(join(REPO, 'systemd', 'relais-appliance.service.d'), join(root, 'etc/systemd/system', 'relais-appliance.service.d'), { recursive: true });
      const { stdout, stderr } = await run('systemd-analyze', ['verify', `--root=${root}`, ...units]);
      assert.equal(stdout + stderr, '', 'verify printed warnings');
      // And a broken unit is caught, so the check above can fail.
      await writeFile(units[0]!, (await readFile(units[0]!, 'utf8')).replace('WatchdogSec=', 'WatchdogSecs='));
      const broken = await run('systemd-analyze', ['verify', `--root=${root}`, units[0]!]).catch((err: { stderr: string }) => err);
      assert.match(broken.stderr, /Unknown key 'WatchdogSecs'/);
      // The drop-in is read too.
      const dropIn = join(root, 'etc/systemd/system/relais-appliance.service.d/display-desktop.conf');
      await writeFile(dropIn, (await readFile(dropIn, 'utf8')).replace('BindReadOnlyPaths=', 'BindReadOnlyPath='));
      const brokenDropIn = await run('systemd-analyze', ['verify', `--root=${root}`, units[0]!]).then(
        (r) => r,
        (err: { stderr: string }) => err,
      );
      assert.match(brokenDropIn.stderr, /display-desktop\.conf:\d+: Unknown key 'BindReadOnlyPath'/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
