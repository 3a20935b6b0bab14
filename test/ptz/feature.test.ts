/** The PTZ feature with a plain EventEmitter as the bus, a fake context and simulated cameras on UDP and TCP. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { FeatureBus, type ApplianceEvents, type FeatureContext, type SiteRole, type SubscribeOptions, type TopicHandler, type TopicParams } from '../../src/appliance/feature.js';
import { TopicRouter } from '../../src/appliance/topic-router.js';
import type { Floor } from '../../src/protocol/schemas.js';
import type { SiteParts } from '../../src/protocol/site-state.js';
import { encode, topic, topicBase, topicOf, type PayloadOf, type TopicName } from '../../src/protocol/topics.js';
import { ptzResult, type PtzResult } from '../../src/protocol/ptz.js';
import type { CameraStatus } from '../../src/ptz/camera.js';
import { parsePtzConfig } from '../../src/ptz/config.js';
import { PtzFeature } from '../../src/ptz/feature.js';
import type { Logger } from '../../src/util/log.js';
import { TcpSim, UdpSim } from '../../src/sim/servers.js';
import { nextEvent } from './rig.js';
import { waitFor } from '../helpers/wait.js';
import { setLang } from '../../src/i18n/index.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

interface ContextEvents {
  report: [cameras: CameraStatus[]];
  publish: [suffix: string, payload: string];
}

class FakeContext extends EventEmitter<ContextEvents> implements FeatureContext {
  readonly event = 'demo';
  readonly site = 'saint-camille';
  readonly log = quiet;
  /** The emitter behind the feature's read-only bus. */
  readonly emitter = new EventEmitter<ApplianceEvents>();
  readonly bus = new FeatureBus(this.emitter);
  currentRole: SiteRole = 'idle';
  readonly bad: Array<{ topic: string; reason: string }> = [];
  /** The box's own router: commands are decoded and validated as on a real box. */
  private readonly router = new TopicRouter(this.event, quiet, (t, reason) => this.bad.push({ topic: t, reason }));
  floor(): Floor | null {
    return null;
  }
  role(): SiteRole {
    return this.currentRole;
  }
  linkUp(): boolean {
    return true;
  }
  reportState<K extends keyof SiteParts>(key: K, value: SiteParts[K]): void {
    if (key === 'cameras') this.emit('report', value as CameraStatus[]);
  }
  async subscribe<T extends TopicName>(name: T, params: TopicParams, handler: TopicHandler<T>, options?: SubscribeOptions): Promise<void> {
    this.router.add('ptz', name, params, handler, options);
  }
  async publish<T extends TopicName>(name: T, params: TopicParams, payload: PayloadOf<T>): Promise<void> {
    this.emit('publish', topicOf(this.event, name, params.site).slice(topicBase(this.event).length), encode(name, payload));
  }
  /** Delivers an MQTT message to the feature's command subscription. */
  deliver(payload: string): void {
    this.router.route(topic(this.event, 'ptzCommand', this.site), Buffer.from(payload));
  }
  /** Changes the role as the runtime would. */
  becomes(role: SiteRole): void {
    this.currentRole = role;
    const floor: Floor = { epoch: 1, onAir: role === 'on-air' ? this.site : null, next: null, queue: [], since: null, item: null, plannedEnd: null, nextItem: null, conductor: 'test', updatedAt: new Date().toISOString() };
    this.emitter.emit('role', role, floor);
  }
}

const nextReport = (ctx: FakeContext, accept: (list: CameraStatus[]) => boolean): Promise<[CameraStatus[]]> => nextEvent<[CameraStatus[]]>(ctx, 'report', accept);
const cam = (list: CameraStatus[], name: string): CameraStatus => list.find((c) => c.name === name)!;

