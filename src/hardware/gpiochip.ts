/**
 * Finds the sysfs number of BCM GPIO 0 on a Raspberry Pi.
 *
 * Config speaks BCM numbers (what the pinout diagrams print). The legacy sysfs
 * interface numbers lines globally: `gpio<base + offset>`. Up to kernel 6.5 the
 * SoC's chip had base 0, so BCM 17 was `gpio17`; from 6.6 on, dynamic bases
 * start at 512, so the same pin is `gpio529` on a Pi 4 (base 512) and `gpio588`
 * on a Pi 5 (RP1 at base 571). The base is read at start-up, never assumed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { t } from '../i18n/index.js';
import { oneOf } from '../i18n/zod-words.js';

export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

/**
 * Labels of the chips that carry the 40-pin header's BCM GPIOs, most specific
 * first. `raspberrypi-exp-gpio` (the firmware expander) and the Pi 5's
 * `gpio-brcmstb@...` chips are deliberately absent: they hold no header pins.
 */
export const SOC_GPIO_LABELS: readonly string[] = [
  'pinctrl-rp1', // Pi 5, CM5 (the header hangs off the RP1 south bridge)
  'pinctrl-bcm2711', // Pi 4, Pi 400, CM4
  'pinctrl-bcm2835', // Pi 1-3, Zero, Zero 2
];

/** One `gpiochipN` directory. */
export interface GpioChipInfo {
  /** Directory name, e.g. `gpiochip512`. */
  chip: string;
  base: number;
  ngpio: number;
  label: string;
}

export interface GpioBaseOptions {
  /** sysfs root; tests point it at a fake tree. Default `/sys/class/gpio`. */
  sysfsRoot?: string;
  /** Pick the chip with this label instead of the known SoC labels (other boards). */
  label?: string;
}

/** A GPIO lookup failure a person can act on. */
export class GpioSetupError extends Error {
  override readonly name = 'GpioSetupError';
}

/** Lists every `gpiochip*` under the sysfs root with its base, size and label. */
export async function listGpioChips(sysfsRoot: string = DEFAULT_SYSFS_GPIO_ROOT): Promise<GpioChipInfo[]> {
  let entries: string[];
  try {
    entries = await readdir(sysfsRoot);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new GpioSetupError(t('setup.gpioNoSysfs', { root: sysfsRoot }));
    }
    if (code === 'EACCES') {
      throw new GpioSetupError(t('setup.gpioDenied', { root: sysfsRoot }));
    }
    throw err;
  }
  const chips: GpioChipInfo[] = [];
  for (const chip of entries.filter((e) => /^gpiochip\d+$/.test(e)).sort()) {
    const dir = join(sysfsRoot, chip);
    const read = async (file: string): Promise<string> => (await readFile(join(dir, file), 'utf8')).trim();
    try {
      const base = Number.parseInt(await read('base'), 10);
      const ngpio = Number.parseInt(await read('ngpio'), 10);
      const label = await read('label');
      if (Number.isInteger(base) && Number.isInteger(ngpio)) chips.push({ chip, base, ngpio, label });
    } catch {
      // A chip directory without readable attributes is not one we can drive; skip it.
    }
  }
  return chips;
}

/**
 * Finds the chip that carries the BCM GPIOs and returns it; its `base` is the
 * sysfs number of BCM 0. Throws a {@link GpioSetupError} naming the fix when
 * sysfs is missing or no chip matches.
 */
export async function findGpioBase(options: GpioBaseOptions = {}): Promise<GpioChipInfo> {
  const root = options.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT;
  const chips = await listGpioChips(root);
  const wanted = options.label ? [options.label] : SOC_GPIO_LABELS;
  for (const label of wanted) {
    const match = chips.find((c) => c.label === label);
    if (match) return match;
  }
  const found = chips.length ? chips.map((c) => t('setup.gpioChipLine', { chip: c.chip, label: c.label, base: c.base, n: c.ngpio })).join('; ') : t('setup.gpioNoChipAtAll');
  const hint = options.label ? t('setup.gpioCheckChip') : t('setup.gpioOtherBoard');
  throw new GpioSetupError(t('setup.gpioNoChip', { wanted: oneOf(t, wanted), root, found, hint }));
}
