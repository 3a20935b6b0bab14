/**
 * What install.sh writes into a Raspberry Pi's boot files for the appliance
 * config: the pulls the sysfs GPIO interface cannot set, the header UART, and
 * the serial console taken off the cameras' line. Runs install.sh under
 * --prefix with Raspberry Pi OS Bookworm's own default config.txt and
 * cmdline.txt, as the board reports itself (--board). Needs dist/ (npm run build).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const INSTALL = join(REPO, 'scripts', 'install.sh');
const PI4 = 'Raspberry Pi 4 Model B Rev 1.5';
const PI5 = 'Raspberry Pi 5 Model B Rev 1.0';

// Raspberry Pi OS Bookworm (2024-11) defaults, trimmed to the lines that matter here.
const DEFAULT_CONFIG = ['# For more options and information see', '# http://rptl.io/configtxt', 'dtparam=audio=on', 'camera_auto_detect=1', 'display_auto_detect=1', 'auto_initramfs=1', 'dtoverlay=vc4-kms-v3d', 'max_framebuffers=2', 'disable_fw_kms_setup=1', 'arm_64bit=1', 'disable_overscan=1', 'arm_boost=1', '', '[cm4]', 'otg_mode=1', '', '[all]', ''].join('\n');
const DEFAULT_CMDLINE = 'console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet splash plymouth.ignore-udev\n';

describe('deploy: install.sh writes the Raspberry Pi boot files for the appliance config', () => {
  let work: string;
  let prefix: string;
  const boot = (): string => join(prefix, 'boot/firmware');

  const install = async (board: string, example: string): Promise<string> => {
    const { stdout } = await run('bash', [INSTALL, '--prefix', prefix, '--roles', 'appliance', '--board', board, '--example', example]);
    return stdout;
  };

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'relais-boot-'));
    prefix = join(work, 'root');
    await mkdir(boot(), { recursive: true });
    await writeFile(join(boot(), 'config.txt'), DEFAULT_CONFIG);
    await writeFile(join(boot(), 'cmdline.txt'), DEFAULT_CMDLINE);
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('Pi 4 with serial cameras: pull-ups on the active-low inputs, the UART on, the serial console off', async () => {
    const out = await install(PI4, join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'));
    const config = await readFile(join(boot(), 'config.txt'), 'utf8');
    assert.ok(config.startsWith(DEFAULT_CONFIG), 'the Pi OS lines are kept as they were');
    // BCM 13, 17 and 19 come up pulled low: without these pulls the podium reads held from boot.
    assert.match(config, /^gpio=5,6,13,17,19=ip,pu$/m);
    assert.match(config, /^enable_uart=1$/m);
    assert.doesNotMatch(config, /dtparam=uart0/);
    const cmdline = await readFile(join(boot(), 'cmdline.txt'), 'utf8');
    assert.equal(cmdline, 'console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet splash plymouth.ignore-udev\n');
    assert.match(out, /next\s+reboot for the config.txt/);

    const again = await install(PI4, join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'));
    assert.match(again, /done\s+0 changed/);
    assert.equal(await readFile(join(boot(), 'config.txt'), 'utf8'), config);
  });

  it('follows the config: a moved pin and an active-high input rewrite the block, not add a second one', async () => {
    await install(PI4, join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'));
    const site = join(prefix, 'etc/relais/appliance.yaml');
    const text = (await readFile(site, 'utf8')).replace('podium:      { pin: 17 }', 'podium:      { pin: 26 }').replace('cam2Preview: { pin: 19 }', 'cam2Preview: { pin: 19, activeLow: false }');
    await writeFile(site, text);
    const out = await install(PI4, join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'));
    assert.match(out, /changed\s+\S+config\.txt: gpio=5,6,13,26=ip,pu gpio=19=ip,pd enable_uart=1/);
    const config = await readFile(join(boot(), 'config.txt'), 'utf8');
    assert.equal(config.match(/# relais: begin/g)?.length, 1);
    assert.match(config, /^gpio=5,6,13,26=ip,pu$/m);
    assert.match(config, /^gpio=19=ip,pd$/m);
  });

  it('Pi 5: the header UART is uart0 (/dev/ttyAMA0); /dev/serial0 there is the debug connector and is named as wrong', async () => {
    const site = join(work, 'pi5-serial.yaml');
    const base = await readFile(join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'), 'utf8');
    await writeFile(site, base.replaceAll('/dev/serial0', '/dev/ttyAMA0'));
    await install(PI5, site);
    const config = await readFile(join(boot(), 'config.txt'), 'utf8');
    assert.match(config, /^dtparam=uart0=on$/m);
    assert.doesNotMatch(config, /enable_uart/);
    // serial0 is the debug connector on a Pi 5: its console does not share the cameras' line.
    assert.match(await readFile(join(boot(), 'cmdline.txt'), 'utf8'), /^console=serial0,115200 console=tty1 /);

    await rm(join(prefix, 'etc/relais/appliance.yaml'));
    const out = await install(PI5, join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'));
    assert.match(out, /warn\s+on a Raspberry Pi 5 \/dev\/serial0 is the debug connector \(ttyAMA10\): set cameras\[\]\.transport\.path to \/dev\/ttyAMA0/);
  });

  it('Pi 5 with IP cameras: pulls only, the console stays', async () => {
    await install(PI5, join(REPO, 'hardware/examples/pi5-ip-cameras.yaml'));
    const config = await readFile(join(boot(), 'config.txt'), 'utf8');
    assert.match(config, /^gpio=[\d,]+=ip,pu$/m);
    assert.doesNotMatch(config, /uart/);
    assert.equal(await readFile(join(boot(), 'cmdline.txt'), 'utf8'), DEFAULT_CMDLINE);
  });

  it('a PC box gets no boot files written', async () => {
    const out = await install('Generic x86-64 PC', join(REPO, 'hardware/examples/pc-arduino.yaml'));
    assert.match(out, /skip\s+boot config.txt \/ cmdline.txt \(not a Raspberry Pi\)/);
    assert.equal(await readFile(join(boot(), 'config.txt'), 'utf8'), DEFAULT_CONFIG);
  });

  it('--dry-run says what it would write and writes nothing', async () => {
    await cp(join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'), join(work, 'site.yaml'));
    await mkdir(join(prefix, 'etc/relais'), { recursive: true });
    await cp(join(work, 'site.yaml'), join(prefix, 'etc/relais/appliance.yaml'));
    const { stdout } = await run('bash', [INSTALL, '--prefix', prefix, '--roles', 'appliance', '--board', PI4, '--dry-run']);
    assert.match(stdout, /would\s+\S+config\.txt: gpio=5,6,13,17,19=ip,pu enable_uart=1/);
    assert.match(stdout, /would\s+\S+cmdline\.txt: serial console removed/);
    assert.equal(await readFile(join(boot(), 'config.txt'), 'utf8'), DEFAULT_CONFIG);
    assert.equal(await readFile(join(boot(), 'cmdline.txt'), 'utf8'), DEFAULT_CMDLINE);
  });
});
