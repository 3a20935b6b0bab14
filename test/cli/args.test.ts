/** The shared parsers of command-line values, alone and through `relais`. */
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { setLang } from '../../src/i18n/index.js';
import { intArg, parsePort } from '../../src/util/args.js';
import { runCli } from '../helpers/cli.js';

describe('cli: value parsers', () => {
  it('parsePort takes 0 (any free port) to 65535', () => {
    assert.deepEqual(['0', '1883', '65535'].map(parsePort), [0, 1883, 65535]);
  });

  it('parsePort refuses anything else with the range and the value given', () => {
    for (const bad of ['http', '', ' ', '-1', '65536', '80.5', '1e3', '0x50']) {
      assert.throws(() => parsePort(bad), (err: Error) => err instanceof InvalidArgumentError && err.message === `doit être un numéro de port de 0 à 65535 (0\u00a0: n’importe quel port libre), reçu «\u00a0${bad}\u00a0».`, bad);
    }
    setLang('en');
    try {
      assert.throws(() => parsePort('http'), { message: 'must be a port number from 0 to 65535 (0: any free port), got "http".' });
    } finally {
      setLang('fr');
    }
  });

  it('intArg names the option and its bounds', () => {
    const cameras = intArg('--cameras', 1, 7);
    assert.equal(cameras('7'), 7);
    assert.throws(() => cameras('8'), { message: '--cameras doit être un nombre entier de 1 à 7, reçu «\u00a08\u00a0».' });
    assert.throws(() => cameras('two'), { message: '--cameras doit être un nombre entier de 1 à 7, reçu «\u00a0two\u00a0».' });
  });

  it('a bad port on the command line stops relais before anything starts, naming the option', async () => {
    const r = await runCli(['demo', '--mqtt-port', 'http'], { RELAIS_LANG: 'fr' });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /^erreur\s: option --mqtt-port <port>, valeur «\shttp\s» invalide\. doit être un numéro de port de 0 à 65535/m);
    assert.doesNotMatch(r.output, /^relais demo: /m, 'nothing started');
  });

  it('a floor command refuses a timeout that is not a number of milliseconds', async () => {
    const r = await runCli(['floor', 'status', '--timeout', 'soon', '--lang', 'en']);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /^error: option '--timeout <ms>' argument 'soon' is invalid\. --timeout must be a whole number from 1 to 600000, got "soon"/m);
  });
});
