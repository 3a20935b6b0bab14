/**
 * The doctor checks what the config names: each serial path, the GPIO chip
 * and pins, the pull of each input at boot; it reaches the embedded broker
 * (Aedes speaks MQTT 3.1.1), and it refuses the config `config check` refuses.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { checkBroker } from '../../src/doctor/broker.js';
import { bootPulls, checkNamedDevices, type NamedDevices } from '../../src/doctor/devices.js';
import { defaultFsProbe } from '../../src/doctor/fs-probe.js';
import { ioConfigSchema } from '../../src/hardware/config.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const ENTRY = join(import.meta.dirname, 'cli-entry.ts');

async function doctor(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // French unless --lang says otherwise, whatever this machine's LANG.
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', ENTRY, 'doctor', ...args], { timeout: 30_000, env: { ...process.env, RELAIS_LANG: 'fr' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A Raspberry Pi 4's sysfs and /dev as the kernel 6.6 shows them, under `root`. */
async function fakePi(root: string, configTxt: string): Promise<void> {
  const chip = join(root, 'sys/class/gpio/gpiochip512');
  await mkdir(chip, { recursive: true });
  await writeFile(join(chip, 'base'), '512\n');
  await writeFile(join(chip, 'ngpio'), '58\n');
  await writeFile(join(chip, 'label'), 'pinctrl-bcm2711\n');
  await writeFile(join(root, 'sys/class/gpio/export'), '');
  await mkdir(join(root, 'dev'), { recursive: true });
  await writeFile(join(root, 'dev/ttyS0'), '');
  await symlink('ttyS0', join(root, 'dev/serial0'));
  await mkdir(join(root, 'boot/firmware'), { recursive: true });
  await writeFile(join(root, 'boot/firmware/config.txt'), configTxt);
}

const pi4Devices = (): NamedDevices => ({
  io: ioConfigSchema.parse({ driver: 'gpio' }),
  cameras: [
    { name: 'cam1', transport: { type: 'serial', path: '/dev/serial0' } },
    { name: 'cam2', transport: { type: 'serial', path: '/dev/serial0' } },
  ],
});

