/**
 * The devices a site config names, checked one by one: each serial path (the
 * cameras' and the Firmata board's), the GPIO chip and every pin, and the pull
 * each input gets at boot. The generic `gpio` and `serial` checks say what the
 * machine has; these say whether it has what this box will open.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IoConfig } from '../hardware/config.js';
import { accessModes, currentUser, underRoot } from './fs-probe.js';
import { HEADER_LABELS, readGpioChips, type ChipInfo } from './gpio.js';
import type { CheckResult, FsProbe } from './types.js';
import { t } from '../i18n/index.js';

/** The parts of a site config that name devices. */
export interface NamedDevices {
  io: IoConfig;
  cameras: ReadonlyArray<{ name: string; transport: { type: string; path?: string } }>;
}

/** The device names of the Raspberry Pi header UART (GPIO 14/15). */
const HEADER_UARTS = new Set(['/dev/serial0', '/dev/ttyAMA0', '/dev/ttyS0']);

/** Serial paths with the config keys that name them. */
function serialPaths(cfg: NamedDevices): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (path: string, key: string): void => void out.set(path, [...(out.get(path) ?? []), key]);
  cfg.cameras.forEach((cam, i) => {
    if (cam.transport.type === 'serial' && cam.transport.path) add(cam.transport.path, `cameras[${i}].transport.path`);
  });
  if (cfg.io.driver === 'firmata') add(cfg.io.port, 'io.port');
  return out;
}

async function checkSerialPath(probe: FsProbe, path: string, keys: string[]): Promise<CheckResult> {
  const where = `${path} (${keys.join(', ')})`;
  const mode = await accessModes(probe, underRoot(probe, path));
  const present = mode !== '-' || (await probe.access(underRoot(probe, path), 0).then(() => true, () => false));
  if (!present) {
    const fix = HEADER_UARTS.has(path) ? t('doctor.serial.uartOffFix') : t('doctor.serial.plugFix');
    return { check: 'serial', status: 'FAIL', summary: t('doctor.serial.absent', { where }), fix, data: { path, keys } };
  }
  if (mode !== 'rw') {
    return { check: 'serial', status: 'FAIL', summary: t('doctor.serial.cannotOpen', { where, user: currentUser(), mode }), fix: t('doctor.serial.cannotOpenFix'), data: { path, keys } };
  }
  return { check: 'serial', status: 'PASS', summary: t('doctor.serial.present', { where }), data: { path, keys } };
}

/** `gpio=<pins>=<options>` lines of config.txt: BCM pin -> its pull (`pu`, `pd`, `pn`). */
export function bootPulls(configTxt: string): Map<number, string> {
  const pulls = new Map<number, string>();
  for (const raw of configTxt.split('\n')) {
    const m = /^\s*gpio=([\d,-]+)=([a-z0-9,]+)\s*(?:#.*)?$/.exec(raw);
    if (!m) continue;
    const pull = m[2]!.split(',').find((o) => o === 'pu' || o === 'pd' || o === 'pn');
    if (!pull) continue;
    for (const part of m[1]!.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let pin = a!; pin <= (b ?? a!); pin++) pulls.set(pin, pull);
    }
  }
  return pulls;
}

async function readBootConfig(probe: FsProbe): Promise<{ path: string; text: string } | null> {
  for (const path of ['/boot/firmware/config.txt', '/boot/config.txt']) {
    const text = await readFile(underRoot(probe, path), 'utf8').catch(() => null);
    if (text !== null) return { path, text };
  }
  return null;
}

function findChip(io: Extract<IoConfig, { driver: 'gpio' }>, chips: ChipInfo[]): ChipInfo | undefined {
  if (io.base !== undefined) return chips.find((c) => c.base === io.base) ?? { chip: `gpiochip${io.base}`, base: io.base, ngpio: null, label: 'io.base' };
  if (io.chip !== undefined) return chips.find((c) => c.label === io.chip);
  return HEADER_LABELS.map((label) => chips.find((c) => c.label === label)).find(Boolean);
}

