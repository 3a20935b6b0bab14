/**
 * A site's live preview in a muted <video>: over WebRTC from the relay's WHEP
 * endpoint when it has one (a fraction of a second behind the room), else, or
 * when that fails, mpegts.js playing the relay's HTTP-FLV stream (a second or
 * more behind). "no feed" when there is no relay, no stream, or no browser
 * support; it retries with growing delays while the page is open, WebRTC
 * first again after an HTTP-FLV failure. `data-transport` says which plays.
 */
import { t } from '../../i18n/index.js';

type MpegtsModule = typeof import('mpegts.js').default;
type Player = ReturnType<MpegtsModule['createPlayer']>;

let loader: Promise<MpegtsModule> | null = null;
function loadMpegts(): Promise<MpegtsModule> {
  loader ??= import('mpegts.js').then((m) => m.default);
  return loader;
}

const RETRY_MIN_MS = 3000;
const RETRY_MAX_MS = 30_000;
/** The relay's WHEP answered 404 for the site: no feed from it now (not a WebRTC failure). */
class NoFeedYet extends Error {}
/** No new frame for this long: the stream is gone even if the connection is not. */
const STALL_MS = 8000;
/** Longest wait for the browser's own ICE candidates before the offer goes (no trickle). */
const GATHER_MS = 2000;

export class Preview {
  readonly video: HTMLVideoElement;
  private readonly label: HTMLElement;
  private player: Player | null = null;
  private pc: RTCPeerConnection | null = null;
  /** The WHEP session to DELETE when the preview ends. */
  private session: string | null = null;
  /** WebRTC did not start last time: the next try is HTTP-FLV. */
  private whepFailed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly slot: HTMLElement,
    private readonly site: string,
    private readonly relayHttpBase: string | null,
    private readonly relayWhepBase: string | null = null,
  ) {
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.dataset['site'] = site;
    this.video.setAttribute('aria-label', t('preview.aria', { site }));
    this.label = document.createElement('span');
    this.label.className = 'feed-label';
    slot.append(this.video, this.label);
    this.show(t('sites.noFeed'), false);
  }

  start(): void {
    if (!this.relayHttpBase && !this.relayWhepBase) {
      this.show(t('preview.noRelay'), false);
      return;
    }
    void this.open();
  }

  private show(text: string, live: boolean): void {
    this.label.textContent = text;
    this.slot.classList.toggle('live', live);
    this.slot.dataset['feed'] = live ? 'live' : 'none';
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    if (this.relayWhepBase && !this.whepFailed && typeof RTCPeerConnection === 'function') {
      try {
        await this.openWhep(this.relayWhepBase);
        return;
      } catch (err) {
        this.teardown();
        if (err instanceof NoFeedYet) {
          // The relay has no feed from the site now: over HTTP-FLV neither. Again later, over WebRTC.
          this.fail(t('sites.noFeed'));
          return;
        }
        this.whepFailed = true;
      }
    }
    if (!this.relayHttpBase) {
      this.fail(t('sites.noFeed'));
      return;
    }
    this.whepFailed = false;
    let mpegts: MpegtsModule;
    try {
      mpegts = await loadMpegts();
    } catch {
      this.show(t('preview.noPlayer'), false);
      return;
    }
    if (!mpegts.isSupported()) {
      this.show(t('preview.unsupported'), false);
      return;
    }
    const url = `${this.relayHttpBase!.replace(/\/$/, '')}/live/${encodeURIComponent(this.site)}.flv`;
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url, hasAudio: false }, { enableWorker: false, lazyLoad: false, liveBufferLatencyChasing: true });
    this.player = player;
    player.on(mpegts.Events.ERROR, () => this.fail(t('sites.noFeed')));
    player.attachMediaElement(this.video);
    player.load();
    this.video.dataset['transport'] = 'flv';
    this.video.play()?.catch(() => undefined);
    this.watch();
  }

  /** WHEP: a receive-only offer with all its candidates, the answer from the relay, the picture into the <video>. */
  private async openWhep(base: string): Promise<void> {
    const pc = new RTCPeerConnection();
    this.pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (e) => {
      this.video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      this.video.play()?.catch(() => undefined);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, GATHER_MS);
    });
    const endpoint = `${base.replace(/\/$/, '')}/whep/${encodeURIComponent(this.site)}`;
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription?.sdp ?? '' });
    if (res.status === 404 && (await res.text()).startsWith('no feed from')) throw new NoFeedYet();
    if (res.status !== 201) throw new Error(`WHEP ${res.status}`);
    const location = res.headers.get('location');
    this.session = location ? new URL(location, endpoint).toString() : null;
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    pc.addEventListener('connectionstatechange', () => {
      if (this.pc === pc && pc.connectionState === 'failed') this.fail(t('sites.noFeed'));
    });
    this.video.dataset['transport'] = 'whep';
    this.watch();
  }

  /** Live once the picture moves; a picture that stops moving fails the preview (and tries again). */
  private watch(): void {
    let lastTime = -1;
    let lastChange = Date.now();
    this.watchTimer = setInterval(() => {
      if (this.video.currentTime !== lastTime) {
        lastTime = this.video.currentTime;
        lastChange = Date.now();
        if (lastTime > 0) {
          this.show(t('preview.live'), true);
          this.retryMs = RETRY_MIN_MS;
        }
      } else if (Date.now() - lastChange > STALL_MS) {
        this.fail(t('preview.stalled'));
      }
    }, 1000);
  }

  private teardown(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    const pc = this.pc;
    this.pc = null;
    if (pc) {
      pc.close();
      this.video.srcObject = null;
    }
    const session = this.session;
    this.session = null;
    // The relay would also drop it once the connection is gone; this frees it at once.
    if (session) void fetch(session, { method: 'DELETE', keepalive: true }).catch(() => undefined);
    const player = this.player;
    this.player = null;
    if (player) {
      try {
        player.pause();
        player.unload();
        player.detachMediaElement();
        player.destroy();
      } catch {
        // A player that failed half-way may refuse some of these; it is gone either way.
      }
    }
  }

  private fail(text: string): void {
    this.teardown();
    this.show(text, false);
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown();
  }
}
