/**
 * GPIO: which gpiochips the kernel shows (label, base: BCM 17 is `gpio<base+17>`
 * through sysfs), and whether this user may use them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accessModes, currentUser, underRoot } from './fs-probe.js';
import type { CheckResult, FsProbe } from './types.js';
import { t } from '../i18n/index.js';

/** Chips that carry a Raspberry Pi's 40-pin header, most specific first. */
export const HEADER_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];

export interface ChipInfo {
  chip: string;
  base: number;
  ngpio: number | null;
  label: string;
}

async function readTrimmed(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** Reads `/sys/class/gpio/gpiochip*\/{base,label,ngpio}`; an absent directory is an empty list. */
export async function readGpioChips(probe: FsProbe): Promise<ChipInfo[]> {
  const dir = underRoot(probe, '/sys/class/gpio');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
  const chips: ChipInfo[] = [];
  for (const chip of names.sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))) {
    const base = await readTrimmed(join(dir, chip, 'base'));
    if (base === null || !/^\d+$/.test(base)) continue;
    const ngpio = await readTrimmed(join(dir, chip, 'ngpio'));
    chips.push({ chip, base: Number(base), ngpio: ngpio && /^\d+$/.test(ngpio) ? Number(ngpio) : null, label: (await readTrimmed(join(dir, chip, 'label'))) ?? '' });
  }
  return chips;
}

export async function checkGpio(probe: FsProbe): Promise<CheckResult> {
  const chips = await readGpioChips(probe);
  const devDir = underRoot(probe, '/dev');
  let devChips: string[] = [];
  try {
    devChips = (await readdir(devDir)).filter((n) => /^gpiochip\d+$/.test(n)).sort();
  } catch {
    devChips = [];
  }
  const data = { chips, devices: devChips };
  if (chips.length === 0 && devChips.length === 0) {
    return {
      check: 'gpio',
      status: 'WARN',
      summary: t('doctor.gpio.noChips'),
      fix: t('doctor.gpio.noChipsFix'),
      data,
    };
  }
  const header = HEADER_LABELS.map((label) => chips.find((c) => c.label === label)).find(Boolean);
  const exportPath = join(underRoot(probe, '/sys/class/gpio'), 'export');
  const exportMode = chips.length ? await accessModes(probe, exportPath) : '-';
  const denied: string[] = [];
  for (const dev of devChips) {
    if ((await accessModes(probe, join(devDir, dev))) !== 'rw') denied.push(`/dev/${dev}`);
  }
  const where = header ? `${header.chip} "${header.label}" base ${header.base} (BCM 17 = gpio${header.base + 17})` : t('doctor.gpio.chips', { n: chips.length, list: chips.map((c) => `${c.chip} "${c.label}" base ${c.base}`).join(', ') || t('doctor.gpio.noneInSysfs') });
  if (chips.length > 0 && !exportMode.includes('w')) {
    return {
      check: 'gpio',
      status: 'FAIL',
      summary: t('doctor.gpio.exportDenied', { where, user: currentUser() }),
      fix: t('doctor.gpio.exportDeniedFix'),
      data,
    };
  }
  if (denied.length) {
    return {
      check: 'gpio',
      status: 'WARN',
      summary: t('doctor.gpio.devDenied', { where, devices: denied.join(', ') }),
      fix: t('doctor.gpio.devDeniedFix'),
      data,
    };
  }
  if (!header && chips.length) {
    return {
      check: 'gpio',
      status: 'WARN',
      summary: t('doctor.gpio.notHeader', { where }),
      fix: t('doctor.gpio.notHeaderFix'),
      data,
    };
  }
  return { check: 'gpio', status: 'PASS', summary: t('doctor.gpio.ok', { where }), data };
}
