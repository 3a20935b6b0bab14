/**
 * The doctor runs as the relais user, outside the appliance unit: an encoder
 * that works here may still be unusable inside the unit, whose
 * `DevicePolicy=closed` lets through only the device groups of `DeviceAllow=`
 * and whose process gets only the groups of `SupplementaryGroups=`
 * (systemd.resource-control, systemd.exec). This reads the installed unit and
 * its drop-ins and says which working encoder (and the screen) it would block.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { underRoot } from './fs-probe.js';
import type { CheckResult, FsProbe } from './types.js';
import { t } from '../i18n/index.js';

const UNIT = '/etc/systemd/system/relais-appliance.service';

/** What each encoder opens: the `char-<group>` of /proc/devices and the Unix group of its nodes. */
const NEEDS: Record<string, { devices: string[]; groups: string[]; what: string }> = {
  h264_v4l2m2m: { devices: ['char-video4linux'], groups: ['video'], what: '/dev/video1x (V4L2 M2M)' },
  h264_vaapi: { devices: ['char-drm'], groups: ['render'], what: '/dev/dri/renderD* (VAAPI)' },
  h264_qsv: { devices: ['char-drm'], groups: ['render'], what: '/dev/dri/renderD* (QSV)' },
  h264_nvenc: { devices: ['char-nvidia-frontend', 'char-nvidia-uvm'], groups: [], what: '/dev/nvidia* (NVENC)' },
};
/** The room display on KMS/DRM, without a desktop. */
const SCREEN = { devices: ['char-drm'], groups: ['video'], what: () => `/dev/dri/card* (${t('doctor.sandbox.screen')})` };

export interface UnitSandbox {
  devicePolicy: string;
  deviceAllow: Set<string>;
  groups: Set<string>;
}

/** The unit's `DevicePolicy=`, `DeviceAllow=` and `SupplementaryGroups=` after its drop-ins (an empty value resets). */
export function readSandbox(texts: readonly string[]): UnitSandbox {
  const sandbox: UnitSandbox = { devicePolicy: 'auto', deviceAllow: new Set(), groups: new Set() };
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (line.startsWith('#') || eq < 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      if (key === 'DevicePolicy') sandbox.devicePolicy = value;
      else if (key === 'DeviceAllow') {
        if (!value) sandbox.deviceAllow.clear();
        else sandbox.deviceAllow.add(value.split(/\s+/)[0]!);
      } else if (key === 'SupplementaryGroups') {
        if (!value) sandbox.groups.clear();
        for (const g of value.split(/\s+/).filter(Boolean)) sandbox.groups.add(g);
      }
    }
  }
  return sandbox;
}

async function unitTexts(probe: FsProbe): Promise<string[] | null> {
  const main = await readFile(underRoot(probe, UNIT), 'utf8').catch(() => null);
  if (main === null) return null;
  const dir = underRoot(probe, `${UNIT}.d`);
  const dropIns = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.conf')).sort();
  return [main, ...(await Promise.all(dropIns.map((n) => readFile(join(dir, n), 'utf8'))))];
}

/** `working`: the encoders the ffmpeg check found working outside the unit. Null where the unit is not installed. */
export async function checkUnitSandbox(probe: FsProbe, working: readonly string[]): Promise<CheckResult | null> {
  const texts = await unitTexts(probe);
  if (!texts) return null;
  const sandbox = readSandbox(texts);
  const closed = sandbox.devicePolicy === 'closed' || sandbox.devicePolicy === 'strict';
  const blocked: string[] = [];
  const fixes = new Set<string>();
  const desktop = texts.some((t) => /^Environment=SDL_VIDEODRIVER=x11$/m.test(t));
  const wanted = [...working.filter((e) => NEEDS[e]).map((e) => ({ name: e, ...NEEDS[e]! })), ...(desktop ? [] : [{ name: 'display', ...SCREEN, what: SCREEN.what() }])];
  for (const need of wanted) {
    const devices = closed ? need.devices.filter((d) => !sandbox.deviceAllow.has(d)) : [];
    const groups = need.groups.filter((g) => !sandbox.groups.has(g));
    if (!devices.length && !groups.length) continue;
    blocked.push(`${need.name} (${need.what})`);
    for (const d of devices) fixes.add(`DeviceAllow=${d} rw`);
    if (groups.length) fixes.add(`SupplementaryGroups=${groups.join(' ')}`);
  }
  const data = { devicePolicy: sandbox.devicePolicy, deviceAllow: [...sandbox.deviceAllow], groups: [...sandbox.groups] };
  if (blocked.length) {
    return {
      check: 'sandbox',
      status: 'FAIL',
      summary: t('doctor.sandbox.blocked', { list: blocked.join(', ') }),
      fix: t('doctor.sandbox.blockedFix', { lines: [...fixes].join(', ') }),
      data,
    };
  }
  return { check: 'sandbox', status: 'PASS', summary: t('doctor.sandbox.allowed', { list: wanted.map((n) => n.name).join(', ') || t('doctor.sandbox.whatThisBoxUses') }), data };
}
