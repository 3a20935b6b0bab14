/** The box's own health for its `state`: temperature, load, memory. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface SystemFigures {
  temperatureC: number | null;
  load1: number;
  cpus: number;
  rssMb: number;
  uptimeS: number;
}

/** Hottest thermal zone in °C, or null where the kernel exposes none (VMs, most PCs without drivers). */
export function readTemperature(root = '/sys/class/thermal'): number | null {
  let hottest: number | null = null;
  for (let zone = 0; zone < 16; zone++) {
    try {
      const milli = Number(readFileSync(`${root}/thermal_zone${zone}/temp`, 'utf8').trim());
      if (Number.isFinite(milli)) hottest = Math.max(hottest ?? -Infinity, milli / 1000);
    } catch {
      if (zone > 0) break;
    }
  }
  return hottest;
}

export function systemFigures(): SystemFigures {
  return {
    temperatureC: readTemperature(),
    load1: +loadavg()[0]!.toFixed(2),
    cpus: cpus().length,
    rssMb: +(process.memoryUsage.rss() / 1048576).toFixed(1),
    uptimeS: Math.round(process.uptime()),
  };
}
