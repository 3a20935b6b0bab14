/** `relais` reads which command runs and loads only the parts it needs. */
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { commandOf, registerExtraCommands } from '../../src/wiring.js';

const argv = (...args: string[]): string[] => ['node', 'relais', ...args];

async function registered(command: string | undefined): Promise<string[]> {
  const program = new Command();
  await registerExtraCommands(program, command);
  return program.commands.map((c) => c.name());
}

describe('cli: which command runs', () => {
  it('finds the command after the global options and their values', () => {
    assert.equal(commandOf(argv('--log-level', 'debug', 'appliance', '-c', 'site.yaml')), 'appliance');
    assert.equal(commandOf(argv('--log-level=warn', 'doctor', '--only', 'gpio')), 'doctor');
    assert.equal(commandOf(argv('floor', 'status', '--json')), 'floor');
    assert.equal(commandOf(argv()), undefined);
    assert.equal(commandOf(argv('--help')), undefined);
  });

  it('a core command loads no optional part, even after --log-level debug', async () => {
    for (const command of ['appliance', 'conductor', 'floor', 'config', 'demo']) assert.deepEqual(await registered(command), [], command);
    assert.deepEqual(await registered(commandOf(argv('--log-level', 'debug', 'appliance'))), []);
  });

  it('an optional command loads its own part only', async () => {
    assert.deepEqual(await registered('doctor'), ['doctor']);
    assert.deepEqual(await registered('relay'), ['relay', 'media']);
    assert.deepEqual(await registered('sim'), ['sim']);
    assert.deepEqual(await registered('link'), ['link']);
  });

  it('help, no command or an unknown one loads every part, so help and "did you mean" see them all', async () => {
    const all = ['relay', 'media', 'ptz', 'tally', 'sim', 'link', 'dashboard', 'doctor', 'rundown', 'message'];
    assert.deepEqual(await registered(undefined), all);
    assert.deepEqual(await registered('help'), all);
    assert.deepEqual(await registered('doctr'), all);
  });
});