describe('deploy: relais doctor checks what the config names', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-doctor-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads config.txt gpio= lines: lists, ranges and the pull option', () => {
    const pulls = bootPulls('dtparam=audio=on\ngpio=17,5,6=ip,pu\ngpio=20-22=ip,pd # relay board\n#gpio=4=ip,pu\ngpio=26=op,dh\n');
    assert.deepEqual([...pulls.entries()].sort((a, b) => a[0] - b[0]), [[5, 'pu'], [6, 'pu'], [17, 'pu'], [20, 'pd'], [21, 'pd'], [22, 'pd']]);
  });

  it('a Pi 4 with the pulls and the UART the installer writes: every named device passes', async () => {
    await fakePi(dir, '[all]\ngpio=5,6,13,17,19=ip,pu\nenable_uart=1\n');
    const { gpio, serial } = await checkNamedDevices(pi4Devices(), defaultFsProbe(dir));
    assert.deepEqual(gpio.map((r) => r.status), ['PASS'], JSON.stringify(gpio));
    assert.match(gpio[0]!.summary, /gpiochip512 "pinctrl-bcm2711"\s: 12 broches valides, chaque entrée a son rappel au démarrage/);
    assert.deepEqual(serial.map((r) => [r.status, r.summary]), [['PASS', '/dev/serial0 (cameras[0].transport.path, cameras[1].transport.path)\u00a0: présent, lecture-écriture']]);
  });

  it('names each input without its pull-up, and an input that reads asserted at idle', async () => {
    // Pi OS default: no gpio= line; BCM 13, 17, 19 come up pulled low.
    await fakePi(dir, 'dtparam=audio=on\n');
    const exported = join(dir, 'sys/class/gpio/gpio529'); // BCM 17 on base 512
    await mkdir(exported);
    await writeFile(join(exported, 'value'), '0\n');
    const { gpio } = await checkNamedDevices(pi4Devices(), defaultFsProbe(dir));
    const fail = gpio.find((r) => r.status === 'FAIL');
    assert.ok(fail, JSON.stringify(gpio));
    assert.match(fail.summary, /podium \(BCM 17, actif bas\s: pu requis\), cam1Program \(BCM 5/);
    assert.match(fail.fix!, /scripts\/install\.sh écrit la ligne gpio=\.\.\.=ip,pu/);
    const warn = gpio.find((r) => r.status === 'WARN');
    assert.match(warn?.summary ?? '', /lu comme pressé en ce moment\s: podium \(BCM 17\)/);
  });

  it('the example Pi 4 config on this machine (no UART, no GPIO chip): each check that cannot pass is named with its fix, in French and in English', async function () {
    // Two doctor processes through tsx: seconds each on a busy machine.
    this.timeout(90_000);
    const args = ['--config', join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'), '--only', 'gpio', 'serial', '--root', dir];
    const out = await doctor(args);
    assert.equal(out.code, 1, out.stdout + out.stderr);
    assert.doesNotMatch(out.stdout, /toutes les vérifications ont réussi/);
    assert.match(out.stdout, /^WARN\s+gpio\s+aucune puce GPIO sur cette machine$/m);
    assert.match(out.stdout, /^FAIL\s+gpio\s+io\.driver vaut "gpio", mais cette machine n’a pas de puce GPIO de connecteur Raspberry Pi \(pinctrl-rp1/m);
    assert.match(out.stdout, /à faire\s: sur un Raspberry Pi, utilisez Raspberry Pi OS Bookworm; sur une autre carte, réglez io\.chip/);
    assert.match(out.stdout, /^FAIL\s+serial\s+\/dev\/serial0 \(cameras\[0\]\.transport\.path, cameras\[1\]\.transport\.path\)\s: aucun périphérique de ce nom$/m);
    assert.match(out.stdout, /à faire\s: l’UART du connecteur est désactivé\s: sudo scripts\/install\.sh écrit enable_uart=1/);
    assert.match(out.stdout, /^2 vérification\(s\) en échec, 2 avertissement\(s\)$/m);
    assert.doesNotMatch(out.stdout, /no such device|fine on a PC/, 'no English left in the French report');

    const en = await doctor([...args, '--lang', 'en']);
    assert.equal(en.code, 1, en.stdout + en.stderr);
    assert.match(en.stdout, /^WARN\s+gpio\s+no GPIO chips on this machine$/m);
    assert.match(en.stdout, /^\s+fix: fine on a PC: set io\.driver to "firmata"/m);
    assert.match(en.stdout, /^FAIL\s+gpio\s+io\.driver is "gpio", but this machine has no GPIO chip a Raspberry Pi header chip/m);
    assert.match(en.stdout, /^FAIL\s+serial\s+\/dev\/serial0 \(cameras\[0\]\.transport\.path, cameras\[1\]\.transport\.path\): no such device$/m);
    assert.match(en.stdout, /fix: the header UART is off: sudo scripts\/install\.sh writes enable_uart=1/);
    assert.match(en.stdout, /^2 check\(s\) failed, 2 warning\(s\)$/m);
    assert.doesNotMatch(en.stdout, /à faire|aucun/, 'no French left in the English report');
  });

  it('a Firmata box: the board’s port is checked, and the fix names the udev names', async () => {
    const devices: NamedDevices = { io: ioConfigSchema.parse({ driver: 'firmata', port: '/dev/relais-firmata' }), cameras: [] };
    const { serial, gpio } = await checkNamedDevices(devices, defaultFsProbe(dir));
    assert.deepEqual(gpio, []);
    assert.equal(serial[0]?.status, 'FAIL');
    assert.match(serial[0]!.summary, /^\/dev\/relais-firmata \(io\.port\)\s: aucun périphérique de ce nom$/);
    assert.match(serial[0]!.fix!, /hardware\/udev\/99-relais\.rules/);
  });

  it('refuses the config that `config check` refuses, naming the key', async function () {
    this.timeout(60_000);
    const text = await readFile(join(REPO, 'hardware/examples/pi4-serial-cameras.yaml'), 'utf8');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, text.replace('baud: 9600, address: 1', 'baud: 9600, address: 9'));
    const out = await doctor(['--config', bad, '--only', 'disk']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /cameras/);
    assert.doesNotMatch(out.stdout, /toutes les vérifications ont réussi/);
  });
});

describe('deploy: relais doctor against the embedded broker', () => {
  let broker: EmbeddedBroker;
  before(async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', tcpPort: 0, wsPort: null });
  });
  after(async () => {
    await broker.close();
  });

  it('connects (MQTT 3.1.1 after the broker refuses 5) and times the round trip', async () => {
    const [line] = await checkBroker({ url: broker.url, probeTopic: 'relais/v1/doctor-test/doctor/probe', probes: 3 });
    assert.equal(line!.status, 'PASS', JSON.stringify(line));
    assert.match(line!.summary, /connecté en \d+ ms, aller-retour \d+,\d ms \(médiane de 3\)/);
  });
});
