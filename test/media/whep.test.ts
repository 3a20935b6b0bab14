/**
 * WebRTC previews (WHEP) from the relay, against real parts: a supervised
 * test-pattern feed published to the real relay (node-media-server), the
 * WHEP endpoint taking it from the relay's HTTP-FLV, and headless Chromium
 * playing it through its own WebRTC stack (ICE, DTLS, SRTP, H.264) from a
 * page of another origin, on loopback only. Bad requests get clear errors
 * and leave nothing open; a DELETE ends the session and, after the last
 * viewer, the site's ffmpeg.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseEncoderConfig } from '../../src/media/config.js';
import { createFeed } from '../../src/media/feed.js';
import { Relay, type StreamsSnapshot } from '../../src/media/relay.js';
import type { EncoderSupervisor } from '../../src/media/supervisor.js';
import { WhepServer } from '../../src/media/whep.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../dashboard/harness.js';
import { waitFor } from '../helpers/wait.js';
import { freePort, quietLogger, SECRET, waitForEvent } from './helpers.js';

/** What the page saw: frames decoded, the picture's size, the first frame's time after the POST. */
interface Played {
  status: number;
  location: string | null;
  frames: number;
  width: number;
  height: number;
  firstFrameMs: number;
  state: string;
}

/** The page's WHEP client: a receive-only offer, POSTed whole (no trickle), 45 frames counted. */
function play(page: Page, url: string): Promise<Played> {
  return page.evaluate(async (endpoint) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    pc.ontrack = (e) => (video.srcObject = e.streams[0] ?? new MediaStream([e.track]));
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      setTimeout(resolve, 2000);
    });
    const posted = performance.now();
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    if (res.status !== 201) return { status: res.status, location: null, frames: 0, width: 0, height: 0, firstFrameMs: 0, state: pc.connectionState };
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    let frames = 0;
    let first = 0;
    // One decoded frame at a time (no named function in here: the test's compiler would wrap it).
    while (frames < 45 && performance.now() - posted < 15_000) {
      const shown = await new Promise<boolean>((resolve) => {
        video.requestVideoFrameCallback(() => resolve(true));
        setTimeout(() => resolve(false), 3000);
      });
      if (!shown) continue;
      frames += 1;
      if (!first) first = performance.now() - posted;
    }
    return { status: 201, location: res.headers.get('location'), frames, width: video.videoWidth, height: video.videoHeight, firstFrameMs: first, state: pc.connectionState };
  }, url);
}

describe('WebRTC previews (WHEP) from the relay, in Chromium', function () {
  this.timeout(60_000);
  let relay: Relay;
  let whep: WhepServer;
  let feed: EncoderSupervisor | null = null;
  let browser: Browser;
  let page: Page;
  let live = new Set<string>();
  let origin: Server | null = null;

  before(async () => {
    relay = new Relay({ bind: '127.0.0.1', rtmpPort: await freePort(), httpPort: await freePort(), secret: SECRET, log: quietLogger('relay'), pollMs: 100 });
    relay.on('streams', (s: StreamsSnapshot) => (live = new Set(s.streams.filter((x) => x.status === 'live').map((x) => x.site))));
    await relay.start();
    whep = new WhepServer({ bind: '127.0.0.1', port: await freePort(), sourceOf: (site) => relay.playUrl(site), isLive: (site) => live.has(site), iceHosts: ['127.0.0.1'], log: quietLogger('whep') });
    await whep.start();
    const config = parseEncoderConfig({ size: '320x180', fps: 15, bitrateKbps: 400, x264Preset: 'ultrafast', keyframeSeconds: 1, input: { kind: 'test-pattern' }, output: { kind: 'rtmp', url: relay.rtmpUrl, secret: SECRET } });
    const published = waitForEvent<[StreamsSnapshot]>(relay, 'streams', (s) => s.streams.some((x) => x.site === 'riviere-du-loup' && x.status === 'live'), 15_000, 'the feed live on the relay');
    feed = createFeed({ config, site: 'riviere-du-loup', encoder: 'libx264', binary: 'ffmpeg', log: quietLogger('feed') });
    await feed.start();
    await published;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection'] });
    page = await browser.newPage();
    // A page of another origin than the endpoint's, as the dashboard's is: the answer needs CORS.
    origin = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>preview</title>'));
    await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
    await page.goto(`http://127.0.0.1:${(origin.address() as AddressInfo).port}/`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    origin?.close();
    await feed?.stop();
    await whep?.stop();
    await relay?.stop();
  });

  it('plays the site’s feed in the browser, and a DELETE ends the session and then the site’s ffmpeg', async () => {
    const played = await play(page, `${whep.url}/whep/riviere-du-loup`);
    process.stdout.write(`      ${played.frames} frames of ${played.width}x${played.height}, the first ${played.firstFrameMs.toFixed(0)} ms after the offer\n`);
    assert.equal(played.status, 201);
    assert.match(played.location ?? '', /^\/whep\/riviere-du-loup\/[0-9a-f-]{36}$/);
    assert.equal(played.state, 'connected');
    assert.ok(played.frames >= 45, `${played.frames} frames decoded`);
    assert.deepEqual([played.width, played.height], [320, 180]);
    assert.deepEqual(whep.viewers(), { 'riviere-du-loup': 1 });

    const del = await fetch(`${whep.url}${played.location}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(whep.viewers(), {});
    const again = await fetch(`${whep.url}${played.location}`, { method: 'DELETE' });
    assert.equal(again.status, 404, 'a session ended once');
    const egress = (whep as unknown as { egress: Map<string, unknown> }).egress;
    await waitFor('the site’s ffmpeg stopped after its last viewer', () => egress.size === 0, 10_000);
  });

  it('answers bad requests with a clear status and opens nothing', async () => {
    const post = (path: string, body: string, type = 'application/sdp'): Promise<Response> => fetch(`${whep.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const cases: Array<[string, Promise<Response>, number, RegExp]> = [
      ['not SDP', post('/whep/riviere-du-loup', 'hello'), 400, /not an SDP offer/],
      ['wrong type', post('/whep/riviere-du-loup', 'v=0\r\n', 'text/plain'), 415, /application\/sdp/],
      ['a site with no feed', post('/whep/saint-camille', 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n'), 404, /no feed from saint-camille/],
      ['not a site id', post('/whep/Saint%20Camille', 'v=0\r\n'), 404, /not a site id/],
      ['too long', post('/whep/riviere-du-loup', 'v=0\r\n' + 'a'.repeat(70_000)), 413, /more than 65536 bytes/],
      ['elsewhere', post('/elsewhere', ''), 404, /POST \/whep\/<site>/],
    ];
    for (const [what, pending, status, message] of cases) {
      const res = await pending;
      assert.equal(res.status, status, what);
      assert.match(await res.text(), message, what);
      assert.equal(res.headers.get('access-control-allow-origin'), '*', `${what}: readable by the dashboard's page`);
    }
    assert.deepEqual(whep.viewers(), {});
  });
});
