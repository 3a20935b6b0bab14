/**
 * Disk space for logs and state, and the SoC temperature (a Pi in a closed
 * rack throttles at 80-85 °C, which shows as a stuttering room feed).
 */
import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { underRoot } from './fs-probe.js';
import type { CheckResult, FsProbe } from './types.js';
import { t } from '../i18n/index.js';
import { decimal } from '../i18n/numbers.js';

export interface DiskSpace {
  availableBytes: number;
  totalBytes: number;
}

export type StatFs = (path: string) => Promise<DiskSpace>;

export const defaultStatFs: StatFs = async (path) => {
  const s = await statfs(path);
  return { availableBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
};

const MB = 1024 * 1024;

export async function checkDisk(path: string, stat: StatFs = defaultStatFs): Promise<CheckResult> {
  let space: DiskSpace;
  try {
    space = await stat(path);
  } catch (err) {
    return { check: 'disk', status: 'FAIL', summary: t('doctor.disk.cannotStat', { path, reason: (err as Error).message }), fix: t('doctor.disk.cannotStatFix') };
  }
  const freeMb = Math.floor(space.availableBytes / MB);
  const pct = space.totalBytes ? Math.round((100 * space.availableBytes) / space.totalBytes) : 0;
  const summary = t('doctor.disk.free', { mb: freeMb, path, pct });
  const data = { path, ...space };
  if (freeMb < 200) return { check: 'disk', status: 'FAIL', summary, fix: t('doctor.disk.fullFix'), data };
  if (freeMb < 1024) return { check: 'disk', status: 'WARN', summary, fix: t('doctor.disk.lowFix'), data };
  return { check: 'disk', status: 'PASS', summary, data };
}

export interface ThermalZone {
  zone: string;
  type: string;
  celsius: number;
}

export async function readThermalZones(probe: FsProbe): Promise<ThermalZone[]> {
  const dir = underRoot(probe, '/sys/class/thermal');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^thermal_zone\d+$/.test(n)).sort();
  } catch {
    return [];
  }
  const zones: ThermalZone[] = [];
  for (const zone of names) {
    try {
      const raw = (await readFile(join(dir, zone, 'temp'), 'utf8')).trim();
      if (!/^-?\d+$/.test(raw)) continue;
      const type = (await readFile(join(dir, zone, 'type'), 'utf8').catch(() => '')).trim();
      zones.push({ zone, type, celsius: Number(raw) / 1000 });
    } catch {
      // A zone whose sensor is off reads EINVAL/ENODATA: skip it.
    }
  }
  return zones;
}

export async function checkTemperature(probe: FsProbe): Promise<CheckResult> {
  const zones = await readThermalZones(probe);
  if (zones.length === 0) return { check: 'temperature', status: 'PASS', summary: t('doctor.temperature.none'), data: { zones } };
  const hottest = zones.reduce((a, b) => (b.celsius > a.celsius ? b : a));
  const summary = t('doctor.temperature.reading', { celsius: decimal(hottest.celsius, 1), zone: hottest.type || hottest.zone });
  const data = { zones };
  if (hottest.celsius >= 80) return { check: 'temperature', status: 'FAIL', summary, fix: t('doctor.temperature.hotFix'), data };
  if (hottest.celsius >= 70) return { check: 'temperature', status: 'WARN', summary, fix: t('doctor.temperature.warmFix'), data };
  return { check: 'temperature', status: 'PASS', summary, data };
}
