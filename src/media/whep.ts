/**
 * WebRTC previews of the room feeds for the dashboard: a WHEP endpoint
 * (RFC 9725) at the relay. A browser POSTs its SDP offer (receive only) to
 * `/whep/<site>` and gets the answer (201, `Location` naming the session,
 * which a DELETE ends). The picture is the relay's own copy of the feed
 * (its HTTP-FLV), passed on without re-encoding: one ffmpeg per watched
 * site takes the H.264 out of the FLV and packs it into RTP on loopback
 * (`h264_mp4toannexb` puts the parameter sets before every key frame, since
 * a browser does not read them from the SDP), and every viewer of that site
 * gets those packets. The ffmpeg starts with the first viewer and stops a
 * few seconds after the last; it is started again while viewers remain.
 * No sound: a preview is muted (as the FLV preview is).
 *
 * The WebRTC stack (ICE, DTLS, SRTP) is werift's, a TypeScript
 * implementation; nothing else in relais knows it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { SLUG_PATTERN } from '../protocol/schemas.js';
import { createLogger, type Logger } from '../util/log.js';

export interface WhepOptions {
  bind?: string;
  port: number;
  /** The URL ffmpeg reads a site's feed from (the relay's HTTP-FLV). */
  sourceOf: (site: string) => string;
  /** Whether a site's feed is there now (the relay's stream list); a POST for another site gets 404. */
  isLive: (site: string) => boolean;
  ffmpeg?: string;
  /**
   * The addresses offered to browsers (ICE host candidates); by default every
   * address of this machine. `['127.0.0.1']` for a test on loopback.
   */
  iceHosts?: readonly string[];
  /** Viewers at once, all sites together (each costs a DTLS session and a copy of the packets). */
  maxViewers?: number;
  log?: Logger;
}

/** Longest accepted offer. */
const MAX_OFFER_BYTES = 64 * 1024;
/** A session that does not connect within this is dropped. */
const CONNECT_TIMEOUT_MS = 15_000;
/** The site's ffmpeg is kept this long after its last viewer (a page reloaded comes back at once). */
const IDLE_STOP_MS = 5000;
const RESTART_MS = 1000;

interface Egress {
  track: MediaStreamTrack;
  socket: Socket;
  child: ChildProcess | null;
  viewers: Set<string>;
  idleTimer: NodeJS.Timeout | null;
  restartTimer: NodeJS.Timeout | null;
  stopped: boolean;
}

interface Session {
  site: string;
  pc: RTCPeerConnection;
  timer: NodeJS.Timeout | null;
}

