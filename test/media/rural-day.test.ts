/**
 * A 3-site day over rural links, with real parts end to end: Mosquitto, the
 * conductor, three boxes (each with its room feed: libx264 into a local
 * srt-live-transmit, over SRT through its own `relais sim link` emulator at
 * 80 ms RTT and 1 % loss), the relay's SRT hub (srt-live-transmit listeners,
 * the remux into node-media-server, SRT out to the displays) and a switching
 * display per room (one ffmpeg decoding the other two rooms' feeds, its
 * output decoded here frame by frame). Each room's picture is a colour of its
 * own, so a decoded frame says which room it shows.
 *
 * Rouyn-Noranda's link drops to 10 % loss for 20 s. The claims of the day,
 * each checked on recorded facts:
 *  - every display plays the site on air (its colour), and never a black frame;
 *  - the relay's statistics on `relay/streams` show the bad link within 5 s;
 *  - a grant to the bad site is applied and followed by the warning on `events`;
 *  - the bad site's bitrate steps down, and back up once the link is good again;
 *  - a hand-off switches the displays from one colour to the other, no black between;
 *  - `relais link test --report` over the same emulated link (capped at 2 Mbit/s)
 *    writes its result into the site's state, with the RTT, the capacity and
 *    the recommended bitrate within 20 % of the emulator's settings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import type { Feature, FeatureContext } from '../../src/appliance/feature.js';
import { Conductor } from '../../src/conductor/conductor.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { parseRelayConfig } from '../../src/media/config.js';
import { EncoderFeature } from '../../src/media/encoder-feature.js';
import { recommend, startLinkEcho } from '../../src/media/link-test.js';
import { LinkTestFeature } from '../../src/media/link-test-feature.js';
import { Relay } from '../../src/media/relay.js';
import { srtEgressPort, srtFfmpegUrl, srtIngestPort } from '../../src/media/srt.js';
import { LOW_DELAY_INPUT, SwitchingDisplay } from '../../src/media/switcher.js';
import { TopicPublisher } from '../../src/mqtt/publisher.js';
import type { EventResult, Floor, RelayStreams } from '../../src/protocol/schemas.js';
import type { SiteState } from '../../src/protocol/site-state.js';
import { decode, eventFilter, matchTopic, topic } from '../../src/protocol/topics.js';
import { parseImpairment, seededRandom, type LinkImpairmentInput } from '../../src/sim/link-model.js';
import { UdpLinkProxy } from '../../src/sim/link-proxy.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { conductorConfig, siteConfig } from '../helpers/event.js';
import { recordingLogger } from '../helpers/log.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { freePort, freeUdpBlock, quietLogger, SECRET, udpBound } from './helpers.js';

const SC = 'saint-camille';
const RN = 'rouyn-noranda';
const RDL = 'riviere-du-loup';
const SITES = [SC, RN, RDL];
const COLOURS: Record<string, [number, number, number]> = { [SC]: [255, 0, 0], [RN]: [0, 160, 0], [RDL]: [0, 0, 255] };
const HEX: Record<string, string> = { [SC]: '0xFF0000', [RN]: '0x00A000', [RDL]: '0x0000FF' };
/** 80 ms RTT, 1 % loss each way: the day's ordinary rural link (no rate cap: SRT's capacity estimate through the emulator's cap reads about the sending rate). */
const RURAL: LinkImpairmentInput = { delayMs: 40, lossPercent: 1 };
/** The link `relais link test` measures: the same, with the uplink's capacity capped at 2 Mbit/s. */
const TESTED: LinkImpairmentInput = { ...RURAL, rateKbps: 2000 };
const BAD: LinkImpairmentInput = { ...RURAL, lossPercent: 10 };
/** SRT latency of the feeds: 1.5 RTT, enough for one resend, not for a resend of a resend. */
const LATENCY_MS = 120;
const W = 32;
const H = 18;
const FRAME = W * H * 3;

type Seen = string | 'black' | 'other';

