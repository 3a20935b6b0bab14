/**
 * `relais config check` in French for every section of a box's file: each
 * problem names its path and says what is wrong in the catalogue's words,
 * the validator's own cases (too small, not one of) as well as each section's rules.
 */
import assert from 'node:assert/strict';
import { ConfigError, validateConfig } from '../../src/config/load.js';
import { setLang } from '../../src/i18n/index.js';

/** Words that would betray an English sentence in a French line (paths, keys and values stay verbatim). */
const ENGLISH = /\b(must|is|are|the|not|already|give|use|least|most|expected|received|Invalid|Too|has|no|one|of|list|map|whole|number|above|below|empty)\b/;

const broken = {
  site: 'saint-camille',
  io: { driver: 'gpio', inputs: { podium: { pin: 40 }, '9bad': { pin: 5 }, twice: { pin: 40 } }, outputs: { onAir: { pin: 1.5 } } },
  buttons: { podium: { input: 'podium', gestures: { press: 'dance' }, bounceMs: 900, longMs: 300 } },
  tallyIn: { cam1: { program: 'nowhere', bounceMs: 600 } },
  tallySources: [{ kind: 'tsl', version: '3.1', tcpPort: 9000, cameras: {} }, { kind: 'atem', host: '', cameras: { cam2: 1 } }, { kind: 'atem', host: '10.0.0.2', cameras: { cam2: 2 } }],
  tallyOut: { version: '3.1', destinations: [{ host: '10.0.0.9', port: 8900, transport: 'tcp' }], cameras: { cam9: 1 } },
  cameras: [
    { name: 'cam1', transport: { type: 'serial', path: '/dev/ttyUSB0', baud: 9600, address: 9 }, bindings: { 'on-air': 'podium' } },
    { name: 'cam1', transport: { type: 'visca-ip', host: '', port: 70000 } },
    { name: 'cam3', transport: { type: 'carrier-pigeon' } },
  ],
  encoder: { size: '1281x720', input: { kind: 'v4l2', device: 'video0' }, fps: 0, output: { kind: 'rtmp', url: 'http://x', secret: 'short' } },
  display: { relayHttp: 'ftp://relay', respawnMs: 1 },
};

/** Each section valid alone, wrong together: the checks that run once every section parses. */
const crossed = {
  site: 'saint-camille',
  lamps: { onAir: 'redLamp' },
  tallyIn: { cam1: { program: 'cam1Program' }, cam4: { program: 'nowhere' } },
  tallySources: [{ kind: 'tsl', version: '3.1', tcpPort: 9000, cameras: { cam1: 1 } }, { kind: 'atem', host: '10.0.0.1', cameras: { cam2: 1 } }, { kind: 'atem', host: '10.0.0.2', cameras: { cam3: 2 } }, { kind: 'tsl', version: '5.0', cameras: { cam5: 3 } }],
  tallyOut: { version: '3.1', destinations: [{ host: '10.0.0.9', port: 8900, transport: 'tcp' }], cameras: { cam9: 1 } },
  cameras: [
    { name: 'cam1', transport: { type: 'serial', path: '/dev/ttyUSB0', baud: 9600, address: 1 } },
    { name: 'cam1', transport: { type: 'serial', path: '/dev/ttyUSB0', baud: 38400, address: 1 } },
  ],
};

