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
    const fix = HEADER_UARTS.has(path)
      ? 'the header UART is off: sudo scripts/install.sh writes enable_uart=1 (Pi 3/4) or dtparam=uart0=on (Pi 5, where the header UART is /dev/ttyAMA0 and /dev/serial0 is the debug connector) into config.txt; then reboot'
      : 'plug the adapter or the board in, then `ls -l /dev/relais-* /dev/serial/by-id/`; install hardware/udev/99-relais.rules (install.sh does) and write the name it shows into the config';
    return { check: 'serial', status: 'FAIL', summary: `${where}: no such device`, fix, data: { path, keys } };
  }
  if (mode !== 'rw') {
    return { check: 'serial', status: 'FAIL', summary: `${where}: ${currentUser()} cannot open it (${mode})`, fix: 'add the user to group dialout (sudo usermod -aG dialout relais); the udev rules give the relais adapters to dialout', data: { path, keys } };
  }
  return { check: 'serial', status: 'PASS', summary: `${where}: present, read/write`, data: { path, keys } };
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
    const wanted = io.chip !== undefined ? `io.chip "${io.chip}"` : `a Raspberry Pi header chip (${HEADER_LABELS.join(', ')})`;
    return [
      {
        check: 'gpio',
        status: 'FAIL',
        summary: `io.driver is "gpio", but this machine has no GPIO chip ${wanted}${chips.length ? `; it has ${chips.map((c) => `"${c.label}"`).join(', ')}` : ''}`,
        fix: 'on a Raspberry Pi use Raspberry Pi OS Bookworm; on another board set io.chip to the label in /sys/class/gpio/gpiochip*/label (or io.base); on a PC set io.driver to "firmata" or "simulated"',
        data: { chips },
      },
    ];
  }
  const results: CheckResult[] = [];
  const pins = [...Object.entries(io.inputs).map(([name, s]) => ({ name, kind: 'input' as const, ...s })), ...Object.entries(io.outputs).map(([name, s]) => ({ name, kind: 'output' as const, ...s }))];
  const outOfRange = pins.filter((p) => typeof p.pin !== 'number' || (chip.ngpio !== null && p.pin >= chip.ngpio));
  if (outOfRange.length) {
    results.push({ check: 'gpio', status: 'FAIL', summary: `not a line of ${chip.chip} "${chip.label}": ${outOfRange.map((p) => `${p.name} (${String(p.pin)})`).join(', ')}`, fix: 'use BCM numbers (header pin 11 is BCM 17) in io.inputs / io.outputs' });
  }
  const boot = await readBootConfig(probe);
  const pulls = boot ? bootPulls(boot.text) : new Map<number, string>();
  const inputs = pins.filter((p) => p.kind === 'input' && typeof p.pin === 'number');
  const missing = inputs.filter((p) => pulls.get(p.pin as number) !== (p.activeLow ? 'pu' : 'pd'));
  if (missing.length) {
    results.push({
      check: 'gpio',
      status: 'FAIL',
      summary: `${missing.map((p) => `${p.name} (BCM ${String(p.pin)}, ${p.activeLow ? 'active-low: needs pu' : 'active-high: needs pd'})`).join(', ')} get no pull at boot in ${boot?.path ?? 'config.txt (not found)'}: an open contact floats or reads asserted (BCM 9-27 come up pulled low)`,
      fix: 'sudo scripts/install.sh writes the gpio=...=ip,pu line for these inputs into config.txt; then reboot (or fit an external pull resistor)',
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
    results.push({ check: 'gpio', status: 'WARN', summary: `reads asserted now: ${asserted.join(', ')}`, fix: 'if nobody is pressing it, the pull is missing or the wiring is shorted: check config.txt gpio= lines and hardware/wiring.md' });
  }
  if (!results.length) {
    results.push({ check: 'gpio', status: 'PASS', summary: `${chip.chip} "${chip.label}": ${pins.length} pins in range, every input pulled at boot (${boot?.path})` });
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
