import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConductorConfig, loadConfigFile, loadSiteConfig, parseKind, validateConfig } from '../../src/config/load.js';
import { UserError } from '../../src/util/errors.js';
import { setLang } from '../../src/i18n/index.js';
import { runCli } from '../helpers/cli.js';

describe('configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-config-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  function problems(fn: () => unknown): string[] {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      return err.problems;
    }
    assert.fail('expected the config to be refused');
  }

  it('names the path and the fix', () => {
    const found = problems(() => validateConfig('conductor', { sites: [{ id: 'ok' }, { id: 'Saint Camille' }] }, 'x.yaml'));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^sites\[1\]\.id\u00a0: doit être un identifiant en minuscules \(a-z, 0-9 et des tirets simples/);
  });

  it('says it in English on request, in the language of the moment it checks', () => {
    setLang('en');
    try {
      const found = problems(() => validateConfig('conductor', { sites: [{ id: 'a' }, { id: 'Saint Camille' }, { id: 'a' }], rundown: [{ title: '', site: 'b', minutes: 5 }], conductr: {} }, 'x.yaml'));
      assert.match(found.join('\n'), /^sites\[1\]\.id: must be a lowercase slug \(a-z, 0-9 and single dashes/m);
      assert.match(found.join('\n'), /^sites\[2\]\.id: "a" is listed twice; give each site its own id$/m);
      assert.match(found.join('\n'), /^rundown\[0\]\.title: must not be empty$/m);
      assert.match(found.join('\n'), /^\(top level\): unknown key\(s\) "conductr"/m);
    } finally {
      setLang('fr');
    }
  });

  it('reports every problem at once: duplicates, unknown rundown sites, typos, bad numbers', () => {
    const found = problems(() => validateConfig('conductor', {
      sites: [{ id: 'a' }, { id: 'a' }],
      rundown: [{ title: 'T', site: 'b', minutes: 0 }],
      conductr: {},
    }, 'x.yaml'));
    const text = found.join('\n');
    assert.match(text, /sites\[1\]\.id\u00a0: «\u00a0a\u00a0» est listé deux fois; donnez à chaque site son propre identifiant/);
    assert.match(text, /rundown\[0\]\.minutes\u00a0: doit être un nombre de minutes supérieur à 0/);
    assert.match(text, /rundown\[0\]\.site\u00a0: «\u00a0b\u00a0» n’est pas un des sites \(a\)/);
    // French by default, and the keys valid there, the closest first.
    assert.match(text, /\(racine du fichier\)\u00a0: clé\(s\) inconnue\(s\) "conductr"\u00a0: vérifiez l’orthographe; clés valides ici\u00a0: conductor, /);
  });

  it('says what a value should be in words, and what it got, not the validator\'s text', () => {
    const found = problems(() => validateConfig('conductor', { sites: [{ id: 'a' }], conductor: { leaseMs: 'five' } }, 'x.yaml'));
    assert.deepEqual(found, ['conductor.leaseMs\u00a0: doit être un nombre, reçu un texte']);
    const missing = problems(() => validateConfig('site', {}, 's.yaml'));
    assert.deepEqual(missing, ['site\u00a0: manquant\u00a0: doit être un texte']);
  });

  it('takes only the two kinds for --kind', () => {
    assert.equal(parseKind('site'), 'site');
    assert.throws(() => parseKind('sitee'), (err: unknown) => err instanceof UserError && /site ou conductor, pas «\u00a0sitee\u00a0»/.test(err.message));
  });

  it('refuses a conductor heartbeat that is not below the lease', () => {
    const found = problems(() => validateConfig('conductor', { sites: [{ id: 'a' }], conductor: { heartbeatMs: 6000, leaseMs: 5000 } }, 'x.yaml'));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^conductor\.heartbeatMs\u00a0: 6000 ms n’est pas sous leaseMs \(5000 ms\)\u00a0: les boîtiers croiraient/);
    validateConfig('conductor', { sites: [{ id: 'a' }], conductor: { heartbeatMs: 1000, leaseMs: 5000 } }, 'x.yaml');
  });

  it('reads a box\'s file that lacks site: as a site config, and says site: is missing', async () => {
    const path = await file('nosite.yaml', 'event: demo\nlamps:\n  onAir: onAir\n');
    await assert.rejects(loadConfigFile(path), (err: unknown) => err instanceof ConfigError && err.problems.join() === 'site\u00a0: manquant\u00a0: doit être un texte');
  });

  it('fills the defaults a demo needs', () => {
    const site = validateConfig('site', { site: 'saint-camille' }, 's.yaml');
    assert.equal(site.event, 'demo');
    assert.equal(site.broker.url, 'mqtt://127.0.0.1:1883');
    assert.equal(site.link.leaseMs, 5000);
    assert.equal(site.lamps.onAir, 'onAir');
  });

  it('applies environment overrides', async () => {
    const path = await file('site.yaml', 'site: saint-camille\nbroker:\n  url: mqtt://10.0.0.1:1883\n');
    const cfg = await loadSiteConfig(path, { RELAIS_BROKER_URL: 'mqtts://broker.example:8883', RELAIS_BROKER_USERNAME: 'site-saint-camille', RELAIS_EVENT: 'gala' });
    assert.equal(cfg.broker.url, 'mqtts://broker.example:8883');
    assert.equal(cfg.broker.username, 'site-saint-camille');
    assert.equal(cfg.event, 'gala');
    const conductor = await loadConductorConfig(await file('c.yaml', 'sites: [{id: a}]\n'), { RELAIS_STATE_FILE: '/tmp/x.json' });
    assert.equal(conductor.conductor.stateFile, '/tmp/x.json');
  });

  it('says which line of broken YAML and what to do with a missing file', async () => {
    await assert.rejects(loadConfigFile(await file('bad.yaml', 'site: [unclosed\n')), /YAML invalide \(ligne \d+/);
    await assert.rejects(loadConfigFile(join(dir, 'nope.yaml')), /fichier introuvable\s: vérifiez le chemin/);
    await assert.rejects(loadConfigFile(await file('list.yaml', '- a\n- b\n')), /doit être une table de clés et de valeurs/);
  });

  it('tells a site config from a conductor config', async () => {
    assert.equal((await loadConfigFile(await file('s2.yaml', 'site: rouyn-noranda\n'))).kind, 'site');
    assert.equal((await loadConfigFile(await file('c2.yaml', 'sites: [{id: a}]\n'))).kind, 'conductor');
  });

  it('refuses a header UART pin (BCM 14/15) as a button or lamp while a camera uses that UART, naming the pin and the camera', async () => {
    const io = (extra: Record<string, unknown>) => ({ driver: 'gpio', inputs: { podium: { pin: 17 }, ...extra }, outputs: { onAir: { pin: 22 }, next: { pin: 23 }, buttonLamp: { pin: 15 } } });
    const camera = (path: string) => [{ name: 'scene', transport: { type: 'serial', path } }];
    const found = problems(() => validateConfig('site', { site: 'saint-camille', io: io({ spare: { pin: 14 } }), cameras: camera('/dev/serial0') }, 'pi.yaml'));
    assert.deepEqual(found.filter((p) => /UART/.test(p)), [
      'io.inputs.spare.pin\u00a0: la broche BCM 14 (TXD de l’UART du connecteur) ne peut pas servir d’entrée «\u00a0spare\u00a0»\u00a0: la caméra «\u00a0scene\u00a0» utilise cet UART (cameras[0].transport.path\u00a0: /dev/serial0); choisissez une autre broche (hardware/pinout.md) ou branchez la caméra sur un adaptateur USB',
      'io.outputs.buttonLamp.pin\u00a0: la broche BCM 15 (RXD de l’UART du connecteur) ne peut pas servir de sortie «\u00a0buttonLamp\u00a0»\u00a0: la caméra «\u00a0scene\u00a0» utilise cet UART (cameras[0].transport.path\u00a0: /dev/serial0); choisissez une autre broche (hardware/pinout.md) ou branchez la caméra sur un adaptateur USB',
    ]);
    assert.match(problems(() => validateConfig('site', { site: 'saint-camille', io: io({}), cameras: camera('/dev/ttyAMA0') }, 'pi5.yaml')).join('\n'), /BCM 15 .*«\u00a0scene\u00a0».*\/dev\/ttyAMA0/);
    // A camera on a USB adapter leaves the header UART free, and a Firmata board's pin 14 is not the Pi's.
    assert.equal(validateConfig('site', { site: 'saint-camille', io: io({ spare: { pin: 14 } }), cameras: camera('/dev/ttyUSB0') }, 'usb.yaml').io.driver, 'gpio');
    assert.equal(validateConfig('site', { site: 'saint-camille', io: { driver: 'firmata', inputs: { podium: { pin: 14 } } }, cameras: camera('/dev/serial0') }, 'nano.yaml').io.driver, 'firmata');

    const path = await file('uart.yaml', 'site: saint-camille\nio:\n  driver: gpio\n  inputs: { podium: { pin: 14 } }\n  outputs: { onAir: { pin: 22 }, next: { pin: 23 }, buttonLamp: { pin: 24 } }\ncameras:\n  - { name: scene, transport: { type: serial, path: /dev/serial0 } }\n');
    const check = await runCli(['config', 'check', path]);
    assert.equal(check.code, 2, check.output);
    assert.match(check.output, /io\.inputs\.podium\.pin\u00a0: la broche BCM 14 \(TXD de l’UART du connecteur\).*«\u00a0scene\u00a0»/);
  });
});