/** The room a decoded frame shows, by the mean colour of its middle rows (the labels sit at the top and bottom). */
function roomOf(frame: Buffer): Seen {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = 6; y < 12; y += 1) {
    for (let x = 0; x < W; x += 1) {
      const i = (y * W + x) * 3;
      r += frame[i] ?? 0;
      g += frame[i + 1] ?? 0;
      b += frame[i + 2] ?? 0;
      n += 1;
    }
  }
  [r, g, b] = [r / n, g / n, b / n];
  if (r < 30 && g < 30 && b < 30) return 'black';
  let best: Seen = 'other';
  let bestDistance = 90;
  for (const [site, [cr, cg, cb]] of Object.entries(COLOURS)) {
    const d = Math.hypot(r - cr, g - cg, b - cb);
    if (d < bestDistance) [best, bestDistance] = [site, d];
  }
  return best;
}

interface ShownFrame {
  at: number;
  seen: Seen;
}

/** The room's display as the box runs it: a switching ffmpeg that follows the floor, its picture decoded here. */
class RecordedDisplay implements Feature {
  readonly name = 'display';
  readonly frames: ShownFrame[] = [];
  readonly display: SwitchingDisplay;
  private ctx: FeatureContext | null = null;
  private readonly onFloor = (floor: Floor): void => this.follow(floor);

