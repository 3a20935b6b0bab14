/**
 * The proxies of `relais sim link` with real sockets on loopback: what a
 * program sees through them (delay, loss, a changed setting, a rate cap, the
 * reply path). Bounded packet counts; the lower bounds are facts of the model,
 * the upper ones are generous (timers and a busy machine only add delay).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { TcpLinkProxy, UdpLinkProxy } from '../../src/sim/link-proxy.js';
import { ROOT } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

async function udpReceiver(): Promise<{ socket: UdpSocket; port: number; got: Array<{ seq: number; delay: number; from: number }> }> {
  const socket = createSocket('udp4');
  const got: Array<{ seq: number; delay: number; from: number }> = [];
  socket.on('message', (msg, rinfo) => {
    got.push({ seq: msg.readUInt32BE(0), delay: performance.now() - msg.readDoubleBE(4), from: rinfo.port });
    // Echo back the stamp so the reply path can be measured too.
    socket.send(msg, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, port: socket.address().port, got };
}

function packet(seq: number, size = 1316): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(seq, 0);
  b.writeDoubleBE(performance.now(), 4);
  return b;
}

describe('sim link proxies (loopback)', function () {
  this.timeout(30_000);
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('UDP: 400 packets at 30 ms and 10 % loss arrive 30 ms late, about 10 % missing, replies too', async () => {
    const rx = await udpReceiver();
    closers.push(() => new Promise<void>((r) => rx.socket.close(() => r())));
    const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: rx.port, impairment: parseImpairment({ delayMs: 30, lossPercent: 10 }), random: seededRandom(11) });
    await proxy.start();
    closers.push(() => proxy.stop());
    const tx = createSocket('udp4');
    closers.push(() => new Promise<void>((r) => tx.close(() => r())));
    const replies: number[] = [];
    tx.on('message', (msg) => replies.push(performance.now() - msg.readDoubleBE(4)));
    for (let seq = 0; seq < 400; seq += 1) {
      tx.send(packet(seq), proxy.port, '127.0.0.1');
      if (seq % 20 === 19) await new Promise((r) => setTimeout(r, 5));
    }
    // The last packet's fate is known from the counters: wait until all delivered ones have come.
    await waitFor('every delivered packet at the receiver', () => rx.got.length === proxy.counters().up.delivered && proxy.counters().up.packets === 400, 5000);
    await waitFor('every delivered reply', () => replies.length === proxy.counters().down.delivered && proxy.counters().down.packets === rx.got.length, 5000);
    const lostShare = 1 - rx.got.length / 400;
    assert.ok(lostShare > 0.05 && lostShare < 0.15, `lost ${(lostShare * 100).toFixed(1)} %`);
    const delays = rx.got.map((g) => g.delay).sort((a, b) => a - b);
    const median = delays[Math.floor(delays.length / 2)] ?? 0;
    assert.ok((delays[0] ?? 0) >= 29, `fastest packet ${delays[0]} ms`);
    assert.ok(median < 60, `median one-way ${median} ms`);
    // Replies crossed the link twice.
    assert.ok(Math.min(...replies) >= 59, `fastest round trip ${Math.min(...replies)} ms`);
    // One upstream socket for the one client.
    assert.equal(new Set(rx.got.map((g) => g.from)).size, 1);
  });

  it('UDP: a setting changed while it runs applies to the next packet (loss=100 then back)', async () => {
    const rx = await udpReceiver();
    closers.push(() => new Promise<void>((r) => rx.socket.close(() => r())));
    const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: rx.port, impairment: parseImpairment({ delayMs: 5 }) });
    await proxy.start();
    closers.push(() => proxy.stop());
    const tx = createSocket('udp4');
    closers.push(() => new Promise<void>((r) => tx.close(() => r())));
    tx.send(packet(1), proxy.port, '127.0.0.1');
    await waitFor('the first packet', () => rx.got.length === 1);
    proxy.set(parseImpairment({ delayMs: 5, lossPercent: 100 }));
    for (let seq = 2; seq < 50; seq += 1) tx.send(packet(seq), proxy.port, '127.0.0.1');
    await waitFor('the proxy to see the 48 packets', () => proxy.counters().up.packets === 49);
    proxy.set(parseImpairment({ delayMs: 5 }));
    tx.send(packet(99), proxy.port, '127.0.0.1');
    await waitFor('the marker after the outage', () => rx.got.some((g) => g.seq === 99));
    assert.deepEqual(rx.got.map((g) => g.seq), [1, 99]);
    assert.equal(proxy.counters().up.lost, 48);
  });

  it('TCP: an echo crosses the link twice, bytes stay in order, and the rate cap holds 64 KB back', async () => {
    const server: Server = createServer((s) => s.pipe(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    // 2000 kbit/s: 64 KB take 262 ms each way through the bottleneck.
    const proxy = new TcpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: port, impairment: parseImpairment({ delayMs: 20, lossPercent: 5, rateKbps: 2000 }), random: seededRandom(2) });
    await proxy.start();
    closers.push(() => proxy.stop());
    const client = connect(proxy.port, '127.0.0.1');
    closers.push(() => void client.destroy());
    await once(client, 'connect');
    const payload = Buffer.alloc(64 * 1024);
    for (let i = 0; i < payload.length; i += 1) payload[i] = i % 251;
    const chunks: Buffer[] = [];
    let received = 0;
    client.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
    });
    const start = performance.now();
    client.write(payload);
    await waitFor('the whole echo', () => received === payload.length, 10_000);
    const elapsed = performance.now() - start;
    assert.ok(Buffer.concat(chunks).equals(payload), 'echo differs from what was sent');
    // Two crossings of 20 ms plus the bottleneck: the echo cannot be quicker.
    assert.ok(elapsed >= 40 + 262, `64 KB echoed in ${elapsed.toFixed(0)} ms`);
    assert.ok(proxy.counters().up.bytes === payload.length);
  });
});

describe('relais sim link (the command)', function () {
  this.timeout(30_000);

  it('forwards UDP, takes a new setting typed on stdin, and stops on SIGTERM', async () => {
    const rx = await udpReceiver();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sim', 'link', '--udp', `0:127.0.0.1:${rx.port}`, '--delay', '10', '--loss', '0'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('the listening line', () => /à l’écoute udp 127\.0\.0\.1:\d+/.test(out), 15_000);
      const port = Number(/à l’écoute udp 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      await waitFor('the starting settings', () => /lien delay=10ms jitter=0ms loss=0%/.test(out));
      child.stdin.write('loss=25 rate=3000\n');
      await waitFor('the new settings', () => /loss=25% reorder=0% rate=3000kbit\/s/.test(out));
      child.stdin.write('lost=3\n');
      await waitFor('the refusal', () => /«\slost=3\s» n’est pas un réglage/.test(out));
      const tx = createSocket('udp4');
      tx.send(packet(1, 100), port, '127.0.0.1');
      // Lost or not, the packet is counted: ask until the counters show it.
      await waitFor('the counters', async () => {
        child.stdin.write('show\n');
        await new Promise((r) => setTimeout(r, 50));
        return /"packets":1,/.test(out);
      });
      tx.close();
    } finally {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      rx.socket.close();
    }
    assert.match(out, /émulateur de lien arrêté/);
  });
});
