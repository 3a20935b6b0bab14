import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/load.js';
import { applianceFeatures } from '../../src/wiring.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { SwitcherTallyFeature } from '../../src/tally/feature.js';
import { TslSource } from '../../src/tally/tsl-in.js';
import { VmixEmulator } from '../../src/sim/vmix.js';
import { fakeFeatureContext } from '../helpers/feature-context.js';
import { fakeSourceTimers, nextEvent, summary } from './events.js';

function site(extra: Record<string, unknown>) {
  return validateConfig('site', { site: 'saint-camille', ...extra }, 'test');
}

describe('tally: the switcher tally feature', () => {
  it('config: one ATEM per box, one source per camera, TSL 3.1 only over UDP', () => {
    assert.throws(() => site({ tallySources: [{ kind: 'atem', host: '10.0.0.1', cameras: { cam1: 1 } }, { kind: 'atem', host: '10.0.0.2', cameras: { cam2: 2 } }] }), /une seule connexion ATEM par boîtier/);
    assert.throws(() => site({ tallyIn: { cam1: { program: 'cam1Program' } }, tallySources: [{ kind: 'vmix', host: '10.0.0.3', cameras: { cam1: 1 } }] }), /prend déjà son tally de tallyIn \(contacts GPI\)/);
    assert.throws(() => site({ tallySources: [{ kind: 'tsl', version: '3.1', tcpPort: 8900, cameras: { cam1: 1 } }] }), /TSL 3\.1 passe seulement par UDP/);
    assert.throws(() => site({ tallySources: [{ kind: 'obs', host: '10.0.0.4', cameras: { cam1: { input: 'Caméra 1', red: 'nope' } } }] }), /nope/);
    const ok = site({ tallySources: [{ kind: 'obs', host: '10.0.0.4', password: 's3cret', cameras: { cam1: 'Caméra 1', cam2: { input: 'Caméra 2', red: 'cam2Red' } } }] });
    assert.deepEqual(ok.tallySources[0]!.cameras, { cam1: { input: 'Caméra 1' }, cam2: { input: 'Caméra 2', red: 'cam2Red' } });
    assert.equal(ok.tallySources[0]!.trustMs, 3000);
  });

  it('vMix → lamps through the truth table, state with the source, TSL out; drop → trust window → tally unknown', async () => {
    const vmix = new VmixEmulator({ inputs: 3 });
    await vmix.start();
    const receiver = new TslSource({ version: '5.0', host: '127.0.0.1', udpPort: 0, silenceMs: 0 });
    await receiver.listen();
    const { clock, timers } = fakeSourceTimers(Date.now());
    const config = site({
      tallySources: [{ kind: 'vmix', host: '127.0.0.1', port: vmix.address.port, trustMs: 3000, cameras: { cam1: { input: 1, red: 'cam1Red', green: 'cam1Green' }, cam2: 2 } }],
      tallyOut: { destinations: [{ host: '127.0.0.1', port: receiver.ports().udp!, transport: 'udp' }], refreshMs: 0, cameras: { cam1: 1, cam2: 2 } },
    });
    const driver = new SimulatedDriver();
    const feature = new SwitcherTallyFeature({ sources: config.tallySources, tallyOut: config.tallyOut, driver, io: config.io, timers });
    const fake = fakeFeatureContext({ role: 'idle' });
    const reports: Array<Record<string, unknown>> = [];
    fake.seen.on('report', (key, value) => key === 'tallySources' && reports.push(value as Record<string, unknown>));
    const reported = (what: string, check: (v: { cameras: Record<string, { program: boolean }>; unknown: string[]; source?: { connected: boolean; error: string | null } }) => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report ${what}`)), 5000);
        const look = (key: string, value: unknown): void => {
          if (key !== 'tallySources' || !check(value as never)) return;
          clearTimeout(timer);
          fake.seen.off('report', look);
          resolve();
        };
        fake.seen.on('report', look);
      });
    try {
      const live = reported('cam1 on program', (v) => v.cameras.cam1?.program === true && v.source?.connected === true);
      const outIdle = nextEvent(receiver, 'tally', (t) => summary(t) === 'P V1,2');
      await feature.start(fake.ctx);
      await live;
      await outIdle; // TSL out while another site has the floor: nothing red
      const red = driver.output('cam1Red');
      const green = driver.output('cam1Green');
      assert.equal(red.level, false, 'program on a site that is idle is only green');
      assert.equal(green.level, true);
      const outRed = nextEvent(receiver, 'tally', (t) => summary(t) === 'P1 V2');
      fake.setRole('on-air');
      assert.equal(red.level, true, 'red once the site has the floor');
      await outRed; // TSL out follows the lamps: camera 1 red now, camera 2 (switcher preview) green
      const lamps = feature.cameraLamps();
      assert.deepEqual(lamps.cam2, { red: 'off', green: 'on' });

      const down = reported('source down', (v) => v.source?.connected === false);
      await vmix.stop();
      await down;
      assert.equal(red.level, true, 'the last tally holds inside the trust window');
      const unknown = reported('tally unknown', (v) => v.unknown.length === 2);
      clock.tick(3000);
      await unknown;
      assert.equal(red.level, false, 'never a stale red');
      assert.deepEqual(feature.cameraLamps().cam1, { red: 'off', green: 'link-lost' });
      const last = reports.at(-1) as { source: { kind: string; error: string } };
      assert.equal(last.source.kind, 'vmix');
      assert.match(last.source.error, /fermé|ECONNRESET|ECONNREFUSED/);
    } finally {
      await feature.stop();
      await receiver.stop();
      await vmix.stop();
    }
  });

  it('GPI contacts → TSL 5.0 out: cameras read from contacts go out with the floor (wired as a box is)', async () => {
    assert.throws(() => site({ tallyIn: { cam1: { program: 'cam1Program' } }, tallyOut: { destinations: [{ host: '127.0.0.1', port: 8900 }], cameras: { cam1: 1, cam3: 3 } } }), /tallyOut\.cameras\.cam3\s: «\scam3\s» n’a aucun tally à envoyer.*connues\s: cam1\)/);
    const receiver = new TslSource({ version: '5.0', host: '127.0.0.1', udpPort: 0, silenceMs: 0 });
    await receiver.listen();
    const config = site({
      tallyIn: { cam1: { program: 'cam1Program', preview: 'cam1Preview' }, cam2: { program: 'cam2Program', preview: 'cam2Preview' } },
      tallyOut: { version: '5.0', destinations: [{ host: '127.0.0.1', port: receiver.ports().udp!, transport: 'udp' }], refreshMs: 0, cameras: { cam1: 1, cam2: 2 } },
    });
    const driver = new SimulatedDriver();
    const features = await applianceFeatures(config, driver);
    assert.deepEqual(features.map((f) => f.name), ['tallyIn', 'tallySources', 'link-test']);
    const fake = fakeFeatureContext({ role: 'idle' });
    try {
      const first = nextEvent(receiver, 'tally', (t) => summary(t) === 'P V');
      for (const f of features) await f.start(fake.ctx);
      await first; // contacts open, nothing on program yet: both dark
      const selectedHere = nextEvent(receiver, 'tally', (t) => summary(t) === 'P V1,2');
      driver.input('cam1Program').setLevel(true);
      driver.input('cam2Preview').setLevel(true);
      await selectedHere; // on the local program while another site has the floor: green, never red
      const onAir = nextEvent(receiver, 'tally', (t) => summary(t) === 'P1 V2');
      fake.setRole('on-air');
      await onAir;
      const cut = nextEvent(receiver, 'tally', (t) => summary(t) === 'P2 V1');
      driver.input('cam1Program').setLevel(false);
      driver.input('cam1Preview').setLevel(true);
      driver.input('cam2Preview').setLevel(false);
      driver.input('cam2Program').setLevel(true);
      await cut; // a cut on the contacts goes out at once
      const lost = nextEvent(receiver, 'tally', (t) => summary(t) === 'P V1');
      fake.setLink(false);
      await lost; // the link lost: the red promise is withdrawn on the receiver too (its lamp flashes, the display goes dark)
    } finally {
      for (const f of [...features].reverse()) await f.stop();
      await receiver.stop();
    }
  });
});
