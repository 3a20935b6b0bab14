import assert from 'node:assert/strict';
import { ObsSource } from '../../src/tally/obs.js';
import { freePort } from '../helpers/ports.js';
import { nextEvent, summary } from './events.js';
import { realObsMissing, startRealObs, type RealObs } from './real-obs.js';

const PASSWORD = 'relais-réel';

describe('tally: OBS through obs-websocket-js against the real OBS Studio (Xvfb)', function () {
  this.timeout(60_000);
  let obs: RealObs | null = null;
  const sources: ObsSource[] = [];

  before(async function () {
    const missing = realObsMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    obs = await startRealObs(await freePort(), PASSWORD);
    const c = obs.control;
    for (const scene of ['Caméra 1', 'Caméra 2']) {
      await c.call('CreateScene', { sceneName: scene });
      await c.call('CreateInput', { sceneName: scene, inputName: `src ${scene}`, inputKind: 'color_source_v3', inputSettings: {} });
    }
    await c.call('SetCurrentProgramScene', { sceneName: 'Caméra 1' });
    // A cut, as a tally check wants: under Xvfb's software rendering a fade may never finish.
    await c.call('SetCurrentSceneTransition', { transitionName: 'Cut' });
  });
  after(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    await obs?.stop();
  });

  function open(password: string): ObsSource {
    const s = new ObsSource({ host: '127.0.0.1', port: obs!.port, password, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    sources.push(s);
    return s;
  }

  it('program scene and its sources, then studio mode preview, as OBS itself reports them', async () => {
    const s = open(PASSWORD);
    const first = nextEvent(s, 'tally');
    s.start();
    assert.equal(summary((await first)[0]), 'PCaméra 1,src Caméra 1 V');
    // Real OBS puts the program scene on preview too when studio mode turns on: both lit at once.
    const studioOn = nextEvent(s, 'tally', (t) => summary(t) === 'PCaméra 1,src Caméra 1 VCaméra 1,src Caméra 1');
    await obs!.control.call('SetStudioModeEnabled', { studioModeEnabled: true });
    await studioOn;
    const studio = nextEvent(s, 'tally', (t) => summary(t) === 'PCaméra 1,src Caméra 1 VCaméra 2,src Caméra 2');
    await obs!.control.call('SetCurrentPreviewScene', { sceneName: 'Caméra 2' });
    await studio;
    const cut = nextEvent(s, 'tally', (t) => summary(t).startsWith('PCaméra 2'));
    await obs!.control.call('SetCurrentProgramScene', { sceneName: 'Caméra 2' });
    await cut;
  });

  it('the real OBS refuses a wrong password with 4009, and the source names it', async () => {
    const s = open('mauvais');
    const refused = nextEvent(s, 'connection', (c) => /mot de passe/.test(c.error ?? ''), 10_000);
    s.start();
    assert.match((await refused)[0].error ?? '', /4009/);
  });
});
