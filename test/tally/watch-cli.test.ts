import assert from 'node:assert/strict';
import { VmixEmulator } from '../../src/sim/vmix.js';
import { runCli, spawnCli, stopChild } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

describe('relais tally watch and relais sim (built CLI)', function () {
  this.timeout(30_000);

  it('watches the vMix emulator started in-process: connection line, then the tally', async () => {
    const vmix = new VmixEmulator({ inputs: 3 });
    await vmix.start();
    try {
      const { code, stdout } = await runCli(['tally', 'watch', '--kind', 'vmix', '--host', '127.0.0.1', '--port', String(vmix.address.port), '--count', '1']);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /vmix 127\.0\.0\.1:\d+\s: connecté/);
      assert.match(stdout, /programme\s: 1 \| aperçu\s: 2/);
    } finally {
      await vmix.stop();
    }
  });

  it('watches `relais sim atem --cycle`: names from the switcher, and the program moves', async () => {
    const port = await freePort();
    const sim = spawnCli(['sim', 'atem', '--port', String(port), '--cycle', '200']);
    try {
      await waitFor('the ATEM simulator listening', () => /atem\s: udp/.test(sim.output()), 10_000);
      const { code, stdout } = await runCli(['tally', 'watch', '--kind', 'atem', '--host', '127.0.0.1', '--port', String(port), '--count', '2']);
      assert.equal(code, 0, stdout);
      const lines = stdout.split('\n').filter((l) => /programme\s:/.test(l));
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /\(Camera \d\)/);
      assert.notEqual(lines[0]!.replace(/^\S+ /, ''), lines[1]!.replace(/^\S+ /, ''), 'the cycle cut to another input');
    } finally {
      await stopChild(sim);
    }
  });

  it('a wrong kind is refused with the list of kinds', async () => {
    const { code, output } = await runCli(['tally', 'watch', '--kind', 'tricaster']);
    assert.notEqual(code, 0);
    assert.match(output, /atem, obs, vmix ou tsl/);
  });

});
