/**
 * One base class for errors a person reads: the CLI prints the message alone
 * and exits 2 for bad input or setup, 1 for a failure while running.
 */
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/load.js';
import { DashboardConfigError } from '../../src/dashboard/server.js';
import { MediaConfigError } from '../../src/media/config.js';
import { PtzConfigError } from '../../src/ptz/config.js';
import { EXIT, PortInUseError, UserError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

describe('cli: exit codes', () => {
  it('every config and setup error is a UserError with exit status 2', () => {
    const errors: Error[] = [
      new ConfigError('site.yaml', ['site: must be a lowercase slug']),
      new PortInUseError('MQTT', 1883, 'pick another with --mqtt-port'),
      new DashboardConfigError('--broker-ws must start with ws://'),
      new MediaConfigError('relay', ['relay.secret: is missing']),
      new PtzConfigError(['cameras[0].name: must be a lowercase slug']),
    ];
    for (const err of errors) {
      assert.ok(err instanceof UserError, err.name);
      assert.equal((err as UserError).exitCode, EXIT.usage, err.name);
      assert.notEqual(err.name, 'UserError', 'each keeps its own name for the logs');
    }
    assert.equal(new UserError('plain').exitCode, 2);
    assert.equal(new UserError('ran and failed', EXIT.failure).exitCode, 1);
  });

  it('a missing config: status 2 and the fix, no stack trace', async () => {
    const r = await runCli(['appliance', '-c', 'hardware/examples/no-such-site.yaml'], { RELAIS_LANG: 'fr' });
    assert.equal(r.code, 2, r.output);
    assert.equal(r.output, 'relais: hardware/examples/no-such-site.yaml: fichier introuvable\u00a0: vérifiez le chemin, ou copiez un des exemples de hardware/examples/\n');
  });

  it('a dashboard option that cannot work: status 2 (this one was found by its name before)', async () => {
    const r = await runCli(['dashboard', '--port', '0', '--event', 'Saint Camille']);
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /^relais: l’événement «\sSaint Camille\s» doit être un identifiant en minuscules.*--event/);
  });

  it('a bad broker URL on the command line: status 2 naming the flag', async () => {
    const r = await runCli(['floor', 'status', '--broker', 'http://127.0.0.1:1883', '--lang', 'en']);
    assert.equal(r.code, 2, r.output);
    assert.equal(r.output, 'relais: --broker: must be a broker URL such as mqtt://127.0.0.1:1883 or mqtts://broker.example:8883 (got "http://127.0.0.1:1883")\n');
  });

  it('a broker nobody answers on: status 1, a failure while running, in French by default and in English on request', async function () {
    this.timeout(60_000);
    const args = ['floor', 'status', '--broker', `mqtt://127.0.0.1:${await freePort()}`, '--timeout', '300'];
    const fr = await runCli(args, { RELAIS_LANG: '', LANG: 'C.UTF-8' });
    assert.equal(fr.code, 1, fr.output);
    assert.match(fr.output, /^relais: impossible de joindre le courtier à mqtt:\/\/127\.0\.0\.1:\d+ en 300 ms .*; est-il en marche, et l’URL et les identifiants sont-ils les bons\?\n$/);
    const en = await runCli([...args, '--lang', 'en']);
    assert.equal(en.code, 1, en.output);
    assert.match(en.output, /^relais: cannot reach the broker at mqtt:\/\/127\.0\.0\.1:\d+ within 300 ms .*; is it running, and are the URL and credentials right\?\n$/);
    const byLang = await runCli(args, { RELAIS_LANG: '', LANG: 'en_CA.UTF-8' });
    assert.match(byLang.output, /^relais: cannot reach the broker/, 'LANG=en_CA speaks English too');
  });
});
