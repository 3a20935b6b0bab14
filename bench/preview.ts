/**
 * The dashboard's preview, glass to glass: WebRTC (the relay's WHEP) beside
 * HTTP-FLV (mpegts.js, as the dashboard plays it), in one headless Chromium,
 * both from the same feed at the same time:
 *
 *   camera (bench/camera.ts: the wall clock burnt in) -> the box's encoder
 *     -> link (40 ms each way, 1 % loss) -> the relay's SRT hub -> its FLV remux
 *     -> (a) mpegts.js on the relay's HTTP-FLV   (b) WHEP: RTP over WebRTC
 *     -> a <video> each; at every frame shown (requestVideoFrameCallback's
 *        expected display time) the page reads the stamp's band off a canvas.
 *
 * The dashboard is next to the relay here (loopback): what is measured is the
 * preview's own path, behind the feed's way up. GLASS_ROUNDS rounds (2 by
 * default) of GLASS_SECONDS (10) after a 5 s warm-up, a fresh relay each.
 *
 * Run: npx tsx bench/preview.ts   (prints one JSON line per transport)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { setLogLevel } from '../src/util/log.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/dashboard/harness.js';
import { StampCamera } from './camera.js';
import { startBox } from './glass-box.js';
import { BENCH_LINK, recommendedSrtLatency, startNet } from './glass-net.js';
import { judge, readStamp, stampBandHeight, type Shown } from './stamp.js';
import { summary } from './stats.js';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;
const KBPS = 2500;
/** The page's copy of each frame (the picture's shape), and the stamp's band at the top of it. */
const SHOWN_W = 320;
const SHOWN_H = 180;
const BAND_H = stampBandHeight(SHOWN_W);
const SECRET = 'bench-secret-0123456789abcdef';
const WARMUP_MS = 5000;
const MEASURE_MS = Number(process.env.GLASS_SECONDS ?? 10) * 1000;
const ROUNDS = Number(process.env.GLASS_ROUNDS ?? 2);
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
type Kind = 'whep' | 'flv';

