/**
 * The doctor reads the installed appliance unit (and its drop-ins) and names
 * the working encoder or the screen its sandbox would block. The unit as it
 * shipped before char-drm and the render group is the case that must fail.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFsProbe } from '../../src/doctor/fs-probe.js';
import { checkUnitSandbox, readSandbox } from '../../src/doctor/sandbox.js';

const REPO = join(import.meta.dirname, '..', '..');
const UNIT = join(REPO, 'systemd', 'relais-appliance.service');

describe('deploy: relais doctor checks the appliance unit’s sandbox against the encoders that work', () => {
  let root: string;
  const unitDir = (): string => join(root, 'etc/systemd/system');
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relais-sandbox-'));
    await mkdir(unitDir(), { recursive: true });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('the shipped unit lets VAAPI, V4L2 M2M, NVENC and the KMS screen through', async () => {
    await cp(UNIT, join(unitDir(), 'relais-appliance.service'));
    const r = await checkUnitSandbox(defaultFsProbe(root), ['h264_v4l2m2m', 'h264_vaapi', 'h264_nvenc', 'libx264']);
    assert.equal(r?.status, 'PASS', JSON.stringify(r));
    assert.match(r!.summary, /laisse passer h264_v4l2m2m, h264_vaapi, h264_nvenc, display/);
  });

  it('a unit without char-drm and the render group: VAAPI and the screen are named, with the lines to add', async () => {
    // The unit before this fix: DevicePolicy=closed, no char-drm, groups without render.
    const old = (await readFile(UNIT, 'utf8')).replace(/^DeviceAllow=char-(drm|nvidia-\S+) rw\n/gm, '').replace('SupplementaryGroups=gpio dialout video render audio', 'SupplementaryGroups=gpio dialout video audio');
    await writeFile(join(unitDir(), 'relais-appliance.service'), old);
    const r = await checkUnitSandbox(defaultFsProbe(root), ['h264_vaapi', 'libx264']);
    assert.equal(r?.status, 'FAIL');
    assert.match(r!.summary, /bloquerait h264_vaapi \(\/dev\/dri\/renderD\* \(VAAPI\)\), display \(\/dev\/dri\/card\* \(l’affichage de la salle en KMS\)\)\s: à l’intérieur, l’encodeur se rabat sur libx264/);
    assert.match(r!.fix!, /DeviceAllow=char-drm rw, SupplementaryGroups=render/);
  });

  it('reads drop-ins: an empty DeviceAllow= resets the list; the desktop drop-in needs no KMS screen', async () => {
    await cp(UNIT, join(unitDir(), 'relais-appliance.service'));
    await mkdir(join(unitDir(), 'relais-appliance.service.d'));
    await writeFile(join(unitDir(), 'relais-appliance.service.d/local.conf'), '[Service]\nDeviceAllow=\nDeviceAllow=char-ttyUSB rw\n');
    const reset = await checkUnitSandbox(defaultFsProbe(root), ['h264_v4l2m2m']);
    assert.equal(reset?.status, 'FAIL');
    assert.match(reset!.fix!, /DeviceAllow=char-video4linux rw, DeviceAllow=char-drm rw/);

    await rm(join(unitDir(), 'relais-appliance.service.d/local.conf'));
    await cp(join(REPO, 'systemd/relais-appliance.service.d/display-desktop.conf'), join(unitDir(), 'relais-appliance.service.d/display-desktop.conf'));
    const desktop = await checkUnitSandbox(defaultFsProbe(root), ['libx264']);
    assert.equal(desktop?.status, 'PASS');
    assert.doesNotMatch(desktop!.summary, /display/);
  });

  it('says nothing where the unit is not installed, and parses the directives systemd would', async () => {
    assert.equal(await checkUnitSandbox(defaultFsProbe(root), ['h264_vaapi']), null);
    const s = readSandbox(['DevicePolicy=closed\nDeviceAllow=char-drm rw\n# DeviceAllow=char-alsa rw\nSupplementaryGroups=video render\n']);
    assert.deepEqual([s.devicePolicy, [...s.deviceAllow], [...s.groups]], ['closed', ['char-drm'], ['video', 'render']]);
  });
});
