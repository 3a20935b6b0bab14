import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { decodeTsl31 } from '../../src/tally/tsl31.js';
import net from 'node:net';
import { TslSender, tslPackets } from '../../src/tally/tsl-out.js';
import { decodeTsl5 } from '../../src/tally/tsl5.js';
import { TslSource } from '../../src/tally/tsl-in.js';
import { fakeSourceTimers, nextEvent, summary } from './events.js';

describe('tally: TSL UMD 5.0 out', () => {
  it('program is red and preview green on every tally field; program wins', () => {
    const [packet] = tslPackets('5.0', [
      { index: 1, program: true, preview: true, label: 'Saint-Camille 1' },
      { index: 2, program: false, preview: true, label: 'Caméra 2' },
      { index: 3, program: false, preview: false, label: '' },
    ]);
    const decoded = decodeTsl5(packet!);
    assert.deepEqual(decoded.displays.map((d) => [d.index, d.rh, d.text, d.lh, d.label]), [
      [1, 'red', 'red', 'red', 'Saint-Camille 1'],
      [2, 'green', 'green', 'green', 'Caméra 2'],
      [3, 'off', 'off', 'off', ''],
    ]);
  });

  it('resends the full state every refreshMs over UDP, so a receiver that restarts is right within one period', async () => {
    const { clock, timers } = fakeSourceTimers();
    const receiver = dgram.createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', () => r()));
    const got: Buffer[] = [];
    let arrived: () => void = () => {};
    receiver.on('message', (m) => {
      got.push(m);
      arrived();
    });
    const next = (): Promise<void> => new Promise((r) => (arrived = r));
    const out = new TslSender({ version: '5.0', destinations: [{ host: '127.0.0.1', port: receiver.address().port, transport: 'udp' }], refreshMs: 1000, timers });
    try {
      out.start();
      let wait = next();
      out.set([{ index: 7, program: true, preview: false, label: 'cam1' }]);
      await wait;
      out.set([{ index: 7, program: true, preview: false, label: 'cam1' }]); // unchanged: not sent again
      wait = next();
      clock.tick(1000);
      await wait;
      assert.equal(got.length, 2, 'one send on change, one on refresh');
      assert.deepEqual(got[0], got[1]);
      assert.equal(decodeTsl5(got[1]!).displays[0]!.rh, 'red');
    } finally {
      await out.stop();
      receiver.close();
    }
  });

  it('TSL 3.1 sends only the displays that changed at once (two datagrams for a cut), all of them on refresh', async () => {
    const { clock, timers } = fakeSourceTimers();
    const receiver = dgram.createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', () => r()));
    const got: number[] = [];
    let want = 0;
    let arrived: () => void = () => {};
    receiver.on('message', (m) => {
      got.push(decodeTsl31(m)[0]!.address);
      if (got.length >= want) arrived();
    });
    const until = (n: number): Promise<void> => new Promise((r) => ((want = n), (arrived = r)));
    const out = new TslSender({ version: '3.1', destinations: [{ host: '127.0.0.1', port: receiver.address().port, transport: 'udp' }], refreshMs: 1000, timers });
    const displays = (program: number) => [1, 2, 3, 4].map((index) => ({ index, program: index === program, preview: false, label: `CAM ${index}` }));
    try {
      out.start();
      let wait = until(4);
      out.set(displays(1));
      await wait;
      wait = until(6);
      out.set(displays(3));
      await wait;
      assert.deepEqual(got.slice(4), [1, 3], 'the cut: the display leaving program and the one taking it');
      wait = until(10);
      clock.tick(1000);
      await wait;
      assert.deepEqual(got.slice(6).sort(), [1, 2, 3, 4], 'the refresh: every display');
    } finally {
      await out.stop();
      receiver.close();
    }
  });

  it('a TCP destination that is not up yet is redialled and gets the full state on connect', async () => {
    // A free port, closed again: nothing listens there until the receiver starts.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const out = new TslSender({ version: '5.0', destinations: [{ host: '127.0.0.1', port, transport: 'tcp' }], refreshMs: 0, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const receiver = new TslSource({ version: '5.0', host: '127.0.0.1', tcpPort: port });
    try {
      out.start();
      out.set([{ index: 1, program: false, preview: true, label: 'cam1' }, { index: 2, program: true, preview: false, label: 'cam2' }]);
      const heard = nextEvent(receiver, 'tally');
      await receiver.listen();
      assert.equal(summary((await heard)[0]), 'P2 V1');
      assert.ok(out.errors.some((e) => /ECONNREFUSED/.test(e)), 'the refusals before it were noted');
    } finally {
      await out.stop();
      await receiver.stop();
    }
  });
});
