import { loadConfigFile } from '../../src/config/load.js';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { readFile, readdir, mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ioConfigSchema, pinReferenceIssues, DEFAULT_GPIO_PINS, DEFAULT_FIRMATA_PINS } from '../../src/hardware/config.js';
import { buttonsConfigSchema, buttonPinReferences, resolveButtonAction } from '../../src/buttons/config.js';
import { tallyInConfigSchema, tallyInPinReferences } from '../../src/appliance/tally-in-config.js';
import { createIoDriver } from '../../src/hardware/factory.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import type { SysfsGpioBackend } from '../../src/hardware/onoff.js';
import { recordingLogger } from '../helpers/log.js';

const HARDWARE = new URL('../../hardware/', import.meta.url);

/** `path: message` lines of a failed parse. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, 'expected the config to be refused');
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('hardware: io, buttons and tallyIn config', () => {
  it('an absent io section is the simulated driver with the default pin names', () => {
    const io = ioConfigSchema.parse(undefined);
    assert.equal(io.driver, 'simulated');
    assert.deepEqual(Object.keys(io.inputs), Object.keys(DEFAULT_GPIO_PINS.inputs));
    assert.deepEqual(io.outputs.onAir, { pin: 22, activeLow: false });
  });

  it('gpio defaults and the example from the design card', () => {
    const io = ioConfigSchema.parse({ driver: 'gpio', inputs: { podium: { pin: 17, activeLow: true } }, outputs: { onAir: { pin: 22 } } });
    assert.equal(io.driver, 'gpio');
    assert.deepEqual(io.inputs, { podium: { pin: 17, activeLow: true } });
    assert.deepEqual(io.outputs, { onAir: { pin: 22, activeLow: false } });
  });

  it('firmata defaults: /dev/relais-firmata at 57600 and the Nano pin map', () => {
    const io = ioConfigSchema.parse({ driver: 'firmata' });
    assert.ok(io.driver === 'firmata');
    assert.equal(io.port, '/dev/relais-firmata');
    assert.equal(io.baud, 57600);
    assert.deepEqual([io.reconnectDelayMs, io.reconnectMaxDelayMs], [500, 10_000]);
    assert.deepEqual(io.outputs.cam2Green, { pin: 'A0', activeLow: false });
  });

  it('the built-in defaults are the tables of hardware/pinout.md', async () => {
    const md = await readFile(new URL('pinout.md', HARDWARE), 'utf8');
    const [piPart, nanoPart] = md.split('## Arduino Nano');
    const table = (text: string, pinColumn: number) =>
      Object.fromEntries([...text.matchAll(/^\| `(\w+)`\s*\|\s*(input|output)\s*\|([^\n]*)$/gm)].map((m) => [m[1]!, m[3]!.split('|')[pinColumn]!.trim()]));
    const pi = table(piPart!, 0);
    const nano = table(nanoPart!, 0);
    const flat = (d: { inputs: Record<string, { pin: number | string }>; outputs: Record<string, { pin: number | string }> }) =>
      Object.fromEntries(Object.entries({ ...d.inputs, ...d.outputs }).map(([k, v]) => [k, String(v.pin)]));
    assert.deepEqual(pi, flat(DEFAULT_GPIO_PINS));
    assert.deepEqual(
      nano,
      Object.fromEntries(Object.entries(flat(DEFAULT_FIRMATA_PINS)).map(([k, v]) => [k, /^\d+$/.test(v) ? `D${v}` : v])),
    );
  });

  it('refuses bad io sections with the path and the fix', () => {
    assert.deepEqual(problems(ioConfigSchema, { driver: 'gpoi' }), ['driver: doit être «\u00a0simulated\u00a0», «\u00a0gpio\u00a0» (connecteur du Raspberry Pi) ou «\u00a0firmata\u00a0» (Arduino en USB)']);
    assert.match(problems(ioConfigSchema, { driver: 'gpio', inputs: { podium: { pin: 40 } } })[0]!, /^inputs\.podium\.pin: .*pas celui de la broche physique \(la broche 11 du connecteur est BCM 17\)/);
    assert.match(problems(ioConfigSchema, { driver: 'gpio', inputs: { podium: { pin: '17' } } })[0]!, /^inputs\.podium\.pin: doit être un numéro de GPIO BCM/);
    assert.deepEqual(problems(ioConfigSchema, { driver: 'gpio', inputs: { podium: { pin: 17 } }, outputs: { onAir: { pin: 17 } } }), [
      'outputs.onAir.pin: la broche 17 sert déjà à inputs.podium\u00a0: donnez à chaque entrée et à chaque sortie sa propre broche',
    ]);
    assert.match(problems(ioConfigSchema, { driver: 'firmata', baud: 9601 })[0]!, /^baud: doit être une vitesse qu’utilise StandardFirmata/);
    assert.match(problems(ioConfigSchema, { driver: 'firmata', inputs: { podium: { pin: 'B2' } } })[0]!, /^inputs\.podium\.pin: doit être une broche Arduino/);
    assert.match(problems(ioConfigSchema, { driver: 'gpio', inputs: { '2nd': { pin: 4 } } })[0]!, /^inputs\.2nd: «\u00a02nd\u00a0» n’est pas un nom de broche utilisable/);
    assert.match(problems(ioConfigSchema, { driver: 'gpio', inptus: {} })[0]!, /inptus/);
  });

  it('buttons: defaults, actions and errors', () => {
    const buttons = buttonsConfigSchema.parse(undefined);
    assert.deepEqual(buttons, {
      podium: { input: 'podium', lamp: 'buttonLamp', gestures: { press: 'auto', long: null, double: null }, bounceMs: 30, longMs: 800, doubleMs: 400 },
    });
    const custom = buttonsConfigSchema.parse({ chair: { input: 'chair', gestures: { press: 'pass', double: 'preset:cam1:12' } } });
    assert.equal(custom.chair!.gestures.double, 'preset:cam1:12');
    assert.match(problems(buttonsConfigSchema, { podium: { input: 'podium', gestures: { press: 'grab' } } })[0]!, /^podium\.gestures\.press: doit être auto, request, cancel, release, pass ou preset:<caméra>:<numéro de préréglage>/);
    assert.match(problems(buttonsConfigSchema, { podium: { input: 'podium', gestures: { press: 'preset:cam1' } } })[0]!, /preset:<caméra>:<numéro de préréglage>/);
    assert.deepEqual(problems(buttonsConfigSchema, { podium: { input: 'podium', bounceMs: 300, longMs: 300 } }), ['podium.bounceMs: doit être plus court que longMs (300)']);
  });

  it('resolveButtonAction: auto depends on the role, the rest does not', () => {
    const table: [Parameters<typeof resolveButtonAction>[0], Parameters<typeof resolveButtonAction>[1], string][] = [
      ['auto', 'idle', 'intent request'],
      ['auto', 'queued', 'intent cancel'],
      ['auto', 'next', 'intent cancel'],
      ['auto', 'on-air', 'intent pass'],
      ['release', 'idle', 'intent release'],
      ['request', 'on-air', 'intent request'],
      ['cancel', 'queued', 'intent cancel'],
      ['pass', 'on-air', 'intent pass'],
      ['preset:cam2:7', 'on-air', 'preset cam2 7'],
      [null, 'idle', 'none'],
    ];
    for (const [action, role, expected] of table) {
      const r = resolveButtonAction(action, role);
      const text = r.kind === 'intent' ? `intent ${r.action}` : r.kind === 'preset' ? `preset ${r.camera} ${r.preset}` : 'none';
      assert.equal(text, expected, `${String(action)} as ${role}`);
    }
  });

  it('cross-checks names between buttons, tallyIn and io', () => {
    const io = ioConfigSchema.parse({ driver: 'gpio', inputs: { podium: { pin: 17 } }, outputs: { onAir: { pin: 22 } } });
    const refs = [
      ...buttonPinReferences(buttonsConfigSchema.parse({ podium: { input: 'podium', lamp: 'buttonLamp' } })),
      ...tallyInPinReferences(tallyInConfigSchema.parse({ cam1: { program: 'cam1Program' } })),
    ];
    assert.deepEqual(
      pinReferenceIssues(io, refs).map((i) => `${i.path.join('.')}: ${i.message}`),
      [
        'buttons.podium.lamp: la sortie «\u00a0buttonLamp\u00a0» n’est pas définie dans io.outputs (définies\u00a0: onAir); ajoutez-la là ou corrigez le nom',
        'tallyIn.cam1.program: l’entrée «\u00a0cam1Program\u00a0» n’est pas définie dans io.inputs (définies\u00a0: podium); ajoutez-la là ou corrigez le nom',
      ],
    );
  });

  it('every example config passes the full loader (schemas, pin names)', async () => {
    const dir = new URL('examples/', HARDWARE);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
    for (const expected of ['pc-arduino.yaml', 'pi4-serial-cameras.yaml', 'pi5-ip-cameras.yaml', 'conductor.yaml']) assert.ok(files.includes(expected), expected);
    for (const file of files) {
      const { kind } = await loadConfigFile(fileURLToPath(new URL(file, dir)), undefined, {});
      assert.equal(kind, file === 'conductor.yaml' ? 'conductor' : 'site', file);
    }
  });
});

describe('hardware: createIoDriver', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'relais-factory-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('simulated by default', async () => {
    const driver = await createIoDriver(undefined, { log: recordingLogger() });
    assert.ok(driver instanceof SimulatedDriver);
    await driver.close();
  });

  it('gpio: finds the chip base in sysfs and uses the given backend', async () => {
    const chip = join(root, 'gpio', 'gpiochip512');
    await mkdir(chip, { recursive: true });
    await writeFile(join(chip, 'base'), '512\n');
    await writeFile(join(chip, 'ngpio'), '58\n');
    await writeFile(join(chip, 'label'), 'pinctrl-bcm2711\n');
    const exported: number[] = [];
    const backend: SysfsGpioBackend = {
      open: (n) => {
        exported.push(n);
        return { readSync: () => 1, writeSync: () => {}, watch: () => {}, unexport: () => {} };
      },
    };
    const driver = await createIoDriver({ driver: 'gpio', sysfsRoot: join(root, 'gpio') }, { gpioBackend: backend, log: recordingLogger() });
    assert.equal(driver.kind, 'gpio');
    await driver.openInput({ name: 'podium', pin: 17, activeLow: true });
    assert.deepEqual(exported, [529]);
    await driver.close();
  });

  it('firmata: a missing board is a clear error', async () => {
    await assert.rejects(createIoDriver({ driver: 'firmata', port: join(root, 'ttyNOPE') }, { log: recordingLogger() }), /no serial device at .*ttyNOPE/);
  });

  it('a bad section is refused before anything opens', async () => {
    await assert.rejects(createIoDriver({ driver: 'gpio', outputs: { onAir: { pin: 99 } } }), /les numéros BCM du connecteur à 40 broches vont de 0 à 27/);
  });
});
