import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AtemSource } from '../../src/tally/atem.js';
import { probeAtem } from '../../src/tally/atem-probe.js';
import { AtemEmulator } from '../../src/sim/atem.js';
import { isDown, nextEvent, summary } from './events.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('tally: ATEM through atem-connection against the emulator', function () {
  // atem-connection notices a silent switcher after its fixed 5 s: the restart case waits that out.
  this.timeout(20_000);
  let atem: AtemEmulator;
  const sources: AtemSource[] = [];

  beforeEach(async () => {
    atem = new AtemEmulator({ inputs: 4, maxClients: 2 });
    await atem.start();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    await atem.stop();
  });

  function open(handshakeMs = 6000): AtemSource {
    const s = new AtemSource({ host: '127.0.0.1', port: atem.address.port, handshakeMs });
    sources.push(s);
    return s;
  }

  it('handshake, state dump, then program/preview and names from the switcher', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    const [snapshot] = await first;
    assert.equal(summary(snapshot), 'P1 V2');
    assert.equal(snapshot.inputs.find((i) => i.id === '1')?.name, 'Camera 1');
    assert.ok(s.connection().connected);
    assert.equal(atem.clientCount, 1);
    const cut = nextEvent(s, 'tally');
    atem.cut();
    assert.equal(summary((await cut)[0]), 'P2 V1');
    const renamed = nextEvent(s, 'tally', (t) => t.inputs.some((i) => i.name === 'Podium'));
    atem.rename(3, 'Podium', 'POD');
    await renamed;
  });

  it('leaves the process\'s signals and errors to relais: no exit handler of the library\'s socket host after a connection', async function () {
    this.timeout(30_000);
    // A fresh process that listens to exit, uncaughtException and unhandledRejection, as a supervised service may:
    // the case where threadedclass's AUTO mode takes them over and answers them with process.exit().
    const script = [
      "for (const e of ['exit', 'uncaughtException', 'unhandledRejection']) process.on(e, () => undefined);",
      "const { AtemSource } = await import('./src/tally/atem.ts');",
      "const { AtemEmulator } = await import('./src/sim/atem.ts');",
      'const atem = new AtemEmulator({ inputs: 2 }); await atem.start();',
      "const s = new AtemSource({ host: '127.0.0.1', port: atem.address.port });",
      "const first = new Promise((r) => s.once('tally', r)); s.start(); await first;",
      "const events = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'uncaughtException', 'unhandledRejection'];",
      "const foreign = events.flatMap((e) => process.listeners(e).filter((l) => /onSignal\\(/.test(String(l))).map(() => e));",
      'console.log(JSON.stringify(foreign));',
      'await s.stop(); await atem.stop(); process.exit(0);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0, err);
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), [], 'threadedclass would answer these with process.exit()');
  });

  it('an upstream key on air and SuperSource boxes count as program where the switcher says so', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const keyed = nextEvent(s, 'tally');
    atem.setKey(4);
    assert.equal(summary((await keyed)[0]), 'P1,4 V2');
    atem.keyFill = null;
    atem.superSourceBoxes = [2, 3];
    const boxes = nextEvent(s, 'tally', (t) => summary(t) === 'P2,3,6000 V2');
    atem.setProgram(6000);
    await boxes;
  });

  it('lost datagrams: the switcher resends them and the tally arrives, in order', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    atem.dropOutgoing = 1;
    const resent = nextEvent(s, 'tally', (t) => summary(t) === 'P1 V3');
    atem.setPreview(3);
    await resent;
    assert.ok(atem.resends >= 1, 'the emulator had to resend');
    atem.dropOutgoing = 0;
  });

  it('garbage datagrams are ignored: the session stays and the next change arrives', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    let drops = 0;
    s.on('connection', (c) => void (c.connected || drops++));
    atem.sendRaw(Buffer.from('not an ATEM packet at all'));
    atem.sendRaw(Buffer.from([0x08, 0x0c, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x7f, 0x7f])); // a packet id far out of sequence
    const next = nextEvent(s, 'tally');
    atem.setPreview(4);
    assert.equal(summary((await next)[0]), 'P1 V4');
    assert.equal(drops, 0);
  });

  it('too many clients: the hello is rejected and the probe names it', async () => {
    const a = open();
    const b = open();
    const up = Promise.all([nextEvent(a, 'tally'), nextEvent(b, 'tally')]);
    a.start();
    b.start();
    await up;
    assert.equal(await probeAtem('127.0.0.1', atem.address.port), 'rejected');
    const c = open(200);
    const named = nextEvent(c, 'connection', (st) => /clients sont pris/.test(st.error ?? ''));
    c.start();
    const [state] = await named;
    assert.equal(state.connected, false);
    assert.ok(atem.rejected >= 2);
  });

  it('the switcher restarts: the drop is reported and the new session brings fresh tally at once', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const down = nextEvent(s, 'connection', isDown, 10_000);
    atem.restart();
    atem.program = 3; // changed while nobody was connected
    await down;
    const fresh = nextEvent(s, 'tally', () => true, 10_000);
    assert.equal(summary((await fresh)[0]), 'P3 V2');
    assert.ok(s.connection().connected);
  });

  it('the switcher is off: relais spaces its attempts with growing delays up to the cap; back on, a session at the next attempt', async () => {
    atem.powerOff();
    const s = new AtemSource({ host: '127.0.0.1', port: atem.address.port, handshakeMs: 100, reconnect: { initialDelayMs: 200, maxDelayMs: 800 } });
    sources.push(s);
    const library = (): number[] => atem.hellos.filter((h) => h.session === 0x53ab).map((h) => h.at);
    const named = nextEvent(s, 'connection', (st) => /pas de réponse de l’ATEM/.test(st.error ?? ''));
    s.start();
    await named;
    await waitFor('five attempts', () => library().length >= 5, 10_000);
    const at = library();
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // Each gap is one attempt's window (100 ms) and the wait, 200, 400, 800, 800 ms: never shorter (timers fire late, not early).
    [200, 400, 800, 800].forEach((wait, i) => assert.ok(gaps[i]! >= 100 + wait - 20, `gap ${i + 1}: ${gaps[i]} ms, expected at least ${100 + wait} (gaps ${gaps.join(', ')})`));
    assert.ok(gaps[2]! - gaps[0]! >= 500, `the waits grow (gaps ${gaps.join(', ')})`);
    assert.equal(s.nextDelayMs, 800, 'capped');
    const back = nextEvent(s, 'tally', () => true, 5000);
    atem.powerOn();
    assert.equal(summary((await back)[0]), 'P1 V2');
    assert.ok(s.connection().connected);
    assert.equal(s.nextDelayMs, 200, 'a session puts the wait back to its first value');
  });

  it('the probe: accepted (and the slot given back), silent', async () => {
    assert.equal(await probeAtem('127.0.0.1', atem.address.port), 'accepted');
    assert.equal(atem.clientCount, 0, 'the probe closed its session');
    const port = atem.address.port;
    await atem.stop();
    assert.equal(await probeAtem('127.0.0.1', port, 200), 'silent');
    await atem.start();
  });
});
