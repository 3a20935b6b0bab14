import assert from 'node:assert/strict';
import { decodeTsl31, encodeTsl31 } from '../../src/tally/tsl31.js';
import { decodeTsl5, encodeTsl5, stuffTsl5, Tsl5StreamFramer } from '../../src/tally/tsl5.js';
import { TslSource } from '../../src/tally/tsl-in.js';
import { TslEmulator } from '../../src/sim/tsl.js';
import { fakeSourceTimers, isDown, isUp, nextEvent, summary } from './events.js';

describe('tally: TSL UMD codecs', () => {
  it('3.1: address + 0x80, tally bits 0-3, brightness bits 4-5, 16 characters', () => {
    const packet = encodeTsl31({ address: 5, tally: [true, false, true, false], brightness: 3, text: 'CAM 5' });
    assert.equal(packet.toString('hex'), '8535' + Buffer.from('CAM 5'.padEnd(16)).toString('hex'));
    assert.deepEqual(decodeTsl31(packet), [{ address: 5, tally: [true, false, true, false], brightness: 3, text: 'CAM 5' }]);
    assert.throws(() => decodeTsl31(packet.subarray(0, 17)), /multiple de 18/);
    assert.throws(() => decodeTsl31(Buffer.concat([Buffer.from([0x05]), packet.subarray(1)])), /adresse/);
  });

  it('5.0: PBC, VER, FLAGS, SCREEN, then INDEX, CONTROL (RH, text, LH, brightness), LENGTH, TEXT', () => {
    const bytes = encodeTsl5({ screen: 0, displays: [{ index: 2, rh: 'red', text: 'green', lh: 'amber', brightness: 3, label: 'É' }] });
    // PBC 12 = 4 header bytes after it + 6 message bytes + 2 of UTF-16 text; FLAGS 1: UTF-16LE.
    assert.equal(bytes.toString('hex'), '0c00' + '00' + '01' + '0000' + '0200' + 'f900' + '0200' + 'c900');
    assert.deepEqual(decodeTsl5(bytes), { screen: 0, displays: [{ index: 2, rh: 'red', text: 'green', lh: 'amber', brightness: 3, label: 'É' }] });
    assert.throws(() => decodeTsl5(bytes.subarray(0, 10)), /PBC/);
    assert.throws(() => decodeTsl5(encodeTsl31({ address: 1, tally: [true, false, false, false], brightness: 3, text: 'x' })), /TSL 3.1/);
  });

  it('5.0 over TCP: DLE STX start, DLE doubled inside, reassembled across chunks', () => {
    // Index 0xFE: its DLE byte must be doubled on the wire.
    const packet = encodeTsl5({ screen: 0, displays: [{ index: 0xfe, rh: 'red', text: 'off', lh: 'off', brightness: 3, label: '' }] });
    const wire = Buffer.concat([stuffTsl5(packet), stuffTsl5(packet)]);
    assert.equal(wire.length, 2 * (2 + packet.length + 1));
    const framer = new Tsl5StreamFramer();
    const got = [...framer.push(wire.subarray(0, 9)), ...framer.push(wire.subarray(9))];
    assert.deepEqual(got, [packet, packet]);
    assert.throws(() => new Tsl5StreamFramer().push(Buffer.from('hello')), /avant le premier DLE STX/);
  });
});

