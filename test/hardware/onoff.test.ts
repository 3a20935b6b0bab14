import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnoffDriver, loadOnoffBackend, type SysfsGpioBackend, type SysfsPin } from '../../src/hardware/onoff.js';
import { GpioSetupError } from '../../src/hardware/gpiochip.js';
import { recordingLogger } from '../helpers/log.js';

/** Stands where onoff and the kernel would: exported lines with electrical levels and interrupts. */
class FakeLines implements SysfsGpioBackend {
  readonly exported = new Map<number, { mode: 'input' | 'output'; level: 0 | 1; watchers: ((err: Error | null, v: 0 | 1) => void)[] }>();
  readonly log: string[] = [];
  failWith: string | null = null;

  open(n: number, mode: 'input' | 'output', initial: 0 | 1 = 0): SysfsPin {
    if (this.failWith) throw Object.assign(new Error(`${this.failWith}, write`), { code: this.failWith });
    if (this.exported.has(n)) throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
    const line = { mode, level: mode === 'input' ? (1 as 0 | 1) : initial, watchers: [] as ((err: Error | null, v: 0 | 1) => void)[] };
    this.exported.set(n, line);
    this.log.push(`export ${n} ${mode}${mode === 'output' ? ` ${initial}` : ''}`);
    return {
      readSync: () => line.level,
      writeSync: (v) => {
        line.level = v;
        this.log.push(`write ${n} ${v}`);
      },
      watch: (cb) => line.watchers.push(cb),
      unexport: () => {
        this.exported.delete(n);
        this.log.push(`unexport ${n}`);
      },
    };
  }

  /** The kernel reports an interrupt with the line's level. */
  drive(n: number, level: 0 | 1): void {
    const line = this.exported.get(n);
    if (!line) throw new Error(`gpio${n} not exported`);
    line.level = level;
    for (const w of line.watchers) w(null, level);
  }
}

async function fakeSysfs(root: string, base: number, label: string): Promise<string> {
  const gpio = join(root, 'gpio');
  await mkdir(join(gpio, `gpiochip${base}`), { recursive: true });
  await writeFile(join(gpio, `gpiochip${base}`, 'base'), `${base}\n`);
  await writeFile(join(gpio, `gpiochip${base}`, 'ngpio'), '58\n');
  await writeFile(join(gpio, `gpiochip${base}`, 'label'), `${label}\n`);
  return gpio;
}

const quiet = recordingLogger();