  constructor(readonly site: string, relayPort: number) {
    const plan = { sites: SITES, ingestPort: 0, egressPort: relayPort };
    const feeds = SITES.filter((s) => s !== site).map((feed) => ({ site: feed, url: srtFfmpegUrl({ host: '127.0.0.1', port: srtEgressPort(plan, feed, site), mode: 'caller', latencyMs: LATENCY_MS }) }));
    this.display = new SwitchingDisplay({
      feeds,
      initial: feeds[0]!.site,
      inputOptions: LOW_DELAY_INPUT,
      output: (v, a) => ['-map', v, '-s', `${W}x${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1', '-map', a, '-f', 'null', '-'],
    });
    this.display.on('spawn', () => {
      let pending = Buffer.alloc(0);
      this.display.stdout?.on('data', (d: Buffer) => {
        pending = Buffer.concat([pending, d]);
        while (pending.length >= FRAME) {
          this.frames.push({ at: Date.now(), seen: roomOf(pending.subarray(0, FRAME)) });
          pending = pending.subarray(FRAME);
        }
      });
    });
  }

  async start(ctx: FeatureContext): Promise<void> {
    this.ctx = ctx;
    ctx.bus.on('floor', this.onFloor);
    this.display.start();
    const floor = ctx.floor();
    if (floor) this.follow(floor);
  }

  async stop(): Promise<void> {
    this.ctx?.bus.off('floor', this.onFloor);
    await this.display.stop();
  }

  private follow(floor: Floor): void {
    if (floor.onAir && floor.onAir !== this.site) this.display.select(floor.onAir);
  }

  /** Frames since `from` (ms). */
  since(from: number): ShownFrame[] {
    return this.frames.filter((f) => f.at >= from);
  }
}

describe('a 3-site day over rural links (real SRT, ffmpeg, relay, displays)', function () {
  this.timeout(150_000);
  const stops: Array<() => Promise<unknown> | unknown> = [];
  let broker: TestBroker;
  let client: mqtt.MqttClient;
  const streams: Array<{ at: number; value: RelayStreams }> = [];
  const events: EventResult[] = [];
  const states = new Map<string, SiteState>();
  const proxies = new Map<string, UdpLinkProxy>();
  const displays = new Map<string, RecordedDisplay>();
  const rnLog = recordingLogger();
  const rnLinks: NonNullable<SiteState['link']>[] = [];
  let egressPort = 0;
  let dir = '';
  let counter = 0;

  after(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /** `relais link test --report` from Rouyn-Noranda's box to a `relais link echo` beside the relay, over the emulated link. */
  async function linkTest(): Promise<{ output: string; code: number | null }> {
    const echo = await startLinkEcho(0, '127.0.0.1');
    const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: echo.port, impairment: parseImpairment(TESTED), random: seededRandom(5) });
    await proxy.start();
    const config = join(dir, 'rouyn-noranda.yaml');
    await writeFile(config, JSON.stringify({ event: 'test', site: RN, broker: { url: broker.url } }));
    try {
      // 800 pings: a 1 % loss needs hundreds to be told from 2 %, and the SRT latency advised follows the loss.
      return await runCli(['link', 'test', `127.0.0.1:${proxy.port}`, '--seconds', '8', '--ping-rate', '200', '--report', config], {}, 30_000);
    } finally {
      await proxy.stop();
      await echo.stop();
    }
  }

  async function grant(site: string): Promise<string> {
    counter += 1;
    const id = `rural-${counter}`;
    await client.publishAsync(topic('test', 'control'), JSON.stringify({ id, action: 'grant', site }), { qos: 1 });
    await waitFor(`the answer to grant ${site}`, () => events.some((e) => e.id === id && e.result !== 'info'), 10_000);
    assert.equal(events.find((e) => e.id === id && e.result !== 'info')?.result, 'accepted');
    return id;
  }

  /** Waits until `display` has shown `n` frames of `site` in a row since `from`. */
  async function showing(display: RecordedDisplay, site: string, from: number, n = 15): Promise<void> {
    await waitFor(`${display.site}'s display showing ${site}`, () => {
      const frames = display.since(from);
      let run = 0;
      for (const f of frames) run = f.seen === site ? run + 1 : 0;
      return run >= n;
    }, 20_000, 50);
  }

  const relayLink = (site: string): NonNullable<RelayStreams['streams'][number]['link']> | null => streams.at(-1)?.value.streams.find((s) => s.site === site)?.link ?? null;

  before(async () => {
    broker = await startTestBroker('mosquitto');
    stops.push(() => broker.stop());
    dir = await mkdtemp(join(tmpdir(), 'relais-rural-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));

    client = await mqtt.connectAsync(broker.url, { clientId: 'rural-day-watch' });
    stops.push(() => client.endAsync());
    client.on('message', (t, payload) => {
      const match = matchTopic('test', t);
      if (!match) return;
      if (match.name === 'relayStreams') {
        const d = decode('relayStreams', payload);
        if (d.ok) streams.push({ at: Date.now(), value: d.value });
      } else if (match.name === 'events') {
        const d = decode('events', payload);
        if (d.ok) events.push(d.value);
      } else if (match.name === 'siteState' && match.site) {
        const d = decode('siteState', payload);
        if (d.ok) {
          states.set(match.site, d.value);
          if (match.site === RN && d.value.link) rnLinks.push(d.value.link);
        }
      }
    });
    await client.subscribeAsync(eventFilter('test'), { qos: 1 });

    const conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json'), {}, SITES), log: quietLogger('conductor') });
    await conductor.start();
    stops.push(() => conductor.stop());

    const block = await freeUdpBlock(SITES.length + SITES.length * SITES.length);
    egressPort = block + SITES.length;
    const plan = { sites: SITES, ingestPort: block, egressPort };
    const srt = parseRelayConfig({ secret: SECRET, srt: { ...plan, latencyMs: LATENCY_MS, expectedKbps: 450, statsEveryMs: 1000 } }).srt;
    const relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, dataDir: join(dir, 'relay'), log: quietLogger('relay'), pollMs: 500, srt });
    await relay.start();
    stops.push(() => relay.stop());
    // The relay's statistics on the broker, as `relais relay` publishes them.
    const relayClient = await mqtt.connectAsync(broker.url, { clientId: 'rural-day-relay' });
    stops.push(() => relayClient.endAsync());
    const publisher = new TopicPublisher(relayClient, 'test', quietLogger('relay'));
    const report = (): void => void publisher.publish('relayStreams', {}, relay.snapshot());
    relay.on('streams', report);
    stops.push(() => relay.off('streams', report));

    for (const [i, site] of SITES.entries()) {
      const proxy = new UdpLinkProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: srtIngestPort(plan, site), impairment: parseImpairment(RURAL), random: seededRandom(17 + i) });
      await proxy.start();
      stops.push(() => proxy.stop());
      proxies.set(site, proxy);
    }
    await waitFor('the relay listening for every feed and display', () => SITES.every((s) => udpBound(srtIngestPort(plan, s))) && SITES.every((f) => SITES.every((v) => f === v || udpBound(srtEgressPort(plan, f, v)))), 20_000, 100);

    for (const site of SITES) {
      const encoder = new EncoderFeature({
        encoder: 'libx264', size: '320x180', fps: 15, bitrateKbps: 400, audioBitrateKbps: 48, keyframeSeconds: 1, x264Preset: 'ultrafast', reportIntervalMs: 1000,
        input: { kind: 'test-pattern', pattern: 'color', color: HEX[site] },
        output: { kind: 'srt', url: `srt://127.0.0.1:${proxies.get(site)!.port}`, latencyMs: LATENCY_MS, uplink: 'srt-live-transmit' },
        adaptiveBitrate: { floorKbps: 150, ceilingKbps: 400 },
      });
      const display = new RecordedDisplay(site, egressPort);
      displays.set(site, display);
      const runtime = new ApplianceRuntime({ config: siteConfig(broker.url, site), driver: new SimulatedDriver(), features: [encoder, display, new LinkTestFeature()], log: site === RN ? rnLog : quietLogger(site) });
      await runtime.start();
      stops.push(() => runtime.stop());
    }
    await waitFor('every feed live at the relay', () => SITES.every((s) => streams.at(-1)?.value.streams.some((x) => x.site === s && x.status === 'live')), 40_000, 100);
  });

  it('plays the site on air everywhere, shows and survives a bad link, warns, adapts, and hands off without a black frame', async () => {
    const started = Date.now();
    await grant(SC);
    const scOnAir = Date.now();
    await Promise.all([showing(displays.get(RN)!, SC, scOnAir), showing(displays.get(RDL)!, SC, scOnAir)]);

    // The technician's pre-flight test runs meanwhile (its own emulated link, the same settings).
    const tested = linkTest();
    // Rouyn-Noranda's link turns bad for 20 s.
    const badAt = Date.now();
    proxies.get(RN)!.set(parseImpairment(BAD));
    await waitFor('the relay showing the loss of the bad link', () => streams.some((s) => s.at > badAt && (s.value.streams.find((x) => x.site === RN)?.link?.lossPercent ?? 0) >= 4), 10_000, 50);
    const shownMs = streams.find((s) => s.at > badAt && (s.value.streams.find((x) => x.site === RN)?.link?.lossPercent ?? 0) >= 4)!.at - badAt;
    assert.ok(shownMs <= 5000, `the bad link showed after ${shownMs} ms`);

    // A grant to the bad site while the relay calls its feed unwatchable: applied, then the warning.
    await waitFor('the relay calling the bad feed unwatchable', () => ['unwatchable', 'down'].includes(relayLink(RN)?.verdict ?? ''), 15_000, 50);
    const rnGrant = await grant(RN);
    await waitFor('the warning after the grant', () => events.some((e) => e.id === rnGrant && e.result === 'info'), 5000);
    const warning = events.find((e) => e.id === rnGrant && e.result === 'info')!;
    assert.match(warning.reason ?? '', /^warning: rouyn-noranda is on air but its feed (is unwatchable|is down|dropped)/);
    const rnOnAir = Date.now();
    await Promise.all([showing(displays.get(SC)!, RN, rnOnAir, 5), showing(displays.get(RDL)!, RN, rnOnAir, 5)]);

    const steps = (): number[] => rnLog.lines.filter((l) => l.includes('bitrate follows the link')).map((l) => Number(/"kbps":(\d+)/.exec(l)?.[1]));
    await waitFor('the bad site stepping its bitrate down', () => steps().some((k) => k < 400), 20_000, 100);
    await waitFor('20 s of bad link', () => Date.now() - badAt >= 20_000, 25_000, 100);
    proxies.get(RN)!.set(parseImpairment(RURAL));
    const goodAt = Date.now();
    const lowest = Math.min(...steps());
    await waitFor('the bitrate stepping back up on the good link', () => steps().at(-1)! > lowest, 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}; steps ${steps().join(' ')}; sender ${rnLinks.slice(-20).map((l) => `${l.verdict}/${l.lossPercent}/${l.dropped}/${l.bandwidthKbps}`).join(' ')}`);
    });
    const upMs = Date.now() - goodAt;

    // A hand-off back to Saint-Camille: Rivière-du-Loup's display goes from green to red, with nothing black between.
    const handoffAt = Date.now();
    await grant(SC);
    await showing(displays.get(RDL)!, SC, handoffAt);
    await showing(displays.get(RN)!, SC, handoffAt);
    const across = displays.get(RDL)!.since(handoffAt - 2000);
    const firstRed = across.findIndex((f) => f.seen === SC);
    assert.ok(across.slice(0, firstRed).every((f) => f.seen === RN), `before the hand-off: ${across.slice(0, firstRed).map((f) => f.seen).join(' ')}`);
    assert.ok(across.slice(firstRed).every((f) => f.seen === SC), `after the hand-off: ${across.slice(firstRed).map((f) => f.seen).join(' ')}`);

    // The link test: its figures in Rouyn-Noranda's state, the RTT, the capacity, and the SRT latency and bitrate it
    // recommends, within 20 % of what the emulator's settings call for.
    const run = await tested;
    assert.equal(run.code, 0, run.output);
    await waitFor("the link test in Rouyn-Noranda's state", () => states.get(RN)?.linkTest !== undefined, 10_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${run.output} ${rnLog.lines.filter((l) => /link.test|bad|refus/i.test(l)).join('\n')}`);
    });
    const measured = states.get(RN)!.linkTest!;
    const truth = recommend({ pings: 1, rttMs: { min: 80, p50: 80, p95: 80, max: 80 }, roundTripLossPercent: 2, lossPercent: TESTED.lossPercent!, throughputKbps: TESTED.rateKbps!, trains: 1 });
    const within = (value: number, target: number, what: string): void => assert.ok(Math.abs(value - target) <= 0.2 * target, `${what}: ${value} vs ${target} (${run.output})`);
    within(measured.rttMs!.p50, 80, 'RTT');
    within(measured.throughputKbps!, TESTED.rateKbps!, 'capacity');
    within(measured.recommended.bitrateKbps, truth.bitrateKbps, 'recommended bitrate');
    within(measured.recommended.latencyMs, truth.latencyMs, 'recommended SRT latency');
    process.stdout.write(`      link test: RTT p50 ${measured.rttMs!.p50} ms p95 ${measured.rttMs!.p95} ms, loss ${measured.lossPercent} %, capacity ${measured.throughputKbps} kbit/s; recommends ${measured.recommended.latencyMs} ms / ${measured.recommended.bitrateKbps} kbit/s (settings call for ${truth.latencyMs} ms / ${truth.bitrateKbps} kbit/s)\n`);

    // The whole day: no display ever showed a black frame, and none stopped for long.
    for (const display of displays.values()) {
      const frames = display.since(scOnAir);
      assert.equal(frames.filter((f) => f.seen === 'black').length, 0, `${display.site}: a black frame`);
      let longest = 0;
      for (let i = 1; i < frames.length; i += 1) longest = Math.max(longest, frames[i]!.at - frames[i - 1]!.at);
      process.stdout.write(`      ${display.site}: ${frames.length} frames, longest gap ${longest} ms, ${frames.filter((f) => f.seen === 'other').length} broken\n`);
      // 15 fps: a gap of 3 s would be a display that stopped (an encoder replaced at a new bitrate pauses its feed for under a second).
      assert.ok(longest < 3000, `${display.site}: the picture stopped for ${longest} ms`);
    }
    process.stdout.write(`      bad link shown after ${shownMs} ms; bitrate steps ${steps().join(' -> ')} kbit/s (up ${upMs} ms after the link came back); day ${Date.now() - started} ms\n`);
  });
});
