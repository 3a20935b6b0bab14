/**
 * `relais link test` against `relais link echo` through the link emulator
 * (80 ms RTT, 1 % loss, 3000 kbit/s): what it measures and recommends is
 * within 20 % of the emulator's settings. And the advice on its own (pure).
 */
import assert from 'node:assert/strict';
import { decodeProbe, encodeProbe, recommend, runLinkTest, startLinkEcho, type LinkTestResult } from '../../src/media/link-test.js';
import { parseTarget } from '../../src/media/link-cli.js';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';

const within = (value: number, target: number, share: number): boolean => Math.abs(value - target) <= target * share;

describe('link test: advice (pure)', () => {
  const result = (over: Partial<LinkTestResult>): LinkTestResult => ({ pings: 100, rttMs: { min: 78, p50: 80, p95: 84, max: 95 }, roundTripLossPercent: 2, lossPercent: 1, throughputKbps: 3000, trains: 3, ...over });

  it('asks for 3-4x the RTT as latency, more with more loss, and three quarters of the capacity', () => {
    assert.deepEqual(recommend(result({})), { latencyMs: 260, bitrateKbps: 2250, notes: [] });
    assert.equal(recommend(result({ lossPercent: 2.5 })).latencyMs, 340);
    assert.equal(recommend(result({ lossPercent: 9 })).latencyMs, 680);
    assert.match(recommend(result({ lossPercent: 9 })).notes.join(' '), /dépasse 400 ms dans un sens/);
    assert.equal(recommend(result({ rttMs: { min: 1, p50: 2, p95: 3, max: 4 } })).latencyMs, 80);
    assert.match(recommend(result({ throughputKbps: null })).notes.join(' '), /la capacité est inconnue/);
  });

  it('reads its own probes only, and a target with or without a port', () => {
    assert.deepEqual(decodeProbe(encodeProbe({ kind: 2, seq: 7, sentAt: 1.5, echoedAt: 2.5 }, 1316)), { kind: 2, seq: 7, sentAt: 1.5, echoedAt: 2.5 });
    assert.equal(decodeProbe(Buffer.from('GET / HTTP/1.1\r\n\r\n-----------------')), null);
    assert.deepEqual(parseTarget('relay.example'), { host: 'relay.example', port: 9999 });
    assert.deepEqual(parseTarget('10.0.0.2:7000'), { host: '10.0.0.2', port: 7000 });
    assert.throws(() => parseTarget('relay:99999'), /doit être HÔTE ou HÔTE:PORT d’un `relais link echo` en marche/);
  });
});

describe('link test through the emulated link (loopback)', function () {
  this.timeout(40_000);

  it('measures 80 ms RTT, ~1 % loss and 3000 kbit/s within 20 %, and recommends accordingly', async () => {
    const echo = await startLinkEcho(0, '127.0.0.1');
    const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: echo.port, impairment: parseImpairment({ delayMs: 40, jitterMs: 2, lossPercent: 1, rateKbps: 3000 }), random: seededRandom(9) });
    await proxy.start();
    try {
      const result = await runLinkTest({ host: '127.0.0.1', port: proxy.port, seconds: 8 });
      assert.ok(result.rttMs, 'pings answered');
      assert.ok(within(result.rttMs.p50, 80, 0.2), `RTT median ${result.rttMs.p50.toFixed(1)} ms`);
      assert.ok(result.lossPercent < 6, `loss ${result.lossPercent} %`);
      assert.ok(result.throughputKbps !== null && within(result.throughputKbps, 3000, 0.2), `capacity ${result.throughputKbps} kbit/s`);
      const advice = recommend(result);
      // 3-4x the emulated RTT, and three quarters of the emulated capacity.
      assert.ok(advice.latencyMs >= 240 && advice.latencyMs <= 400, `latency ${advice.latencyMs} ms`);
      assert.ok(within(advice.bitrateKbps, 2250, 0.2), `bitrate ${advice.bitrateKbps} kbit/s`);
    } finally {
      await proxy.stop();
      await echo.stop();
    }
  });
});