describe('hardware: onoff driver (fake sysfs lines)', () => {
  let root: string;
  let lines: FakeLines;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'relais-onoff-'));
    lines = new FakeLines();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('adds the chip base to BCM numbers (Pi 4, kernel 6.6: BCM 17 is gpio529)', async () => {
    const driver = await createOnoffDriver({ sysfsRoot: await fakeSysfs(root, 512, 'pinctrl-bcm2711'), backend: lines, log: quiet });
    await driver.openInput({ name: 'podium', pin: 17, activeLow: true });
    await driver.openOutput({ name: 'onAir', pin: 22 });
    assert.deepEqual(lines.log, ['export 529 input', 'export 534 output 0']);
    await driver.close();
  });

  it('Pi 5: BCM 17 is gpio588', async () => {
    const driver = await createOnoffDriver({ sysfsRoot: await fakeSysfs(root, 571, 'pinctrl-rp1'), backend: lines, log: quiet });
    await driver.openInput({ name: 'podium', pin: 17 });
    assert.ok(lines.exported.has(588));
    await driver.close();
  });

  it('inverts active-low inputs and emits only real changes', async () => {
    const driver = await createOnoffDriver({ base: 0, backend: lines, log: quiet });
    const button = await driver.openInput({ name: 'podium', pin: 17, activeLow: true });
    assert.equal(button.read(), false, 'pulled-up line at rest reads released');
    const edges: boolean[] = [];
    button.on('edge', (v) => edges.push(v));
    lines.drive(17, 0); // pressed: pulled to ground
    lines.drive(17, 0); // onoff reports the same level again after bounce
    lines.drive(17, 1);
    assert.deepEqual(edges, [true, false]);
    await driver.close();
  });

  it('active-high input and active-low output (relay board) levels', async () => {
    const driver = await createOnoffDriver({ base: 0, backend: lines, log: quiet });
    const input = await driver.openInput({ name: 'gpi', pin: 5, activeLow: false });
    assert.equal(input.read(), true);
    const relay = await driver.openOutput({ name: 'onAir', pin: 22, activeLow: true });
    relay.write(true);
    relay.write(false);
    assert.deepEqual(lines.log.slice(1), ['export 22 output 1', 'write 22 0', 'write 22 1']);
    await driver.close();
  });

  it('unexports every pin on close, turning outputs off first', async () => {
    const driver = await createOnoffDriver({ base: 512, backend: lines, log: quiet });
    await driver.openInput({ name: 'podium', pin: 17 });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 22 });
    lamp.write(true);
    await driver.close();
    assert.equal(lines.exported.size, 0);
    assert.deepEqual(lines.log.slice(-3), ['unexport 529', 'write 534 0', 'unexport 534']);
    lamp.write(true); // after close: ignored, no throw
    assert.equal(lines.log.at(-1), 'unexport 534');
  });

  it('rejects a header pin number, a pin used twice, and says why', async () => {
    const driver = await createOnoffDriver({ base: 512, backend: lines, log: quiet });
    await assert.rejects(driver.openInput({ name: 'podium', pin: 99 }), /n’est pas un numéro de GPIO BCM.*la broche 11 du connecteur est BCM 17/);
    await driver.openInput({ name: 'podium', pin: 17 });
    await assert.rejects(driver.openOutput({ name: 'onAir', pin: 17 }), /déjà ouverte par «\spodium\s»/);
    await driver.close();
  });

  it('explains permission and busy errors from the kernel', async () => {
    const driver = await createOnoffDriver({ base: 512, backend: lines, log: quiet });
    lines.failWith = 'EACCES';
    await assert.rejects(driver.openInput({ name: 'podium', pin: 17 }), (err: Error) => err instanceof GpioSetupError && /gpio529/.test(err.message) && /"gpio" group/.test(err.message));
    lines.failWith = 'EBUSY';
    await assert.rejects(driver.openOutput({ name: 'onAir', pin: 22 }), /busy.*overlay/);
    lines.failWith = null;
    // A failed open claims nothing: the pin can be opened afterwards.
    await driver.openOutput({ name: 'onAir', pin: 22 });
    await driver.close();
  });

  it('loads the real onoff (epoll built) and explains a missing sysfs on export', async function () {
    const backend = await loadOnoffBackend();
    if (process.platform !== 'linux') this.skip();
    const driver = await createOnoffDriver({ base: 512, backend, log: quiet });
    // This machine has no GPIO: onoff's export write fails, and the message says where.
    await assert.rejects(driver.openInput({ name: 'podium', pin: 17 }), /cannot export podium \(BCM 17, sysfs gpio529/);
    await driver.close();
  });

  it('a failing lamp write is logged once, not thrown', async () => {
    const lines2: SysfsGpioBackend = {
      open: () => ({ readSync: () => 0, writeSync: () => { throw new Error('EIO'); }, watch: () => {}, unexport: () => {} }),
    };
    const log = recordingLogger();
    const driver = await createOnoffDriver({ base: 0, backend: lines2, log });
    const lamp = await driver.openOutput({ name: 'onAir', pin: 22 });
    assert.doesNotThrow(() => lamp.write(true));
    assert.doesNotThrow(() => lamp.write(false));
    assert.equal(log.lines.filter((l) => l.startsWith('error échec de l’écriture GPIO')).length, 1);
    await driver.close();
  });

  it('without the sysfs tree it fails before loading onoff', async () => {
    await assert.rejects(createOnoffDriver({ sysfsRoot: join(root, 'nope') }), /GPIO sysfs introuvable/);
  });
});