function problems(raw: unknown): string[] {
  try {
    validateConfig('site', raw, 'boite.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected the config to be refused');
}

describe('config check: every section in French', () => {
  after(() => setLang('fr'));

  it('names the path of each problem and says it in French, in every section', () => {
    setLang('fr');
    const found = [...problems(broken), ...problems(crossed)];
    const english = found.filter((line) => ENGLISH.test(line.replace(/^\S+\u00a0: /, '').replace(/«\u00a0[^»]*\u00a0»|"[^"]*"|`[^`]*`|\{[^}]*\}|\([a-z]+\)/g, '')));
    assert.deepEqual(english, [], `English words in:\n${english.join('\n')}`);
    for (const line of found) assert.match(line, /^[A-Za-z(][^\s]*\u00a0: \S/, `a path, a French colon, then the words: ${line}`);
    const sections = new Set(found.map((line) => line.split(/[.[\u00a0]/)[0]));
    for (const section of ['io', 'buttons', 'tallyIn', 'tallySources', 'tallyOut', 'cameras', 'encoder', 'display']) assert.ok(sections.has(section), `a problem in ${section}: ${found.join('\n')}`);
  });

  it('words each section\'s own rules from the catalogue', () => {
    setLang('fr');
    const text = [...problems(broken), ...problems(crossed)].join('\n');
    assert.match(text, /^io\.inputs\.podium\.pin\u00a0: les numéros BCM du connecteur à 40 broches vont de 0 à 27\u00a0: donnez le numéro BCM/m);
    assert.match(text, /^io\.outputs\.onAir\.pin\u00a0: doit être un numéro de GPIO BCM entier/m);
    assert.match(text, /^buttons\.podium\.gestures\.press\u00a0: doit être auto, request, cancel, release, pass ou preset:/m);
    assert.match(text, /^buttons\.podium\.bounceMs\u00a0: au-delà de 500 ms/m);
    assert.match(text, /^tallyIn\.cam4\.program\u00a0: l’entrée «\u00a0nowhere\u00a0» n’est pas définie dans io\.inputs/m);
    assert.match(text, /^tallySources\[0\]\.cameras\u00a0: associez au moins une caméra à une entrée$/m);
    assert.match(text, /^lamps\.onAir\u00a0: la sortie «\u00a0redLamp\u00a0» n’est pas définie dans io\.outputs/m);
    assert.match(text, /^tallySources\[3\]\u00a0: donnez udpPort ou tcpPort/m);
    assert.match(text, /^tallySources\[0\]\.cameras\.cam1\u00a0: «\u00a0cam1\u00a0» prend déjà son tally de tallyIn \(contacts GPI\)/m);
    assert.match(text, /^tallySources\[2\]\.kind\u00a0: une seule connexion ATEM par boîtier/m);
    assert.match(text, /^tallyOut\.destinations\u00a0: TSL 3\.1 passe seulement par UDP/m);
    assert.match(text, /^cameras\[1\]\.name\u00a0: «\u00a0cam1\u00a0» est déjà le nom de cameras\[0\]/m);
    assert.match(text, /^cameras\[1\]\.transport\.baud\u00a0: \/dev\/ttyUSB0 est déjà réglé à 9600 bauds/m);
    assert.match(text, /^tallySources\[1\]\.host\u00a0: doit être l’adresse IP ou le nom d’hôte du mélangeur$/m);
    assert.match(text, /^tallyOut\.cameras\.cam9\u00a0: «\u00a0cam9\u00a0» n’a aucun tally à envoyer\u00a0: associez-la dans tallyIn/m);
    assert.match(text, /^cameras\[0\]\.transport\.address\u00a0: doit être de 1 à 7\u00a0: une chaîne VISCA compte au plus sept caméras$/m);
    assert.match(text, /^cameras\[1\]\.transport\.port\u00a0: doit être un numéro de port de 1 à 65535$/m);
    assert.match(text, /^cameras\[2\]\.transport\.type\u00a0: doit avoir le type «\u00a0serial\u00a0»/m);
    assert.match(text, /^encoder\.size\u00a0: la largeur et la hauteur doivent être des nombres pairs/m);
    assert.match(text, /^encoder\.fps\u00a0: doit être au moins 1$/m);
    assert.match(text, /^encoder\.output\.secret\u00a0: doit compter au moins 16 caractères/m);
    assert.match(text, /^display\.relayHttp\u00a0: doit être la base HTTP du relais/m);
    assert.match(text, /^display\.respawnMs\u00a0: doit être au moins 50$/m);
  });

  it('says the same in English on request', () => {
    setLang('en');
    const text = [...problems(broken), ...problems(crossed)].join('\n');
    assert.match(text, /^tallyOut\.cameras\.cam9: "cam9" has no tally to send: map it in tallyIn/m);
    assert.match(text, /^encoder\.fps: must be at least 1$/m);
    assert.match(text, /^cameras\[2\]\.transport\.type: must have type "serial"/m);
    assert.doesNotMatch(text, /\u00a0|«/);
  });
});
