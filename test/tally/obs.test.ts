import assert from 'node:assert/strict';
import { ObsSource } from '../../src/tally/obs.js';
import { ObsEmulator } from '../../src/sim/obs.js';
import { isDown, nextEvent, summary } from './events.js';

const FAST = { initialDelayMs: 20, maxDelayMs: 200 };
const PASSWORD = 'régie-2026';

describe('tally: OBS through obs-websocket-js against the obs-websocket v5 emulator', () => {
  let obs: ObsEmulator;
  let source: ObsSource | null = null;

  beforeEach(async () => {
    obs = new ObsEmulator({ password: PASSWORD });
    await obs.start();
  });
  afterEach(async () => {
    await source?.stop();
    source = null;
    await obs.stop();
  });

  function open(password: string | undefined = PASSWORD): ObsSource {
    source = new ObsSource({ host: '127.0.0.1', port: obs.port, password, reconnect: FAST });
    return source;
  }

  it('authenticates, then program is the scene and its sources; no preview outside studio mode', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    assert.equal(summary((await first)[0]), 'PCaméra 1 V');
    assert.ok(s.connection().connected);
    const wide = nextEvent(s, 'tally');
    obs.setProgram('Plan large');
    assert.equal(summary((await wide)[0]), 'PPlan large,Caméra 1,Caméra 3 V');
    const hidden = nextEvent(s, 'tally');
    obs.setItemEnabled('Plan large', 'Caméra 3', false);
    assert.equal(summary((await hidden)[0]), 'PPlan large,Caméra 1 V');
  });

  it('studio mode: the preview scene and its sources are preview', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const studio = nextEvent(s, 'tally');
    obs.setStudioMode(true);
    assert.equal(summary((await studio)[0]), 'PCaméra 1 VCaméra 2');
    const next = nextEvent(s, 'tally');
    obs.setPreview('Caméra 3');
    assert.equal(summary((await next)[0]), 'PCaméra 1 VCaméra 3');
  });

  it('a wrong password is refused, named, and retried with growing delays', async () => {
    const s = open('mauvais');
    const refused = nextEvent(s, 'connection', (c) => /mot de passe/.test(c.error ?? ''));
    s.start();
    const [state] = await refused;
    assert.equal(state.connected, false);
    assert.match(state.error ?? '', /4009/);
    assert.equal(obs.clientCount, 0);
  });

  it('OBS quits and comes back: the drop is reported, the new link gives fresh tally at once', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const down = nextEvent(s, 'connection', isDown);
    obs.program = 'Caméra 2'; // changed while nobody listens
    obs.dropClients();
    await down;
    const fresh = nextEvent(s, 'tally');
    assert.equal(summary((await fresh)[0]), 'PCaméra 2 V');
  });

  it('garbage on the socket is ignored: the link stays and the next change still arrives', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    let drops = 0;
    s.on('connection', (c) => void (c.connected || drops++));
    const marker = nextEvent(s, 'tally');
    obs.sendRaw('{not json');
    obs.sendRaw(JSON.stringify({ op: 5, d: { eventType: 'CurrentProgramSceneChanged' } })); // no eventData
    obs.setProgram('Caméra 3');
    assert.equal(summary((await marker)[0]), 'PCaméra 3 V');
    assert.equal(drops, 0);
  });
});
