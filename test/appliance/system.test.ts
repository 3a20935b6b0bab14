import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemProbe, TEMPERATURE_MAX_AGE_MS } from '../../src/appliance/system.js';

describe('system figures in the site state', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relais-thermal-'));
    await mkdir(join(root, 'thermal_zone0'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const setTemp = (milli: number): Promise<void> => writeFile(join(root, 'thermal_zone0', 'temp'), `${milli}\n`);

  it('reuses a temperature reading for TEMPERATURE_MAX_AGE_MS, then reads the zone again', async () => {
    let now = 1000;
    const probe = new SystemProbe({ thermalRoot: root, now: () => now });
    await setTemp(45_000);
    assert.equal(probe.figures().temperatureC, 45);
    await setTemp(61_500);
    now += TEMPERATURE_MAX_AGE_MS - 1;
    assert.equal(probe.figures().temperatureC, 45, 'a state 50 ms after the last one reads no file');
    now += 1;
    assert.equal(probe.figures().temperatureC, 61.5);
  });

  it('reports the CPU count, load, memory and uptime; no thermal zone gives null', async () => {
    const probe = new SystemProbe({ thermalRoot: join(root, 'absent'), now: () => 0 });
    const figures = probe.figures();
    assert.equal(figures.cpus, cpus().length);
    assert.equal(figures.temperatureC, null);
    assert.ok(figures.rssMb > 0 && figures.load1 >= 0 && figures.uptimeS >= 0, JSON.stringify(figures));
  });
});
