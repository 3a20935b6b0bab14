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

/** How long a temperature reading is reused: a heat sink changes in seconds, not in the 50 ms between two states. */
export const TEMPERATURE_MAX_AGE_MS = 5000;

/**
 * The figures, read cheaply enough to go in every state. A state goes out
 * after every floor change, on the same event loop as the buttons and lamps:
 * `os.cpus()` reads /proc/cpuinfo and /proc/stat on each call (milliseconds on
 * a small board), so the CPU count, which does not change, is read once, and
 * the thermal zones at most once per {@link TEMPERATURE_MAX_AGE_MS}.
 */
export class SystemProbe {
  private cpuCount: number | null = null;
  private temperature: { value: number | null; at: number } | null = null;

  constructor(
    private readonly options: { thermalRoot?: string; now?: () => number; maxAgeMs?: number } = {},
  ) {}

  figures(): SystemFigures {
    this.cpuCount ??= cpus().length;
    return {
      temperatureC: this.temperatureC(),
      load1: +loadavg()[0]!.toFixed(2),
      cpus: this.cpuCount,
      rssMb: +(process.memoryUsage.rss() / 1048576).toFixed(1),
      uptimeS: Math.round(process.uptime()),
    };
  }

  private temperatureC(): number | null {
    const now = this.options.now ? this.options.now() : performance.now();
    const { maxAgeMs = TEMPERATURE_MAX_AGE_MS } = this.options;
    if (!this.temperature || now - this.temperature.at >= maxAgeMs) this.temperature = { value: readTemperature(this.options.thermalRoot), at: now };
    return this.temperature.value;
  }
}

const shared = new SystemProbe();

export function systemFigures(): SystemFigures {
  return shared.figures();
}