describe('tally: TSL UMD sources against the sender', () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });

  async function listening(options: ConstructorParameters<typeof TslSource>[0]): Promise<TslSource> {
    const source = new TslSource({ host: '127.0.0.1', ...options });
    running.push(source);
    await source.listen();
    return source;
  }

  function sender(version: '3.1' | '5.0', transport: 'udp' | 'tcp', port: number): TslEmulator {
    const sim = new TslEmulator({ version, to: [{ host: '127.0.0.1', port, transport }], refreshMs: 0 });
    running.push(sim);
    return sim;
  }

  for (const version of ['3.1', '5.0'] as const) {
    it(`${version} over UDP: each display's tally and name, every cut`, async () => {
      const source = await listening({ version, udpPort: 0 });
      const sim = sender(version, 'udp', source.ports().udp!);
      const all = nextEvent(source, 'tally', (s) => s.inputs.length === 4);
      sim.start();
      const [snapshot] = await all;
      assert.equal(summary(snapshot), 'P1 V2');
      assert.equal(snapshot.inputs[0]!.name, 'CAM 1');
      assert.ok(source.connection().connected);
      const cut = nextEvent(source, 'tally', (s) => summary(s) === 'P3 V2');
      sim.cut(3);
      await cut;
      const renamed = nextEvent(source, 'tally', (s) => s.inputs[2]!.name === 'Podium');
      sim.rename(3, 'Podium');
      await renamed;
    });
  }

  it('5.0 over TCP: the sender restarts, the source says so, and the new link brings fresh tally', async () => {
    const source = await listening({ version: '5.0', tcpPort: 0 });
    const port = source.ports().tcp!;
    let sim = sender('5.0', 'tcp', port);
    const first = nextEvent(source, 'tally', (s) => s.inputs.length === 4);
    sim.start();
    await first;
    const down = nextEvent(source, 'connection', isDown);
    await sim.stop();
    assert.match((await down)[0].error ?? '', /fermé la connexion/);
    sim = sender('5.0', 'tcp', port);
    const fresh = nextEvent(source, 'tally');
    const up = nextEvent(source, 'connection', isUp);
    sim.start();
    sim.cut(4);
    await up;
    assert.match(summary((await fresh)[0]), /P[14] V2/);
  });

  it('the wrong protocol version is refused and named, without losing what was heard', async () => {
    const source = await listening({ version: '5.0', udpPort: 0 });
    const sim31 = sender('3.1', 'udp', source.ports().udp!);
    const refused = nextEvent(source, 'connection', (c) => /TSL 3.1/.test(c.error ?? ''));
    sim31.start();
    await refused;
    assert.ok(source.garbage >= 1);
    const sim5 = sender('5.0', 'udp', source.ports().udp!);
    const good = nextEvent(source, 'tally');
    sim5.start();
    assert.equal(summary((await good)[0]), 'P1 V2');
    const before = source.garbage;
    const marker = nextEvent(source, 'tally', (s) => summary(s) === 'P3 V2');
    sim5.sendRaw(Buffer.from('garbage'));
    sim5.cut(3);
    await marker;
    assert.equal(source.garbage, before + 1, 'counted');
    assert.ok(source.connection().connected, 'one bad datagram does not drop a live sender');
  });

  it('UDP silence past silenceMs reports the source disconnected (fake clock)', async () => {
    const { clock, timers } = fakeSourceTimers();
    const source = await listening({ version: '3.1', udpPort: 0, silenceMs: 5000, timers });
    const sim = sender('3.1', 'udp', source.ports().udp!);
    const heard = nextEvent(source, 'tally', (s) => s.inputs.length === 4);
    sim.start();
    await heard;
    clock.tick(4999);
    assert.ok(source.connection().connected);
    clock.tick(1);
    assert.deepEqual(source.connection(), { connected: false, since: 5000 - 5000 + clock.now, error: 'aucun paquet TSL depuis 5000 ms' });
  });

  it('each packet pushes the silence deadline back: one timer, not one per packet (fake clock)', async () => {
    const { clock, timers: fake } = fakeSourceTimers();
    let armed = 0;
    const timers = { ...fake, setTimeout: (fn: () => void, ms: number) => ((armed += 1), fake.setTimeout(fn, ms)) };
    const source = await listening({ version: '3.1', udpPort: 0, silenceMs: 5000, timers });
    const sim = sender('3.1', 'udp', source.ports().udp!);
    const heard = nextEvent(source, 'tally', (s) => s.inputs.length === 4);
    sim.start();
    await heard;
    assert.equal(armed, 1, 'four packets, one silence timer');
    clock.tick(3000);
    const cut = nextEvent(source, 'tally', (s) => summary(s) === 'P3 V2');
    sim.cut(3);
    await cut;
    assert.equal(armed, 1, 'two more packets, still the same timer');
    clock.tick(2000); // 5 s after the first packets, 2 s after the cut: not silent
    assert.ok(source.connection().connected);
    assert.equal(armed, 2, 'the timer fired early and waits out the rest');
    const down = nextEvent(source, 'connection', isDown);
    clock.tick(3000);
    await down;
  });
});
