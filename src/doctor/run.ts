/**
 * Runs the doctor's checks in a fixed order and formats the result: one
 * line per check, `--json` for machines, exit status 1 when any check fails.
 */
import { existsSync } from 'node:fs';
import { checkBroker, type BrokerCheckOptions } from './broker.js';
import { checkFfmpeg, spawnFfmpeg, type FfmpegRunner } from './ffmpeg.js';
import { defaultFsProbe } from './fs-probe.js';
import { checkGpio } from './gpio.js';
import { checkNamedDevices, type NamedDevices } from './devices.js';
import { checkDisk, checkTemperature, defaultStatFs, type StatFs } from './host.js';
import { checkSerial } from './serial.js';
import { checkTallySources } from './tally.js';
import { checkUnitSandbox } from './sandbox.js';
import type { CheckResult, FsProbe } from './types.js';
import { t } from '../i18n/index.js';
import type { TallySourceConfig } from '../tally/config.js';

export const CHECK_NAMES = ['gpio', 'serial', 'ffmpeg', 'broker', 'tally', 'disk', 'temperature'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface DoctorOptions {
  /** Checks to run (default all). `broker` also yields the `clock` line. */
  only?: readonly CheckName[];
  probe?: FsProbe;
  ffmpeg?: FfmpegRunner;
  ffmpegTimeoutMs?: number;
  /** Without it the broker check is a WARN ("no broker given"). */
  broker?: BrokerCheckOptions;
  /** Where state lives (default /var/lib/relais, or / when absent). */
  diskPath?: string;
  statfs?: StatFs;
  /** The site's network tally sources (from its config); each is connected to and read once. */
  tallySources?: readonly TallySourceConfig[];
  tallyTimeoutMs?: number;
  /** The site config's devices: each one it names is checked too. */
  devices?: NamedDevices;
}

export async function runDoctor(o: DoctorOptions = {}): Promise<CheckResult[]> {
  const only = new Set<CheckName>(o.only ?? CHECK_NAMES);
  const probe = o.probe ?? defaultFsProbe();
  const results: CheckResult[] = [];
  // One at a time: the ffmpeg trials and the broker timing should not compete for 2 cores.
  const named = o.devices ? await checkNamedDevices(o.devices, probe) : { gpio: [], serial: [] };
  if (only.has('gpio')) results.push(await checkGpio(probe), ...named.gpio);
  if (only.has('serial')) results.push(await checkSerial(probe), ...named.serial);
  if (only.has('ffmpeg')) {
    const ffmpeg = await checkFfmpeg({ run: o.ffmpeg ?? spawnFfmpeg(), timeoutMs: o.ffmpegTimeoutMs });
    // What works here may be blocked inside the appliance unit's sandbox.
    const sandbox = await checkUnitSandbox(probe, (ffmpeg.data?.working as string[] | undefined) ?? []);
    results.push(ffmpeg, ...(sandbox ? [sandbox] : []));
  }
  if (only.has('broker')) {
    if (o.broker) results.push(...(await checkBroker(o.broker)));
    else results.push({ check: 'broker', status: 'WARN', summary: t('doctor.noBroker'), fix: t('doctor.noBrokerFix') });
  }
  if (only.has('tally')) results.push(...(await checkTallySources(o.tallySources ?? [], o.tallyTimeoutMs)));
  if (only.has('disk')) results.push(await checkDisk(o.diskPath ?? (existsSync('/var/lib/relais') ? '/var/lib/relais' : '/'), o.statfs ?? defaultStatFs));
  if (only.has('temperature')) results.push(await checkTemperature(probe));
  return results;
}

/**
 * `PASS  gpio         what` plus an indented `fix:` (« à faire : ») line for WARN
 * and FAIL, and the tally, in the CLI's language. The checks' own findings
 * keep their words (device paths, ffmpeg's).
 */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length), 6);
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.status.padEnd(5)} ${r.check.padEnd(width)}  ${r.summary}`);
    if (r.fix && r.status !== 'PASS') lines.push(`${' '.repeat(6 + width)}  ${t('cli.doctorFix')}${t('punct.colon')}${r.fix}`);
  }
  const fails = results.filter((r) => r.status === 'FAIL').length;
  const warns = results.filter((r) => r.status === 'WARN').length;
  lines.push(fails ? t('cli.doctorFailed', { fails, warns }) : warns ? t('cli.doctorWarnings', { warns }) : t('cli.doctorAllPassed'));
  return lines.join('\n');
}

export function exitCodeFor(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'FAIL') ? 1 : 0;
}
