/** The shared parsers of command-line values, alone and through `relais`. */
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { intArg, parsePort } from '../../src/util/args.js';
import { runCli } from '../helpers/cli.js';

describe('cli: value parsers', () => {
  it('parsePort takes 0 (any free port) to 65535', () => {
    assert.deepEqual(['0', '1883', '65535'].map(parsePort), [0, 1883, 65535]);
  });

  it('parsePort refuses anything else with the range and the value given', () => {
    for (const bad of ['http', '', ' ', '-1', '65536', '80.5', '1e3', '0x50']) {
      assert.throws(() => parsePort(bad), (err: Error) => err instanceof InvalidArgumentError && err.message === `must be a port number from 0 to 65535 (0: any free port), got "${bad}".`, bad);
    }
  });

  it('intArg names the option and its bounds', () => {
    const cameras = intArg('--cameras', 1, 7);
    assert.equal(cameras('7'), 7);
    assert.throws(() => cameras('8'), { message: '--cameras must be a whole number from 1 to 7, got "8".' });
    assert.throws(() => cameras('two'), { message: '--cameras must be a whole number from 1 to 7, got "two".' });
  });

  it('a bad port on the command line stops relais before anything starts, naming the option', async () => {
    const r = await runCli(['demo', '--mqtt-port', 'http']);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /option '--mqtt-port <port>' argument 'http' is invalid\. must be a port number from 0 to 65535/);
    assert.doesNotMatch(r.output, /^relais demo: /m, 'nothing started');
  });

  it('a floor command refuses a timeout that is not a number of milliseconds', async () => {
    const r = await runCli(['floor', 'status', '--timeout', 'soon']);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /option '--timeout <ms>' argument 'soon' is invalid\. --timeout must be a whole number from 1 to 600000, got "soon"/);
  });
});
