import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '../../src/broker/embedded.js';
import { startDemo, type RunningDemo } from '../../src/demo/demo.js';
import { cameraDemoExtension } from '../../src/demo/camera-extension.js';
import { tallyDemoExtension } from '../../src/demo/tally-extension.js';
import { freePort } from '../helpers/brokers.js';
import { freeUdpBlock } from '../media/helpers.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

describe('the demo (in-process, with its simulated cameras)', function () {
  this.timeout(30_000);
  let demo: RunningDemo;

  before(async () => {
    demo = await startDemo({ host: '127.0.0.1', mqttPort: await freePort(), wsPort: await freePort(), interactive: false, extensions: [cameraDemoExtension()], log: quietLogger('demo') });
    await waitFor('three boxes linked', () => [...demo.boxes.values()].every((b) => b.runtime.linkUp), 10_000);
  });
  after(async () => demo?.stop());

  const camera = (site: string): { online: boolean; preset: number | null } => {
    const cameras = demo.boxes.get(site)!.runtime.siteState().cameras as Array<{ online: boolean; preset: number | null }>;
    return cameras[0]!;
  };

  it('moves a site\'s camera to its podium preset when the floor reaches it, and back to wide after', async () => {
    await waitFor('cameras online', () => ['saint-camille', 'riviere-du-loup'].every((s) => camera(s).online), 10_000);
    const op = await mqtt.connectAsync(demo.brokerUrl);
    try {
      await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'd1', action: 'grant', site: 'riviere-du-loup' }), { qos: 1 });
      await waitFor('riviere-du-loup camera on the podium preset', () => camera('riviere-du-loup').preset === 2, 10_000);
      await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'd2', action: 'grant', site: 'saint-camille' }), { qos: 1 });
      await waitFor('saint-camille camera on the podium preset', () => camera('saint-camille').preset === 2, 10_000);
      await waitFor('riviere-du-loup camera back to wide', () => camera('riviere-du-loup').preset === 1, 10_000);
      assert.equal(demo.boxes.get('saint-camille')!.driver.output('onAir').level, true);
    } finally {
      await op.endAsync();
    }
  });
});

describe('the demo with its switchers (an ATEM, an OBS emulator, GPI contacts: one per site)', function () {
  this.timeout(30_000);
  let demo: RunningDemo;

  before(async () => {
    demo = await startDemo({ host: '127.0.0.1', mqttPort: await freePort(), wsPort: await freePort(), interactive: false, extensions: [tallyDemoExtension(300)], log: quietLogger('demo-tally') });
  });
  after(async () => demo?.stop());

  type Tally = { cameras?: Record<string, { program: boolean; preview: boolean }>; source?: { kind: string; connected: boolean } };
  const tally = (site: string): Tally => demo.boxes.get(site)!.runtime.siteState().tally as Tally;

  it('each site state shows camera 1 / camera 2 trading program and preview; the network switchers connected', async () => {
    const kinds: Record<string, string> = {};
    for (const site of demo.boxes.keys()) {
      if (site !== 'riviere-du-loup') {
        await waitFor(`${site}: switcher connected`, () => tally(site).source?.connected === true, 10_000);
        kinds[site] = tally(site).source!.kind;
      }
      await waitFor(`${site}: camera 1 on program`, () => tally(site).cameras?.cam1?.program === true && tally(site).cameras?.cam2?.preview === true, 10_000);
      await waitFor(`${site}: the cut puts camera 2 on program`, () => tally(site).cameras?.cam2?.program === true && tally(site).cameras?.cam1?.preview === true, 10_000);
    }
    assert.deepEqual(kinds, { 'saint-camille': 'atem', 'rouyn-noranda': 'obs' });
    // The third box reads contacts on its own driver: the same inputs a Pi's optocouplers close.
    const contacts = demo.boxes.get('riviere-du-loup')!.driver;
    assert.equal(tally('riviere-du-loup').source, undefined, 'no network source at the GPI site');
    const program = contacts.input('cam2Program').read();
    await waitFor('the contacts cut again', () => contacts.input('cam2Program').read() !== program, 5000);
    assert.notEqual(contacts.input('cam1Program').read(), contacts.input('cam2Program').read(), 'one camera on program at a time');
  });

  it('the c key cuts every switcher at once', async () => {
    const contacts = demo.boxes.get('riviere-du-loup')!.driver.input('cam1Program');
    const before = contacts.read();
    demo.keys.get('c')!();
    assert.notEqual(contacts.read(), before, 'the GPI contacts follow the key at once');
  });
});

