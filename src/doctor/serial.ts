/**
 * Serial ports for VISCA cameras and Firmata boards: which exist, their
 * stable names (udev `/dev/relais-*`, `/dev/serial/by-id`), and whether this
 * user may open them.
 */
import { readdir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { accessModes, currentUser, underRoot } from './fs-probe.js';
import type { CheckResult, FsProbe } from './types.js';
import { t } from '../i18n/index.js';

export interface SerialPortInfo {
  path: string;
  /** Where a symlink points (udev names, by-id). */
  target?: string;
  access: string;
}

async function list(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => pattern.test(n)).sort();
  } catch {
    return [];
  }
}

export async function listSerialPorts(probe: FsProbe): Promise<SerialPortInfo[]> {
  const dev = underRoot(probe, '/dev');
  const byId = join(dev, 'serial', 'by-id');
  const out: SerialPortInfo[] = [];
  const add = async (dir: string, name: string, shown: string): Promise<void> => {
    const full = join(dir, name);
    let target: string | undefined;
    try {
      const link = await readlink(full);
      const absolute = resolve(dir, link);
      target = probe.root !== '/' && absolute.startsWith(probe.root) ? absolute.slice(probe.root.replace(/\/$/, '').length) : absolute;
    } catch {
      target = undefined;
    }
    out.push({ path: shown, ...(target ? { target } : {}), access: await accessModes(probe, full) });
  };
  for (const name of await list(dev, /^(ttyUSB|ttyACM)\d+$/)) await add(dev, name, `/dev/${name}`);
  for (const name of await list(dev, /^relais-/)) await add(dev, name, `/dev/${name}`);
  for (const name of await list(byId, /./)) await add(byId, name, `/dev/serial/by-id/${name}`);
  return out;
}

export async function checkSerial(probe: FsProbe): Promise<CheckResult> {
  const ports = await listSerialPorts(probe);
  const data = { ports };
  if (ports.length === 0) {
    return {
      check: 'serial',
      status: 'WARN',
      summary: t('doctor.serial.none'),
      fix: t('doctor.serial.noneFix'),
      data,
    };
  }
  const denied = ports.filter((p) => p.access !== 'rw');
  const names = ports.map((p) => (p.target ? `${p.path} -> ${p.target}` : p.path));
  if (denied.length) {
    return {
      check: 'serial',
      status: 'FAIL',
      summary: t('doctor.serial.denied', { user: currentUser(), ports: denied.map((p) => p.path).join(', ') }),
      fix: t('doctor.serial.deniedFix'),
      data,
    };
  }
  const stable = ports.some((p) => p.path.startsWith('/dev/relais-'));
  if (!stable) {
    return {
      check: 'serial',
      status: 'WARN',
      summary: t('doctor.serial.unstable', { ports: names.join(', ') }),
      fix: t('doctor.serial.unstableFix'),
      data,
    };
  }
  return { check: 'serial', status: 'PASS', summary: names.join(', '), data };
}