describe('PTZ feature', () => {
  // The camera's words checked here are the English ones; French is checked in test/ptz/cli.test.ts.
  before(() => setLang('en'));
  after(() => setLang('fr'));
  let udp: UdpSim;
  let tcp: TcpSim;
  let ctx: FakeContext;
  let feature: PtzFeature;
  let feed: EventEmitter<{ change: [camera: string, tally: { program: boolean } | null] }>;

  beforeEach(async () => {
    udp = new UdpSim(0, '127.0.0.1', { msPerUnit: 0.02, presets: { 1: { pan: -300, tilt: 0, zoom: 0 }, 2: { pan: 400, tilt: 120, zoom: 2000 } } });
    tcp = new TcpSim(0, '127.0.0.1', { msPerUnit: 0.02, presets: { 3: { pan: 50, tilt: 50, zoom: 50 } } });
    await Promise.all([udp.start(), tcp.start()]);
    const cameras = parsePtzConfig([
      {
        name: 'podium-cam',
        transport: { type: 'visca-ip', host: '127.0.0.1', port: udp.address.port },
        presets: { wide: 1, podium: 2 },
        tally: true,
        bindings: { 'on-air': 'podium', idle: 'wide' },
        ackTimeoutMs: 300,
      },
      { name: 'room-cam', transport: { type: 'tcp', host: '127.0.0.1', port: tcp.address.port }, bindings: { next: 3 }, ackTimeoutMs: 300 },
    ]);
    ctx = new FakeContext();
    feed = new EventEmitter();
    feature = new PtzFeature({ cameras, programFeeds: [feed] });
    const online = nextReport(ctx, (list) => list.length === 2 && list.every((c) => c.online));
    await feature.start(ctx);
    await online;
  });
  afterEach(async () => {
    await feature?.stop();
    await Promise.all([udp?.stop(), tcp?.stop()]);
  });

  it('a camera the switcher tally knows lights only on air and on the local program; unknown tally is off', async () => {
    feed.emit('change', 'podium-cam', { program: false });
    const onAirNotProgram = nextReport(ctx, (list) => cam(list, 'podium-cam').preset === 2);
    ctx.becomes('on-air');
    await onAirNotProgram;
    assert.equal(udp.camera.tally, false, 'on air, but the switcher has another camera on program');
    const lit = nextReport(ctx, (list) => cam(list, 'podium-cam').tally === true);
    feed.emit('change', 'podium-cam', { program: true });
    await lit;
    assert.equal(udp.camera.tally, true);
    const dark = nextReport(ctx, (list) => cam(list, 'podium-cam').tally === false);
    feed.emit('change', 'podium-cam', null);
    await dark;
    assert.equal(udp.camera.tally, false, 'tally unknown: never a stale red');
  });

  it('recalls the bound preset and lights the camera tally when the site goes on air', async () => {
    const moved = nextReport(ctx, (list) => cam(list, 'podium-cam').preset === 2 && cam(list, 'podium-cam').tally === true);
    ctx.becomes('on-air');
    await moved;
    assert.deepEqual(udp.camera.position(), { pan: 400, tilt: 120, zoom: 2000 });
    assert.equal(udp.camera.tally, true);
    assert.equal(tcp.camera.handled, 0, 'room-cam has no on-air binding and no tally: untouched');

    const back = nextReport(ctx, (list) => cam(list, 'podium-cam').preset === 1 && cam(list, 'podium-cam').tally === false);
    ctx.becomes('idle');
    await back;
    assert.deepEqual(udp.camera.position(), { pan: -300, tilt: 0, zoom: 0 });
    assert.equal(udp.camera.tally, false);
  });

  it('recalls a preset bound to "next" on another camera', async () => {
    const moved = nextReport(ctx, (list) => cam(list, 'room-cam').preset === 3);
    ctx.becomes('next');
    await moved;
    assert.deepEqual(tcp.camera.position(), { pan: 50, tilt: 50, zoom: 50 });
  });

  it('recalls the preset a podium button gesture names', async () => {
    const moved = nextReport(ctx, (list) => cam(list, 'room-cam').preset === 3);
    ctx.emitter.emit('preset', 'room-cam', 3);
    await moved;
    assert.deepEqual(tcp.camera.position(), { pan: 50, tilt: 50, zoom: 50 });
  });

  it('runs dashboard commands and publishes results', async () => {
    const result = (id: string): Promise<PtzResult> =>
      nextEvent<[string, string]>(ctx, 'publish', (suffix, payload) => suffix === 'site/saint-camille/ptz/result' && JSON.parse(payload).id === id).then(([, p]) => ptzResult.parse(JSON.parse(p)));
    let done = result('a1');
    ctx.deliver(JSON.stringify({ id: 'a1', camera: 'podium-cam', op: 'recall', preset: 'podium' }));
    assert.equal((await done).ok, true);
    done = result('a2');
    ctx.deliver(JSON.stringify({ id: 'a2', camera: 'podium-cam', op: 'inquire', what: 'position' }));
    assert.deepEqual((await done).value, { pan: 400, tilt: 120 });
    done = result('a3');
    const timedStop = nextEvent(tcp.camera, 'command', (body: Uint8Array) => body[1] === 0x06 && body[5] === 0x03 && body[6] === 0x03);
    ctx.deliver(JSON.stringify({ id: 'a3', camera: 'room-cam', op: 'drive', direction: 'left', panSpeed: 24, forMs: 30 }));
    assert.equal((await done).ok, true);
    await timedStop; // sent by the feature 30 ms after the drive
    done = result('a4');
    ctx.deliver(JSON.stringify({ id: 'a4', camera: 'room-cam', op: 'recall', preset: 77 }));
    const failed = await done;
    assert.equal(failed.ok, false);
    assert.match(failed.error!, /preset recall 77: camera replied "command not executable"/);
    done = result('a5');
    ctx.deliver(JSON.stringify({ id: 'a5', camera: 'balcony', op: 'home' }));
    assert.equal((await done).error, 'no camera named "balcony" at site saint-camille (cameras: podium-cam, room-cam)');
    // A far preset move, cancelled on its way: the result lists what the camera stopped.
    udp.camera.presets.set(9, { pan: 0x7000, tilt: 0, zoom: 0 });
    const moving = result('a6');
    ctx.deliver(JSON.stringify({ id: 'a6', camera: 'podium-cam', op: 'recall', preset: 9 }));
    await nextEvent(udp.camera, 'command');
    // An inquiry answered after the recall was sent: the recall's acknowledgement came before it.
    const probe = result('a6-probe');
    ctx.deliver(JSON.stringify({ id: 'a6-probe', camera: 'podium-cam', op: 'inquire', what: 'power' }));
    assert.equal((await probe).ok, true);
    done = result('a7');
    ctx.deliver(JSON.stringify({ id: 'a7', camera: 'podium-cam', op: 'cancel' }));
    assert.deepEqual((await done).value, ['preset recall 9']);
    const stopped = await moving;
    assert.equal(stopped.ok, false);
    assert.match(stopped.error!, /preset recall 9: camera replied "command cancelled"/);
  });

  it('counts bad payloads and never crashes on them', async () => {
    ctx.deliver('not json');
    ctx.deliver(JSON.stringify({ id: 'b1', camera: 'podium-cam', op: 'dance' }));
    ctx.deliver(JSON.stringify({ id: 'b2', camera: 'podium-cam', op: 'recall', preset: 500 }));
    ctx.deliver(JSON.stringify({ id: 'b3', camera: 'podium-cam', op: 'drive', direction: 'left', forMs: 999999 }));
    assert.deepEqual(
      ctx.bad.map((b) => b.reason),
      [
        'not JSON',
        'op: must be "recall", "store", "drive", "stop", "cancel", "zoom", "zoom-to", "absolute", "home", "power", "tally" or "inquire"',
        'preset: must be at most 127',
        'forMs: must be at most 10000',
      ],
    );
    assert.ok(ctx.bad.every((b) => b.topic === 'relais/v1/demo/site/saint-camille/ptz/command'));
    assert.equal(udp.camera.handled, 0);
  });

  it('answers a malformed command that has an id with a failed result and the reason, so a dashboard is not left waiting', async () => {
    const answers: PtzResult[] = [];
    ctx.on('publish', (suffix, payload) => suffix === 'site/saint-camille/ptz/result' && answers.push(ptzResult.parse(JSON.parse(payload))));
    ctx.deliver(JSON.stringify({ id: 'm1', camera: 'podium-cam', op: 'recall', preset: 500 }));
    ctx.deliver('not json at all');
    ctx.deliver(JSON.stringify({ camera: 'podium-cam', op: 'dance' }));
    ctx.deliver(JSON.stringify({ id: 'm2', camera: 'podium-cam', op: 'stop' }));
    await waitFor('the answer to the valid command after them', () => answers.some((a) => a.id === 'm2'));
    // Only m1 had an id to answer; the two without one are counted, not answered.
    assert.deepEqual(answers.map((a) => [a.id, a.op, a.ok]), [['m1', 'recall', false], ['m2', 'stop', true]]);
    assert.equal(answers[0]!.camera, 'podium-cam');
    assert.match(answers[0]!.error!, /^invalid PTZ command: preset: must be at most 127$/);
    assert.equal(ctx.bad.length, 3);
  });

  it('reports each camera with its configured presets, by number and name', async () => {
    const statuses = feature.statuses();
    assert.deepEqual(statuses.find((c) => c.name === 'podium-cam')!.presets, [{ number: 1, name: 'wide' }, { number: 2, name: 'podium' }]);
  });

  it('stops listening to the bus and closes its links on stop', async () => {
    await feature.stop();
    assert.equal(ctx.emitter.listenerCount('role'), 0);
    assert.deepEqual(feature.statuses().map((s) => s.online), [false, false]);
  });

  it('reports a camera that cannot be reached, and brings it online when it appears', async () => {
    const probe = new TcpSim(0, '127.0.0.1');
    await probe.start();
    const port = probe.address.port;
    await probe.stop(); // the port is free again: nothing listens there now
    const lateCtx = new FakeContext();
    const late = new PtzFeature({ cameras: parsePtzConfig([{ name: 'late-cam', transport: { type: 'tcp', host: '127.0.0.1', port } }]), reopenMs: 50 });
    const failing = nextReport(lateCtx, (list) => /cannot connect to 127\.0\.0\.1:\d+ \(VISCA over TCP\)/.test(list[0]?.lastError ?? ''));
    await late.start(lateCtx);
    let sim: TcpSim | null = null;
    try {
      assert.equal((await failing)[0][0]!.online, false);
      const online = nextReport(lateCtx, (list) => list[0]!.online);
      sim = new TcpSim(port, '127.0.0.1');
      await sim.start();
      await online;
    } finally {
      await late.stop();
      await sim?.stop();
    }
  });
});
