import assert from 'node:assert/strict';
import { checkTallySources } from '../../src/doctor/tally.js';
import { tallySourceConfigSchema } from '../../src/tally/config.js';
import { AtemEmulator } from '../../src/sim/atem.js';
import { ObsEmulator } from '../../src/sim/obs.js';
import { VmixEmulator } from '../../src/sim/vmix.js';
import { AtemSource } from '../../src/tally/atem.js';
import { nextEvent } from './events.js';

const source = (raw: Record<string, unknown>) => tallySourceConfigSchema.parse(raw);

describe('relais doctor: tally sources against the emulators', function () {
  this.timeout(15_000);

  it('PASS with the cameras as read; WARN for a camera the switcher has no input for', async () => {
    const vmix = new VmixEmulator({ inputs: 3 });
    await vmix.start();
    try {
      const [ok] = await checkTallySources([source({ kind: 'vmix', host: '127.0.0.1', port: vmix.address.port, cameras: { cam1: 1, cam2: 2 } })]);
      assert.equal(ok!.status, 'PASS');
      assert.match(ok!.summary, /\s: connecté, 3 entrées; cam1=PGM cam2=PVW$/);
      const [warn] = await checkTallySources([source({ kind: 'vmix', host: '127.0.0.1', port: vmix.address.port, cameras: { cam1: 1, cam9: 9 } })]);
      assert.equal(warn!.status, 'WARN');
      assert.match(warn!.fix ?? '', /le mélangeur n’a pas d’entrée pour cam9\s: vérifiez les cameras de tallySources/);
    } finally {
      await vmix.stop();
    }
  });

  it('FAIL naming the fix: a wrong OBS password, an ATEM with every slot taken, nobody listening', async () => {
    const obs = new ObsEmulator({ password: 'bon' });
    const atem = new AtemEmulator({ maxClients: 1 });
    await Promise.all([obs.start(), atem.start()]);
    const holder = new AtemSource({ host: '127.0.0.1', port: atem.address.port });
    try {
      const [pw] = await checkTallySources([source({ kind: 'obs', host: '127.0.0.1', port: obs.port, password: 'mauvais', cameras: { cam1: 'Caméra 1' } })], 3000);
      assert.equal(pw!.status, 'FAIL');
      assert.match(pw!.fix ?? '', /mot de passe/);
      const up = nextEvent(holder, 'tally');
      holder.start();
      await up;
      const [full] = await checkTallySources([source({ kind: 'atem', host: '127.0.0.1', port: atem.address.port, cameras: { cam1: 1 } })]);
      assert.equal(full!.status, 'FAIL');
      assert.match(full!.fix ?? '', /clients sont pris/);
      const port = obs.port;
      await obs.stop();
      const [refused] = await checkTallySources([source({ kind: 'obs', host: '127.0.0.1', port, cameras: { cam1: 'x' } })], 2000);
      assert.equal(refused!.status, 'FAIL');
      assert.match(refused!.fix ?? '', /ne répond pas/);
    } finally {
      await holder.stop();
      await Promise.all([obs.stop(), atem.stop()]);
    }
  });
});
