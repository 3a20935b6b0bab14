import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findGpioBase, listGpioChips, GpioSetupError } from '../../src/hardware/gpiochip.js';

/** Writes a fake /sys/class/gpio with the given chips. */
async function fakeSysfs(root: string, chips: { base: number; ngpio: number; label: string }[]): Promise<string> {
  const gpio = join(root, 'class', 'gpio');
  await mkdir(gpio, { recursive: true });
  await writeFile(join(gpio, 'export'), '');
  await writeFile(join(gpio, 'unexport'), '');
  for (const chip of chips) {
    const dir = join(gpio, `gpiochip${chip.base}`);
    await mkdir(dir);
    await writeFile(join(dir, 'base'), `${chip.base}\n`);
    await writeFile(join(dir, 'ngpio'), `${chip.ngpio}\n`);
    await writeFile(join(dir, 'label'), `${chip.label}\n`);
  }
  return gpio;
}

describe('hardware: gpiochip base lookup', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relais-sysfs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds base 512 on a Pi 4 with kernel 6.6+ (and skips the firmware expander)', async () => {
    const sysfs = await fakeSysfs(root, [
      { base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
      { base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
    ]);
    const chip = await findGpioBase({ sysfsRoot: sysfs });
    assert.deepEqual(chip, { chip: 'gpiochip512', base: 512, ngpio: 58, label: 'pinctrl-bcm2711' });
  });

  it('finds base 571 on a Pi 5 (RP1), not the SoC-side brcmstb chips that come first', async () => {
    const sysfs = await fakeSysfs(root, [
      { base: 512, ngpio: 32, label: 'gpio-brcmstb@107d508500' },
      { base: 544, ngpio: 4, label: 'gpio-brcmstb@107d508520' },
      { base: 550, ngpio: 5, label: 'gpio-brcmstb@107d517c00' },
      { base: 555, ngpio: 6, label: 'gpio-brcmstb@107d517c20' },
      { base: 571, ngpio: 54, label: 'pinctrl-rp1' },
    ]);
    const chip = await findGpioBase({ sysfsRoot: sysfs });
    assert.equal(chip.base, 571);
    assert.equal(chip.label, 'pinctrl-rp1');
  });

  it('finds base 0 on an older kernel (Pi 3, bcm2835 label)', async () => {
    const sysfs = await fakeSysfs(root, [
      { base: 0, ngpio: 54, label: 'pinctrl-bcm2835' },
      { base: 504, ngpio: 8, label: 'raspberrypi-exp-gpio' },
    ]);
    assert.equal((await findGpioBase({ sysfsRoot: sysfs })).base, 0);
  });

  it('uses a configured label on other boards', async () => {
    const sysfs = await fakeSysfs(root, [
      { base: 0, ngpio: 32, label: '1c20800.pinctrl' },
      { base: 352, ngpio: 32, label: '1f02c00.pinctrl' },
    ]);
    assert.equal((await findGpioBase({ sysfsRoot: sysfs, label: '1f02c00.pinctrl' })).base, 352);
  });

  it('names the chips it found and the fix when none matches', async () => {
    const sysfs = await fakeSysfs(root, [{ base: 0, ngpio: 32, label: '1c20800.pinctrl' }]);
    await assert.rejects(findGpioBase({ sysfsRoot: sysfs }), (err: Error) => {
      assert.ok(err instanceof GpioSetupError);
      assert.match(err.message, /gpiochip0 «\s1c20800\.pinctrl\s» \(base 0, 32 lignes\)/);
      assert.match(err.message, /io\.chip/);
      return true;
    });
  });

  it('gives a clear error naming the fix when /sys/class/gpio is missing', async () => {
    await assert.rejects(findGpioBase({ sysfsRoot: join(root, 'class', 'gpio') }), (err: Error) => {
      assert.ok(err instanceof GpioSetupError);
      assert.match(err.message, /GPIO sysfs introuvable sous .*class\/gpio/);
      assert.match(err.message, /CONFIG_GPIO_SYSFS/);
      assert.match(err.message, /io\.driver à «\sfirmata\s»/);
      return true;
    });
  });

  it('skips a chip directory whose attributes cannot be read', async () => {
    const sysfs = await fakeSysfs(root, [{ base: 512, ngpio: 58, label: 'pinctrl-bcm2711' }]);
    await mkdir(join(sysfs, 'gpiochip600'));
    const chips = await listGpioChips(sysfs);
    assert.deepEqual(chips.map((c) => c.chip), ['gpiochip512']);
  });

  it('says which group to join when sysfs is not readable', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads everything
    const sysfs = await fakeSysfs(root, []);
    await chmod(sysfs, 0o000);
    try {
      await assert.rejects(findGpioBase({ sysfsRoot: sysfs }), /"gpio" group/);
    } finally {
      await chmod(sysfs, 0o755);
    }
  });
});