/** Thrown for a request the endpoint answers with an error status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class WhepServer {
  private server: Server | null = null;
  private readonly egress = new Map<string, Egress>();
  private readonly sessions = new Map<string, Session>();
  private readonly log: Logger;

  constructor(private readonly o: WhepOptions) {
    this.log = o.log ?? createLogger('whep');
  }

  get url(): string {
    return `http://${this.o.bind ?? '127.0.0.1'}:${this.port}`;
  }

  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : this.o.port;
  }

  /** Sessions open now, per site (for the relay's state and the tests). */
  viewers(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.sessions.values()) out[s.site] = (out[s.site] ?? 0) + 1;
    return out;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.bind ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.close(id);
    for (const site of [...this.egress.keys()]) this.stopEgress(site);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The dashboard is served from another origin (its own port).
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-methods', 'POST, DELETE, OPTIONS');
    res.setHeader('access-control-allow-headers', 'content-type');
    res.setHeader('access-control-expose-headers', 'location');
    // A dashboard page on another machine of the venue's network (Chromium's private network access).
    res.setHeader('access-control-allow-private-network', 'true');
    try {
      const path = new URL(req.url ?? '/', 'http://relay').pathname;
      const match = /^\/whep\/([^/]+)(?:\/([0-9a-f-]{36}))?$/.exec(path);
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (!match) throw new HttpError(404, 'no such endpoint: POST /whep/<site>');
      const site = decodeURIComponent(match[1]!);
      const id = match[2];
      if (req.method === 'DELETE' && id) {
        const session = this.sessions.get(id);
        if (!session || session.site !== site) throw new HttpError(404, 'no such session');
        await this.close(id);
        res.writeHead(200).end();
        return;
      }
      if (req.method !== 'POST' || id) throw new HttpError(405, 'POST an SDP offer to /whep/<site>');
      if (!SLUG_PATTERN.test(site)) throw new HttpError(404, `not a site id: ${site}`);
      if (!(req.headers['content-type'] ?? '').startsWith('application/sdp')) throw new HttpError(415, 'the offer must be sent as application/sdp');
      const offer = await readBody(req);
      if (!this.o.isLive(site)) throw new HttpError(404, `no feed from ${site} at the relay now`);
      if (this.sessions.size >= (this.o.maxViewers ?? 16)) throw new HttpError(503, 'too many previews open at once');
      const { sessionId, answer } = await this.open(site, offer);
      res.writeHead(201, { 'content-type': 'application/sdp', location: `/whep/${encodeURIComponent(site)}/${sessionId}` });
      res.end(answer);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) this.log.warn('whep request failed', { error: (err as Error).message });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(err as Error).message}\n`);
    }
  }

  private async open(site: string, offer: string): Promise<{ sessionId: string; answer: string }> {
    if (!/^v=0\r?\n/.test(offer) || !/^m=video /m.test(offer)) throw new HttpError(400, 'not an SDP offer with a video section');
    const hosts = this.o.iceHosts;
    const pc = new RTCPeerConnection({
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
            parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          }),
        ],
      },
      iceUseIpv6: false,
      ...(hosts ? { iceAdditionalHostAddresses: [...hosts], iceFilterCandidatePair: (pair) => hosts.includes(pair.localCandidate.host) } : {}),
    });
    const egress = this.ensureEgress(site);
    const sessionId = randomUUID();
    const session: Session = { site, pc, timer: null };
    try {
      pc.addTransceiver(egress.track, { direction: 'sendonly' });
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      for (let i = 0; i < 100 && pc.iceGatheringState !== 'complete'; i += 1) await new Promise((r) => setTimeout(r, 20));
    } catch (err) {
      await pc.close().catch(() => undefined);
      this.release(site, null);
      throw new HttpError(400, `the offer was not accepted: ${(err as Error).message}`);
    }
    this.sessions.set(sessionId, session);
    egress.viewers.add(sessionId);
    session.timer = setTimeout(() => {
      if (pc.connectionState !== 'connected') void this.close(sessionId);
    }, CONNECT_TIMEOUT_MS);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed' || state === 'closed') void this.close(sessionId);
    });
    let answer = pc.localDescription?.sdp ?? '';
    if (hosts) answer = answer.split(/\r?\n/).filter((line) => !line.startsWith('a=candidate:') || hosts.some((h) => line.includes(` ${h} `))).join('\r\n');
    return { sessionId, answer };
  }

  private async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    if (session.timer) clearTimeout(session.timer);
    await session.pc.close().catch(() => undefined);
    this.release(session.site, id);
  }

  private ensureEgress(site: string): Egress {
    let e = this.egress.get(site);
    if (e) {
      if (e.idleTimer) clearTimeout(e.idleTimer);
      e.idleTimer = null;
      return e;
    }
    const track = new MediaStreamTrack({ kind: 'video' });
    const socket = createSocket('udp4');
    e = { track, socket, child: null, viewers: new Set(), idleTimer: null, restartTimer: null, stopped: false };
    this.egress.set(site, e);
    socket.on('message', (packet) => track.writeRtp(packet));
    const egress = e;
    socket.bind(0, '127.0.0.1', () => this.spawnEgress(site, egress));
    return e;
  }

  private spawnEgress(site: string, e: Egress): void {
    if (e.stopped) return;
    const port = e.socket.address().port;
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '65536', '-analyzeduration', '200000', '-i', this.o.sourceOf(site),
      '-an', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}?pkt_size=1200`];
    const child = spawn(this.o.ffmpeg ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    e.child = child;
    let tail = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (tail = (tail + d).slice(-400)));
    child.on('error', (err) => (tail = err.message));
    child.on('close', () => {
      if (e.child === child) e.child = null;
      if (e.stopped) return;
      this.log.debug('whep egress ended', { site, tail: tail.trim() });
      e.restartTimer = setTimeout(() => {
        e.restartTimer = null;
        this.spawnEgress(site, e);
      }, RESTART_MS);
    });
  }

  /** A viewer of `site` left (or never came): its ffmpeg stops a little after the last one. */
  private release(site: string, id: string | null): void {
    const e = this.egress.get(site);
    if (!e) return;
    if (id) e.viewers.delete(id);
    if (e.viewers.size > 0 || e.idleTimer) return;
    e.idleTimer = setTimeout(() => this.stopEgress(site), IDLE_STOP_MS);
  }

  private stopEgress(site: string): void {
    const e = this.egress.get(site);
    if (!e) return;
    this.egress.delete(site);
    e.stopped = true;
    if (e.idleTimer) clearTimeout(e.idleTimer);
    if (e.restartTimer) clearTimeout(e.restartTimer);
    e.child?.kill('SIGTERM');
    e.socket.close();
    e.track.stop();
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_OFFER_BYTES) throw new HttpError(413, `an offer of more than ${MAX_OFFER_BYTES} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
