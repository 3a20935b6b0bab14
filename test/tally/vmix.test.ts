import assert from 'node:assert/strict';
import { VmixFramer, parseVmixTally } from '../../src/tally/vmix-framer.js';
import { VmixSource } from '../../src/tally/vmix.js';
import { VmixEmulator } from '../../src/sim/vmix.js';
import { isDown, isUp, nextEvent, summary } from './events.js';

const FAST = { initialDelayMs: 20, maxDelayMs: 200 };

describe('tally: vMix framer', () => {
  it('frames CRLF lines across chunk boundaries and skips an XML body', () => {
    const framer = new VmixFramer();
    assert.deepEqual(framer.push(Buffer.from('VERSION OK 27.0\r\nTALLY OK 01')), [{ command: 'VERSION', status: 'OK', rest: '27.0' }]);
    const xml = '<vmix><inputs/></vmix>';
    const got = framer.push(Buffer.from(`20\r\nXML ${xml.length}\r\n${xml.slice(0, 5)}`));
    assert.deepEqual(got.map((m) => `${m.command} ${m.status} ${m.rest}`), ['TALLY OK 0120', `XML ${xml.length} `]);
    assert.deepEqual(framer.push(Buffer.from(`${xml.slice(5)}TALLY OK 1\r\n`)), [{ command: 'TALLY', status: 'OK', rest: '1' }]);
  });

  it('reads one digit per input from input 1: 0 off, 1 program, 2 preview', () => {
    assert.deepEqual(parseVmixTally('0120'), [
      { id: '1', program: false, preview: false },
      { id: '2', program: true, preview: false },
      { id: '3', program: false, preview: true },
      { id: '4', program: false, preview: false },
    ]);
    assert.throws(() => parseVmixTally('01x'), /TALLY invalide/);
  });

  it('refuses garbage that is not a vMix answer, and a line that never ends', () => {
    assert.throws(() => new VmixFramer().push(Buffer.from('\u0000\u0001binary\r\n')), /est-ce bien vMix/);
    assert.throws(() => new VmixFramer().push(Buffer.alloc(20_000, 0x41)), /sans fin/);
  });
});

describe('tally: vMix source against the emulator', () => {
  let vmix: VmixEmulator;
  let source: VmixSource | null = null;

  beforeEach(async () => {
    vmix = new VmixEmulator({ inputs: 4 });
    await vmix.start();
  });
  afterEach(async () => {
    await source?.stop();
    source = null;
    await vmix.stop();
  });

  function open(pollMs = 2000): VmixSource {
    source = new VmixSource({ host: '127.0.0.1', port: vmix.address.port, reconnect: FAST, pollMs });
    return source;
  }

  it('subscribes and gets the tally at once, then every change', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    assert.equal(summary((await first)[0]), 'P1 V2');
    assert.deepEqual(vmix.received.slice(0, 2), ['SUBSCRIBE TALLY', 'TALLY']);
    assert.ok(s.connection().connected);
    const cut = nextEvent(s, 'tally');
    vmix.cut(3);
    assert.equal(summary((await cut)[0]), 'P3 V2');
  });

  it('vMix restarts: the drop is reported, the redial gives fresh tally at once', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const down = nextEvent(s, 'connection', isDown);
    vmix.program = 4; // changed while the link is down: nobody is told
    vmix.dropClients();
    const fresh = nextEvent(s, 'tally');
    const [lost] = await down;
    assert.match(lost.error ?? '', /fermé|ECONNRESET|closed/);
    assert.equal(summary((await fresh)[0]), 'P4 V2');
    assert.ok(s.connection().connected);
  });

  it('vMix gone for a while: refusals are reported, and it comes back on the same port', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const port = vmix.address.port;
    const refused = nextEvent(s, 'connection', (c) => /ECONNREFUSED/.test(c.error ?? ''));
    await vmix.stop();
    const [state] = await refused;
    assert.equal(state.connected, false);
    vmix = new VmixEmulator({ port, inputs: 4 });
    vmix.program = 2;
    vmix.preview = 1;
    const back = nextEvent(s, 'tally');
    await vmix.start();
    assert.equal(summary((await back)[0]), 'P2 V1');
  });

  it('a vMix frozen behind an open socket is dropped after three silent heartbeats and redialled', async () => {
    const s = open(30);
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const silent = nextEvent(s, 'connection', (c) => /muet/.test(c.error ?? ''));
    vmix.mute = true;
    await silent;
    const back = nextEvent(s, 'tally');
    vmix.mute = false;
    assert.equal(summary((await back)[0]), 'P1 V2');
  });

  it('garbage from the peer: named in the connection error, then a clean redial', async () => {
    const s = open();
    const first = nextEvent(s, 'tally');
    s.start();
    await first;
    const bad = nextEvent(s, 'connection', (c) => /invalide/.test(c.error ?? ''));
    const back = nextEvent(s, 'connection', isUp);
    vmix.sendRaw('TALLY OK 01z9\r\n');
    await bad;
    await back;
    const fresh = nextEvent(s, 'tally');
    vmix.setPreview(4);
    assert.equal(summary((await fresh)[0]), 'P1 V4');
  });
});