async function checkGpioPins(probe: FsProbe, io: Extract<IoConfig, { driver: 'gpio' }>): Promise<CheckResult[]> {
  const chips = await readGpioChips(probe);
  const chip = findChip(io, chips);
  if (!chip) {
    const wanted = io.chip !== undefined ? t('doctor.gpio.namedChip', { chip: io.chip }) : t('doctor.gpio.headerChip', { labels: HEADER_LABELS.join(', ') });
    return [
      {
        check: 'gpio',
        status: 'FAIL',
        summary: t('doctor.gpio.noChip', { wanted, has: chips.length ? t('doctor.gpio.itHas', { chips: chips.map((c) => `"${c.label}"`).join(', ') }) : '' }),
        fix: t('doctor.gpio.noChipFix'),
        data: { chips },
      },
    ];
  }
  const results: CheckResult[] = [];
  const pins = [...Object.entries(io.inputs).map(([name, s]) => ({ name, kind: 'input' as const, ...s })), ...Object.entries(io.outputs).map(([name, s]) => ({ name, kind: 'output' as const, ...s }))];
  const outOfRange = pins.filter((p) => typeof p.pin !== 'number' || (chip.ngpio !== null && p.pin >= chip.ngpio));
  if (outOfRange.length) {
    results.push({ check: 'gpio', status: 'FAIL', summary: t('doctor.gpio.outOfRange', { chip: chip.chip, label: chip.label, pins: outOfRange.map((p) => `${p.name} (${String(p.pin)})`).join(', ') }), fix: t('doctor.gpio.outOfRangeFix') });
  }
  const boot = await readBootConfig(probe);
  const pulls = boot ? bootPulls(boot.text) : new Map<number, string>();
  const inputs = pins.filter((p) => p.kind === 'input' && typeof p.pin === 'number');
  const missing = inputs.filter((p) => pulls.get(p.pin as number) !== (p.activeLow ? 'pu' : 'pd'));
  if (missing.length) {
    results.push({
      check: 'gpio',
      status: 'FAIL',
      summary: t('doctor.gpio.noPull', {
        pins: missing.map((p) => t(p.activeLow ? 'doctor.gpio.pinActiveLow' : 'doctor.gpio.pinActiveHigh', { name: p.name, pin: String(p.pin) })).join(', '),
        file: boot?.path ?? t('doctor.gpio.bootConfigMissing'),
      }),
      fix: t('doctor.gpio.noPullFix'),
      data: { missing: missing.map((p) => p.name) },
    });
  }
  // A pin the running appliance has exported shows its level now: asserted at idle means no pull.
  const asserted: string[] = [];
  for (const p of inputs) {
    const value = await readFile(join(underRoot(probe, '/sys/class/gpio'), `gpio${chip.base + (p.pin as number)}`, 'value'), 'utf8').catch(() => null);
    if (value !== null && (value.trim() === '0') === p.activeLow) asserted.push(`${p.name} (BCM ${String(p.pin)})`);
  }
  if (asserted.length) {
    results.push({ check: 'gpio', status: 'WARN', summary: t('doctor.gpio.asserted', { pins: asserted.join(', ') }), fix: t('doctor.gpio.assertedFix') });
  }
  if (!results.length) {
    results.push({ check: 'gpio', status: 'PASS', summary: t('doctor.gpio.pinsOk', { chip: chip.chip, label: chip.label, n: pins.length, file: boot?.path ?? '' }) });
  }
  return results;
}

/** One line per device the config names (serial) and per GPIO problem found. */
export async function checkNamedDevices(cfg: NamedDevices, probe: FsProbe): Promise<{ gpio: CheckResult[]; serial: CheckResult[] }> {
  const serial: CheckResult[] = [];
  for (const [path, keys] of serialPaths(cfg)) serial.push(await checkSerialPath(probe, path, keys));
  const gpio = cfg.io.driver === 'gpio' ? await checkGpioPins(probe, cfg.io) : [];
  return { gpio, serial };
}