describe('the demo with its room feeds over SRT (real ffmpeg, srt-live-transmit and node-media-server)', function () {
  this.timeout(60_000);
  let demo: RunningDemo;
  let watcher: mqtt.MqttClient;
  let streams: { streams: Array<{ site: string; status: string; link?: { verdict: string; rttMs: number; receivedKbps: number } }> } | null = null;

  before(async () => {
    const { mediaDemoExtension } = await import('../../src/demo/media-extension.js');
    const extension = mediaDemoExtension({ rtmpPort: await freePort(), httpPort: await freePort(), srtPort: await freeUdpBlock(12) });
    demo = await startDemo({ host: '127.0.0.1', mqttPort: await freePort(), wsPort: await freePort(), interactive: false, extensions: [extension], log: quietLogger('demo-media') });
    watcher = await mqtt.connectAsync(demo.brokerUrl);
    watcher.on('message', (_t, p) => (streams = JSON.parse(p.toString()) as typeof streams));
    await watcher.subscribeAsync('relais/v1/demo/relay/streams', { qos: 1 });
  });
  after(async () => {
    await watcher?.endAsync();
    await demo?.stop();
  });

  type DisplayState = { mode?: string; playing: string | null; slate: string | null; feeds?: string[]; ready?: string[] };
  const state = (site: string): { encoder: { state: string } | null; display?: DisplayState } =>
    demo.boxes.get(site)!.runtime.siteState() as never;

  it('says on its screen that the feeds go over SRT', () => {
    assert.ok(demo.lines.some((l) => /^flux des salles : SRT/.test(l)), demo.lines.join(' | '));
  });

  it('brings three feeds through the SRT hub with link statistics, and the switching displays follow the floor', async () => {
    const measured = (): number => streams?.streams.filter((s) => s.status === 'live' && s.link && s.link.verdict !== 'down' && s.link.receivedKbps > 0).length ?? 0;
    await waitFor('three live feeds with SRT statistics on relay/streams', () => measured() === 3, 40_000);
    await waitFor('every box reports its encoder live', () => [...demo.boxes.keys()].every((site) => state(site).encoder?.state === 'live'), 15_000);
    for (const site of demo.boxes.keys()) {
      const display = state(site).display;
      assert.equal(display?.mode, 'switcher', `${site} runs the switcher`);
      assert.ok(!display?.feeds?.includes(site), `${site} does not decode its own feed`);
    }
    const op = await mqtt.connectAsync(demo.brokerUrl);
    try {
      await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'm1', action: 'grant', site: 'rouyn-noranda' }), { qos: 1 });
      const shows = (site: string): boolean => state(site).display?.playing === 'rouyn-noranda' && (state(site).display?.ready ?? []).includes('rouyn-noranda');
      await waitFor('the other displays show rouyn-noranda, decoded and moving', () => shows('saint-camille') && shows('riviere-du-loup'), 20_000);
      assert.equal(state('rouyn-noranda').display?.playing, null, 'a site never plays its own feed');
      await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'm2', action: 'revoke' }), { qos: 1 });
      await waitFor('back to the slate', () => state('saint-camille').display?.playing === null, 10_000);
    } finally {
      await op.endAsync();
    }
  });
});

describe('the demo without srt-live-transmit', () => {
  it('falls back to RTMP and says, in French, the one line that installs SRT', async () => {
    const { chooseDemoFeeds, mediaDemoExtension } = await import('../../src/demo/media-extension.js');
    const missing = '/nonexistent/srt-live-transmit';
    const choice = chooseDemoFeeds('srt', missing);
    assert.equal(choice.feeds, 'rtmp');
    assert.match(choice.warning ?? '', /^ATTENTION : srt-live-transmit est absent.*sudo apt-get install -y srt-tools$/);
    assert.deepEqual(chooseDemoFeeds('rtmp', missing), { feeds: 'rtmp', warning: null }, 'RTMP asked for: nothing to warn about');
    // The relay alone (no boxes): the screen's lines carry the warning and the RTMP ingest.
    const extension = mediaDemoExtension({ rtmpPort: await freePort(), httpPort: await freePort(), srtTransmit: missing });
    const warnings: string[] = [];
    const quiet = quietLogger('demo-fallback');
    const log = { ...quiet, child: (scope: string) => quiet.child(scope), warn: (m: string) => void warnings.push(m) };
    const broker = await startEmbeddedBroker({ tcpPort: await freePort(), wsPort: null, log: quietLogger('broker') });
    const started = await extension.start({ event: 'demo', title: 'Démo', sites: [], host: '127.0.0.1', brokerUrl: broker.url, wsUrl: null, logins: {} as never, log }).catch(async (err: unknown) => {
      await broker.close();
      throw err;
    });
    try {
      assert.equal(started?.lines[0], choice.warning);
      assert.match(started?.lines[1] ?? '', /^flux des salles : RTMP rtmp:\/\/127\.0\.0\.1:\d+\/live/);
      assert.deepEqual(warnings, [choice.warning], 'the log says it too');
    } finally {
      await started?.stop();
      await broker.close();
    }
  });
});