/** The page: plain script (no build), mpegts.js from the package, one <video> per preview. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>previews</title><script src="/mpegts.js"></script><script>
window.startPreview = async (kind, url) => {
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true;
  document.body.append(video);
  const canvas = document.createElement('canvas');
  canvas.width = ${SHOWN_W}; canvas.height = ${SHOWN_H};
  const g2d = canvas.getContext('2d', { willReadFrequently: true });
  if (kind === 'flv') {
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url, hasAudio: false }, { enableWorker: false, lazyLoad: false, liveBufferLatencyChasing: true });
    player.attachMediaElement(video); player.load(); video.play().catch(() => {});
  } else {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); video.play().catch(() => {}); };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()); setTimeout(r, 2000); });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (res.status !== 201) throw new Error('WHEP ' + res.status + ': ' + (await res.text()));
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    window.whepStats = async () => {
      const s = [...(await pc.getStats()).values()].find((x) => x.type === 'inbound-rtp');
      return s ? { packetsLost: s.packetsLost, nackCount: s.nackCount, pliCount: s.pliCount, framesDecoded: s.framesDecoded, framesDropped: s.framesDropped, freezeCount: s.freezeCount, totalFreezesDuration: s.totalFreezesDuration, jitterBufferMs: Math.round((1000 * s.jitterBufferDelay) / Math.max(1, s.jitterBufferEmittedCount)) } : null;
    };
  }
  const onFrame = (t, meta) => {
    g2d.drawImage(video, 0, 0, ${SHOWN_W}, ${SHOWN_H});
    const px = g2d.getImageData(0, 0, ${SHOWN_W}, ${BAND_H}).data;
    let bin = '';
    for (let i = 0; i < px.length; i += 4) bin += String.fromCharCode((px[i] * 77 + px[i + 1] * 150 + px[i + 2] * 29) >> 8);
    window.frameShown(kind, performance.timeOrigin + meta.expectedDisplayTime, btoa(bin));
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
};
</script>`;

const mpegtsJs = readFileSync(createRequire(import.meta.url).resolve('mpegts.js/dist/mpegts.js'));

async function round(): Promise<Record<Kind, ReturnType<typeof judge>> & { load: number[]; webrtc: Record<string, number> | null }> {
  const latencyMs = recommendedSrtLatency();
  const net = await startNet({ sites: ['box'], srtLatencyMs: latencyMs, link: BENCH_LINK, secret: SECRET, expectedKbps: KBPS, whep: true });
  const box = startBox({ target: { kind: 'srt', latencyMs }, ports: { srtUp: net.ports.srtUp.box!, rtmpUp: net.ports.rtmpUp }, width: WIDTH, height: HEIGHT, fps: FPS, kbps: KBPS, secret: SECRET });
  const camera = new StampCamera({ width: WIDTH, height: HEIGHT, fps: FPS, now, video: box.video, audio: box.audio });
  camera.start();
  const page = createServer((req, res) => {
    if (req.url === '/mpegts.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(mpegtsJs);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'] });
  const shown: Record<Kind, Shown[]> = { whep: [], flv: [] };
  const load: number[] = [];
  try {
    const tab = await browser.newPage();
    await tab.exposeFunction('frameShown', (kind: Kind, at: number, band: string) => {
      const gray = Buffer.alloc(SHOWN_W * SHOWN_H);
      Buffer.from(band, 'base64').copy(gray);
      shown[kind].push({ at, stamp: readStamp(gray, SHOWN_W, SHOWN_H, WIDTH, HEIGHT) });
    });
    await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);
    // The relay has the feed once its hub has remuxed it: wait for it, then start both at once.
    for (let i = 0; i < 100; i += 1) {
      const res = await fetch(`http://127.0.0.1:${net.ports.whepLocal}/whep/box`, { method: 'OPTIONS' }).catch(() => null);
      if (res && i > 20) break;
      await sleep(100);
    }
    const urls = { flv: `http://127.0.0.1:${net.ports.flvLocal}/live/box.flv`, whep: `http://127.0.0.1:${net.ports.whepLocal}/whep/box` };
    for (let i = 0; i < 20; i += 1) {
      try {
        await tab.evaluate(([u]) => (window as unknown as { startPreview(k: string, u: string): Promise<void> }).startPreview('whep', u!), [urls.whep]);
        break;
      } catch (err) {
        if (i === 19) throw err;
        await sleep(500);
      }
    }
    await tab.evaluate(([u]) => (window as unknown as { startPreview(k: string, u: string): Promise<void> }).startPreview('flv', u!), [urls.flv]);
    await sleep(WARMUP_MS);
    const from = { whep: shown.whep.length, flv: shown.flv.length };
    load.push(loadavg()[0] ?? 0);
    await sleep(MEASURE_MS);
    load.push(loadavg()[0] ?? 0);
    const webrtc = await tab.evaluate(() => (window as unknown as { whepStats(): Promise<Record<string, number> | null> }).whepStats());
    return { whep: judge(shown.whep.slice(from.whep)), flv: judge(shown.flv.slice(from.flv)), load, webrtc };
  } finally {
    await browser.close();
    page.close();
    camera.stop();
    await box.stop();
    await net.stop();
  }
}

setLogLevel('warn');
const rounds: Array<Awaited<ReturnType<typeof round>>> = [];
for (let i = 0; i < ROUNDS; i += 1) rounds.push(await round());
for (const kind of ['whep', 'flv'] as const) {
  console.log(JSON.stringify({
    bench: 'preview-glass-to-glass',
    transport: kind === 'whep' ? 'WebRTC (WHEP) from the relay' : 'HTTP-FLV from the relay (mpegts.js)',
    upstream: `SRT through the link (40 ms each way, 1 % loss), latency ${recommendedSrtLatency()} ms, to the relay's hub`,
    feed: `${WIDTH}x${HEIGHT} ${FPS} fps libx264 veryfast ${KBPS} kbit/s`,
    rounds: ROUNDS,
    secondsEach: MEASURE_MS / 1000,
    latencyMs: summary(rounds.flatMap((r) => r[kind].latency)),
    p50EachRound: rounds.map((r) => Math.round(summary(r[kind].latency).p50)),
    pictures: rounds.reduce((n, r) => n + r[kind].pictures, 0),
    unreadable: rounds.reduce((n, r) => n + r[kind].unreadable, 0),
    longestGapMs: +Math.max(...rounds.map((r) => r[kind].longestGapMs)).toFixed(1),
    load: rounds.flatMap((r) => r.load).map((l) => +l.toFixed(2)),
    ...(kind === 'whep' ? { webrtcReceiver: rounds.map((r) => r.webrtc) } : {}),
  }));
}
