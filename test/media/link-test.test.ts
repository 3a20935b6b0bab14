/**
 * `relais link test` against `relais link echo` through the link emulator
 * (80 ms RTT, 1 % loss, 3000 kbit/s): what it measures and recommends is
 * within 20 % of the emulator's settings. And the advice on its own (pure).
 */
import assert from 'node:assert/strict';
import { decodeProbe, encodeProbe, recommend, runLinkTest, startLinkEcho, type LinkTestResult } from '../../src/media/link-test.js';
import { parseTarget, reportLinkTest } from '../../src/media/link-cli.js';
import { linkTestReport } from '../../src/media/link-test.js';
import { parseImpairment, seededRandom } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';

const within = (value: number, target: number, share: number): boolean => Math.abs(value - target) <= target * share;

describe('link test: the report for the site state', () => {
  it('rounds the figures for the state, and refuses a config that is not a box', async () => {
    const r: LinkTestResult = { pings: 100, rttMs: { min: 78.04, p50: 80.16, p95: 84.55, max: 95 }, roundTripLossPercent: 1.6, lossPercent: 0.8049, throughputKbps: 2999.6, trains: 3 };
    const report = linkTestReport('relay.example:9999', 60, r, recommend(r), new Date('2026-12-02T14:05:00Z'));
    assert.deepEqual(report, { at: '2026-12-02T14:05:00.000Z', relay: 'relay.example:9999', seconds: 60, rttMs: { min: 78, p50: 80.2, p95: 84.6, max: 95 }, lossPercent: 0.8, throughputKbps: 3000, recommended: { latencyMs: 250, bitrateKbps: 2200 }, notes: [] });
    await assert.rejects(reportLinkTest('hardware/examples/conductor.yaml', report), /est une config de chef d’orchestre; --report demande la config du boîtier/);
    await assert.rejects(reportLinkTest('/nonexistent/appliance.yaml', report), /appliance\.yaml/);
  });
});

describe('link test: advice (pure)', () => {
  const result = (over: Partial<LinkTestResult>): LinkTestResult => ({ pings: 100, rttMs: { min: 78, p50: 80, p95: 84, max: 95 }, roundTripLossPercent: 2, lossPercent: 1, throughputKbps: 3000, trains: 3, ...over });

  it('asks for 3-4x the RTT as latency, more with more loss, and three quarters of the capacity', () => {
    assert.deepEqual(recommend(result({})), { latencyMs: 240, bitrateKbps: 2250, notes: [] });
    assert.equal(recommend(result({ lossPercent: 2.5 })).latencyMs, 300);
    assert.equal(recommend(result({ lossPercent: 9 })).latencyMs, 590);
    // A loss measured just over 1 % moves the advice a little, not by a third.
    assert.equal(recommend(result({ lossPercent: 1.1 })).latencyMs, 250);
    // A jittery link: the spread between median and p95 is added once.
    assert.equal(recommend(result({ rttMs: { min: 70, p50: 80, p95: 130, max: 200 } })).latencyMs, 290);
    assert.equal(recommend(result({ rttMs: { min: 70, p50: 80, p95: 110, max: 200 } })).latencyMs, 240);
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
      const result = await runLinkTest({ host: '127.0.0.1', port: proxy.port, seconds: 8, pingRate: 100 });
      assert.ok(result.rttMs, 'pings answered');
      assert.ok(within(result.rttMs.p50, 80, 0.2), `RTT median ${result.rttMs.p50.toFixed(1)} ms`);
      assert.ok(result.lossPercent < 6, `loss ${result.lossPercent} %`);
      assert.ok(result.throughputKbps !== null && within(result.throughputKbps, 3000, 0.2), `capacity ${result.throughputKbps} kbit/s`);
      const advice = recommend(result);
      // 3x the emulated RTT at 1 % loss (240 ms), and three quarters of the emulated capacity, each within 20 %.
      assert.ok(within(advice.latencyMs, 240, 0.2), `latency ${advice.latencyMs} ms`);
      assert.ok(within(advice.bitrateKbps, 2250, 0.2), `bitrate ${advice.bitrateKbps} kbit/s`);
    } finally {
      await proxy.stop();
      await echo.stop();
    }
  });
});
