/**
 * Disk space for logs and state, and the SoC temperature (a Pi in a closed
 * rack throttles at 80-85 °C, which shows as a stuttering room feed).
 */
import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { underRoot } from './fs-probe.js';
import type { CheckResult, FsProbe } from './types.js';

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
    return { check: 'disk', status: 'FAIL', summary: `cannot stat ${path}: ${(err as Error).message}`, fix: 'run scripts/install.sh (it creates /var/lib/relais)' };
  }
  const freeMb = Math.floor(space.availableBytes / MB);
  const pct = space.totalBytes ? Math.round((100 * space.availableBytes) / space.totalBytes) : 0;
  const summary = `${freeMb} MB free on ${path} (${pct}%)`;
  const data = { path, ...space };
  if (freeMb < 200) return { check: 'disk', status: 'FAIL', summary, fix: 'free space: sudo journalctl --vacuum-size=100M, remove old recordings', data };
  if (freeMb < 1024) return { check: 'disk', status: 'WARN', summary, fix: 'keep at least 1 GB free for the journal and state (sudo journalctl --vacuum-size=200M)', data };
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
  if (zones.length === 0) return { check: 'temperature', status: 'PASS', summary: 'no thermal sensor exposed (not measured)', data: { zones } };
  const hottest = zones.reduce((a, b) => (b.celsius > a.celsius ? b : a));
  const summary = `${hottest.celsius.toFixed(1)} °C (${hottest.type || hottest.zone})`;
  const data = { zones };
  if (hottest.celsius >= 80) return { check: 'temperature', status: 'FAIL', summary, fix: 'the SoC throttles now: add a fan or heatsink case, give the rack air', data };
  if (hottest.celsius >= 70) return { check: 'temperature', status: 'WARN', summary, fix: 'close to throttling (80 °C): a fan case is cheap insurance for a long day', data };
  return { check: 'temperature', status: 'PASS', summary, data };
}
