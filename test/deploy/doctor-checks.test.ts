import assert from 'node:assert/strict';
import { setLang } from '../../src/i18n/index.js';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFfmpeg, spawnFfmpeg, type FfmpegRunner } from '../../src/doctor/ffmpeg.js';
import { defaultFsProbe } from '../../src/doctor/fs-probe.js';
import { checkGpio } from '../../src/doctor/gpio.js';
import { checkDisk, checkTemperature } from '../../src/doctor/host.js';
import { formatResults, exitCodeFor } from '../../src/doctor/run.js';
import { checkSerial } from '../../src/doctor/serial.js';
import type { FsProbe } from '../../src/doctor/types.js';

/** A probe whose access() refuses the given paths (tests run as root, which may open anything). */
function probeDenying(root: string, denied: (path: string, mode: number) => boolean): FsProbe {
  const real = defaultFsProbe(root);
  return { root, access: async (path, mode) => (denied(path, mode) ? Promise.reject(new Error('EACCES')) : real.access(path, mode)) };
}

async function files(root: string, tree: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('deploy: relais doctor checks (injected roots)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relais-doctor-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('gpio', () => {
    const pi4 = {
      'sys/class/gpio/export': '',
      'sys/class/gpio/gpiochip512/base': '512\n',
      'sys/class/gpio/gpiochip512/label': 'pinctrl-bcm2711\n',
      'sys/class/gpio/gpiochip512/ngpio': '58\n',
      'sys/class/gpio/gpiochip570/base': '570\n',
      'sys/class/gpio/gpiochip570/label': 'raspberrypi-exp-gpio\n',
      'sys/class/gpio/gpiochip570/ngpio': '8\n',
      'dev/gpiochip0': '',
      'dev/gpiochip1': '',
    };

    it('finds the header chip of a Pi 4 on kernel 6.6 (base 512) and says where BCM 17 is', async () => {
      await files(root, pi4);
      const r = await checkGpio(defaultFsProbe(root));
      assert.equal(r.status, 'PASS');
      assert.equal(r.summary, 'gpiochip512 "pinctrl-bcm2711" base 512 (BCM 17 = gpio529); export sysfs accessible en écriture');
    });

    it('fails when this user may not export pins, and says which group fixes it', async () => {
      await files(root, pi4);
      const r = await checkGpio(probeDenying(root, (p, mode) => p.endsWith('/export') && mode === constants.W_OK));
      assert.equal(r.status, 'FAIL');
      assert.match(r.summary, /export non accessible en écriture pour /);
      assert.match(r.fix ?? '', /usermod -aG gpio relais/);
    });

    it('warns on a machine without GPIO (a PC with a Firmata board)', async () => {
      const r = await checkGpio(defaultFsProbe(root));
      assert.equal(r.status, 'WARN');
      assert.equal(r.summary, 'aucune puce GPIO sur cette machine');
      assert.match(r.fix ?? '', /^normal sur un PC\s: réglez io\.driver à "firmata"/);
    });

    it('skips a chip whose base is unreadable', async () => {
      await files(root, { 'sys/class/gpio/export': '', 'sys/class/gpio/gpiochip0/base': 'garbage', 'sys/class/gpio/gpiochip0/label': 'x' });
      const r = await checkGpio(defaultFsProbe(root));
      assert.deepEqual((r.data as { chips: unknown[] }).chips, []);
    });
  });

  describe('serial', () => {
    beforeEach(async () => {
      await files(root, { 'dev/ttyUSB0': '', 'dev/ttyACM0': '' });
    });

    it('lists ports with their stable names', async () => {
      await symlink('ttyUSB0', join(root, 'dev/relais-visca0'));
      await symlink('ttyACM0', join(root, 'dev/relais-firmata'));
      await mkdir(join(root, 'dev/serial/by-id'), { recursive: true });
      await symlink('../../ttyUSB0', join(root, 'dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'));
      const r = await checkSerial(defaultFsProbe(root));
      assert.equal(r.status, 'PASS');
      assert.equal(
        r.summary,
        '/dev/ttyACM0, /dev/ttyUSB0, /dev/relais-firmata -> /dev/ttyACM0, /dev/relais-visca0 -> /dev/ttyUSB0, /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0 -> /dev/ttyUSB0',
      );
    });

    it('warns without udev names and fails when a port cannot be opened', async () => {
      const warn = await checkSerial(defaultFsProbe(root));
      assert.equal(warn.status, 'WARN');
      assert.match(warn.fix ?? '', /99-relais.rules/);
      const fail = await checkSerial(probeDenying(root, (p) => p.endsWith('ttyUSB0')));
      assert.equal(fail.status, 'FAIL');
      assert.match(fail.summary, /ne peut pas ouvrir \/dev\/ttyUSB0$/);
      assert.match(fail.fix ?? '', /dialout/);
    });

    it('warns when there is no serial port at all', async () => {
      await rm(join(root, 'dev'), { recursive: true });
      assert.equal((await checkSerial(defaultFsProbe(root))).status, 'WARN');
    });
  });

  describe('ffmpeg', () => {
    it('trial-encodes with the real ffmpeg: libx264 works, a missing hardware encoder does not', async () => {
      const r = await checkFfmpeg({ run: spawnFfmpeg(), candidates: ['h264_nvenc', 'libx264'] });
      assert.equal(r.status, 'WARN', JSON.stringify(r));
      const data = r.data as { working: string[]; results: Record<string, string> };
      assert.deepEqual(data.working, ['libx264']);
      assert.notEqual(data.results.h264_nvenc, 'ok');
    });

    it('passes when a hardware encoder works (injected runner) and fails without ffmpeg', async () => {
      const pi4: FfmpegRunner = async (args) => ({ code: args.includes('h264_v4l2m2m') || args.includes('-encoders') ? 0 : 1, stderr: 'Unknown encoder' });
      const r = await checkFfmpeg({ run: pi4, candidates: ['h264_v4l2m2m', 'h264_vaapi'] });
      assert.equal(r.status, 'PASS');
      assert.equal(r.summary, 'encodeurs H.264 fonctionnels\u00a0: h264_v4l2m2m');
      const missing = await checkFfmpeg({ run: spawnFfmpeg(join(root, 'no-ffmpeg')) });
      assert.equal(missing.status, 'FAIL');
      assert.match(missing.fix ?? '', /apt-get install ffmpeg/);
    });
  });

  describe('disk and temperature', () => {
    it('grades free space', async () => {
      const gb = 1024 ** 3;
      assert.equal((await checkDisk('/x', async () => ({ availableBytes: 10 * gb, totalBytes: 32 * gb }))).status, 'PASS');
      assert.equal((await checkDisk('/x', async () => ({ availableBytes: 0.5 * gb, totalBytes: 32 * gb }))).status, 'WARN');
      const full = await checkDisk('/x', async () => ({ availableBytes: 50 * 1024 ** 2, totalBytes: 32 * gb }));
      assert.equal(full.status, 'FAIL');
      assert.equal(full.summary, '50 Mo libres sur /x (0\u00a0%)');
      assert.equal((await checkDisk(root)).check, 'disk', 'real statfs works');
      assert.equal((await checkDisk(join(root, 'absent'))).status, 'FAIL');
    });

    it('reads the hottest thermal zone', async () => {
      await files(root, {
        'sys/class/thermal/thermal_zone0/temp': '48250\n',
        'sys/class/thermal/thermal_zone0/type': 'cpu-thermal\n',
        'sys/class/thermal/thermal_zone1/temp': 'not a number',
      });
      const ok = await checkTemperature(defaultFsProbe(root));
      assert.equal(ok.status, 'PASS');
      assert.equal(ok.summary, '48,3\u00a0°C (cpu-thermal)', 'the decimal comma in French');
      await files(root, { 'sys/class/thermal/thermal_zone2/temp': '83000', 'sys/class/thermal/thermal_zone2/type': 'gpu' });
      const hot = await checkTemperature(defaultFsProbe(root));
      assert.equal(hot.status, 'FAIL');
      assert.match(hot.fix ?? '', /le SoC ralentit déjà/);
    });
  });

  describe('in English on request (--lang en)', () => {
    beforeEach(() => setLang('en'));
    afterEach(() => setLang('fr'));

    it('says what it found and the fix in English, with the facts unchanged', async () => {
      const gpio = await checkGpio(defaultFsProbe(root));
      assert.equal(gpio.summary, 'no GPIO chips on this machine');
      assert.match(gpio.fix ?? '', /^fine on a PC: set io\.driver to "firmata" \(Arduino over USB\) or "simulated"/);
      const serial = await checkSerial(defaultFsProbe(root));
      assert.equal(serial.summary, 'no USB serial ports (/dev/ttyUSB*, /dev/ttyACM*, /dev/relais-*)');
      const full = await checkDisk('/x', async () => ({ availableBytes: 50 * 1024 ** 2, totalBytes: 1024 ** 3 }));
      assert.equal(full.summary, '50 MB free on /x (5%)');
      assert.match(full.fix ?? '', /^free space: sudo journalctl --vacuum-size=100M/);
      await files(root, { 'sys/class/thermal/thermal_zone0/temp': '71250\n', 'sys/class/thermal/thermal_zone0/type': 'cpu-thermal\n' });
      const warm = await checkTemperature(defaultFsProbe(root));
      assert.equal(warm.summary, '71.3 °C (cpu-thermal)', 'the decimal point in English');
      assert.match(warm.fix ?? '', /close to throttling \(80 °C\)/);
    });
  });

  it('formats one line per check, a fix under each problem, and exits 1 on a failure', () => {
    const results = [
      { check: 'gpio', status: 'PASS' as const, summary: 'fine' },
      { check: 'serial', status: 'FAIL' as const, summary: 'cannot open /dev/ttyUSB0', fix: 'add dialout' },
    ];
    assert.equal(formatResults(results), ['PASS  gpio    fine', 'FAIL  serial  cannot open /dev/ttyUSB0', '              à faire\u00a0: add dialout', '1 vérification(s) en échec, 0 avertissement(s)'].join('\n'));
    setLang('en');
    try {
      assert.equal(formatResults(results).split('\n').slice(2).join('\n'), ['              fix: add dialout', '1 check(s) failed, 0 warning(s)'].join('\n'));
    } finally {
      setLang('fr');
    }
    assert.equal(exitCodeFor(results), 1);
    assert.equal(exitCodeFor(results.slice(0, 1)), 0);
  });
});
