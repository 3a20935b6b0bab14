/**
 * The relay: node-media-server 4 with RTMP ingest and HTTP-FLV / WS-FLV out,
 * one stream per site (`/live/<site>`), publishing only with a signed URL.
 *
 * NMS 4's own publish auth (`auth.publish`) signs with MD5 over
 * `path-expiry-secret`; relais signs with HMAC-SHA256 (see sign.ts), so the
 * check runs in NMS's `prePublish` event and a refused session is cut off
 * there: its packets are dropped and its socket destroyed.
 *
 * This is the only module that imports node-media-server. NMS keeps its state
 * in module globals, so one relay runs per process.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import NodeMediaServer, { type NmsBroadcast, type NmsEvent, type NmsSession } from 'node-media-server';
import Context from 'node-media-server/src/core/context.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import { SLUG_PATTERN, type RelayStream, type RelayStreams } from '../protocol/schemas.js';
import { createLogger, type Logger } from '../util/log.js';
import type { RelaySrtConfig } from './config.js';
import { ffmpegBinary } from './ffmpeg.js';
import { RELAY_APP, signPublishUrl, verifyPublishSign } from './sign.js';
import { SrtHub } from './srt-hub.js';
import { WhepServer } from './whep.js';
import { t } from '../i18n/index.js';

export { signPublishUrl, verifyPublishSign } from './sign.js';

export interface RelayOptions {
  bind?: string;
  rtmpPort: number;
  httpPort: number;
  /** Shared publish secret (at least 16 characters). */
  secret: string;
  /** NMS's store directory (publish history); a temp dir, removed on stop, by default. */
  dataDir?: string;
  /** How often the stream list is checked for changes. */
  pollMs?: number;
  log?: Logger;
  /** Clock in seconds, for expiry checks in tests. */
  nowSeconds?: () => number;
  /** SRT ingest and egress beside RTMP (srt-hub.ts). */
  srt?: RelaySrtConfig;
  /** ffmpeg for the SRT feeds' remux into FLV (also `RELAIS_FFMPEG`). */
  ffmpeg?: string;
  /** srt-live-transmit for the SRT hub (also `RELAIS_SRT_LIVE_TRANSMIT`). */
  srtTransmit?: string;
  /** WebRTC previews (WHEP, whep.ts) on this port; none without. */
  whepPort?: number | null;
  /** The addresses WHEP offers to browsers; all of this machine's by default. */
  whepHosts?: readonly string[];
}

/** One site's stream as the relay sees it (the payload of `relay/streams`). */
export type StreamInfo = RelayStream;
export type StreamsSnapshot = RelayStreams;

export interface RefusedPublish {
  path: string;
  ip: string;
  reason: string;
}

export interface RelayEvents {
  /** The stream list changed: publish it retained on `relay/streams`. */
  streams: [snapshot: StreamsSnapshot];
  publish: [site: string, ip: string];
  refused: [refusal: RefusedPublish];
  /** One media packet accepted from a publisher (only when `tap` is on; for benchmarks). */
  packet: [site: string, timestampMs: number, kind: 'audio' | 'video'];
}

let active: Relay | null = null;

function siteOf(streamPath: string): string | null {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(streamPath);
  if (!match || match[1] !== RELAY_APP || !SLUG_PATTERN.test(match[2] ?? '')) return null;
  return match[2] ?? null;
}

function listening(server: Server | undefined, what: string, port: number): Promise<void> {
  if (!server) return Promise.reject(new Error(`${what} listener was not created`));
  return new Promise((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', () => resolve());
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? t('setup.relayPortInUse', { port, flag: what === 'RTMP' ? 'rtmp' : 'http' }) : err.message;
      reject(new Error(t('setup.relayListener', { what, hint })));
    });
  });
}

function closed(server: Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => server.once('close', () => resolve()));
}

/** The relay of room feeds. `start()`, then listen to `streams`. */
export class Relay extends EventEmitter<RelayEvents> {
  private nms: NodeMediaServer | null = null;
  private readonly log: Logger;
  private readonly refused = new Set<string>();
  private readonly handlers: Array<[NmsEvent, (session: NmsSession) => void]> = [];
  private poll: NodeJS.Timeout | null = null;
  private lastJson = '';
  private tapped = new WeakSet<NmsBroadcast>();
  private ownDataDir: string | null = null;
  private hub: SrtHub | null = null;
  private whep: WhepServer | null = null;
  /** Emit `packet` for every accepted media packet (costs a little per packet). */
  tap = false;

  constructor(private readonly options: RelayOptions) {
    super();
    if (options.secret.length < 16) throw new Error(t('setup.relaySecret'));
    this.log = options.log ?? createLogger('relay');
  }

  get rtmpUrl(): string {
    return `rtmp://${this.host()}:${this.options.rtmpPort}/${RELAY_APP}`;
  }

  get httpUrl(): string {
    return `http://${this.host()}:${this.options.httpPort}`;
  }

  /** WHEP base (`POST <whepUrl>/whep/<site>`), or null without WHEP. */
  get whepUrl(): string | null {
    return this.options.whepPort ? `http://${this.host()}:${this.whep?.port ?? this.options.whepPort}` : null;
  }

  /** HTTP-FLV URL of a site's stream. */
  playUrl(site: string): string {
    return `${this.httpUrl}/${RELAY_APP}/${site}.flv`;
  }

  private host(): string {
    const bind = this.options.bind ?? '0.0.0.0';
    return bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  }

  async start(): Promise<void> {
    if (this.nms) return;
    if (active) throw new Error('a relay is already running in this process (node-media-server keeps global state); stop it first');
    active = this;
    // Without a configured dir the store lives in a temp dir removed on stop.
    const dataDir = this.options.dataDir ?? (this.ownDataDir = mkdtempSync(path.join(os.tmpdir(), 'relais-relay-')));
    // NMS logs to stdout at debug level; route it into the project's logger.
    const nmsLog = this.log.child('nms');
    nmsLogger.log = (message: string, level = 'info') => (level === 'error' || level === 'warn' ? nmsLog.warn(message) : nmsLog.debug(message));
    const nms = new NodeMediaServer({
      bind: this.options.bind ?? '0.0.0.0',
      rtmp: { port: this.options.rtmpPort },
      http: { port: this.options.httpPort },
      store: { path: dataDir, maxHistory: 1000 },
      webadmin: { enable: false },
      notify: { url: '' },
    });
    // The store would otherwise re-raise SIGINT/SIGTERM itself and bypass our shutdown.
    nms.store.options.signals = false;
    this.nms = nms;
    this.on_('prePublish', (s) => this.checkPublish(s));
    this.on_('postPublish', (s) => this.afterPublish(s));
    for (const event of ['donePublish', 'postPlay', 'donePlay'] as const) this.on_(event, (s) => this.afterChange(s));

    const http = nms.httpServer.httpServer;
    // NMS exits the process on a listen error; replace that with a rejection.
    http?.removeAllListeners('error');
    const running = nms.run();
    const rtmp = nms.rtmpServer.tcpServer;
    rtmp?.removeAllListeners('error');
    try {
      await Promise.all([listening(rtmp, 'RTMP', this.options.rtmpPort), listening(http, 'HTTP', this.options.httpPort), running]);
    } catch (err) {
      await this.stop();
      throw err;
    }
    http?.on('error', (err) => this.log.error(t('logs.relayHttpError'), { error: err.message }));
    rtmp?.on('error', (err) => this.log.error(t('logs.relayRtmpError'), { error: err.message }));
    const srt = this.options.srt;
    if (srt?.enabled) {
      const hub = new SrtHub({
        ...srt,
        bind: this.options.bind ?? '0.0.0.0',
        ffmpeg: ffmpegBinary(this.options.ffmpeg),
        ...(this.options.srtTransmit ? { srtTransmit: this.options.srtTransmit } : {}),
        log: this.log.child('srt'),
        // Signed at every (re)start of the remux, like a box's feed.
        rtmpTarget: (site) => signPublishUrl({ base: `rtmp://127.0.0.1:${this.options.rtmpPort}/${RELAY_APP}`, site, secret: this.options.secret, ttlSeconds: 6 * 3600 }),
      });
      hub.on('link', () => this.report());
      this.hub = hub;
      try {
        await hub.start();
      } catch (err) {
        await this.stop();
        throw err;
      }
    }
    if (this.options.whepPort) {
      const whep = new WhepServer({
        bind: this.options.bind ?? '0.0.0.0',
        port: this.options.whepPort,
        // The relay's own copy of the feed, as one more HTTP-FLV viewer.
        sourceOf: (site) => this.playUrl(site),
        isLive: (site) => this.snapshot().streams.some((s) => s.site === site && s.status === 'live'),
        ffmpeg: ffmpegBinary(this.options.ffmpeg),
        ...(this.options.whepHosts ? { iceHosts: this.options.whepHosts } : {}),
        log: this.log.child('whep'),
      });
      this.whep = whep;
      try {
        await whep.start();
      } catch (err) {
        await this.stop();
        const e = err as NodeJS.ErrnoException;
        throw new Error(t('setup.relayListener', { what: 'WHEP', hint: e.code === 'EADDRINUSE' ? t('setup.relayPortInUse', { port: this.options.whepPort, flag: 'whep' }) : e.message }));
      }
    }
    this.poll = setInterval(() => this.report(), this.options.pollMs ?? 500);
    this.log.info('relay ready', { rtmp: this.rtmpUrl, http: this.httpUrl, ...(this.whep ? { whep: this.whepUrl } : {}) });
    this.report();
  }

  async stop(): Promise<void> {
    const nms = this.nms;
    if (!nms) return;
    this.nms = null;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    await this.whep?.stop();
    this.whep = null;
    await this.hub?.stop();
    this.hub = null;
    for (const [event, handler] of this.handlers) Context.eventEmitter.off(event, handler);
    this.handlers.length = 0;
    const http = nms.httpServer.httpServer;
    const rtmp = nms.rtmpServer.tcpServer;
    const done = Promise.all([closed(http), closed(rtmp)]);
    await nms.stop();
    // HTTP-FLV viewers hold their responses open; close() alone waits for them.
    http?.closeAllConnections();
    for (const session of Context.sessions.values()) {
      session.socket?.destroy();
      session.req?.socket.destroy();
    }
    await done;
    Context.sessions.clear();
    Context.broadcasts.clear();
    this.refused.clear();
    if (this.ownDataDir) await rm(this.ownDataDir, { recursive: true, force: true }).catch(() => undefined);
    this.ownDataDir = null;
    if (active === this) active = null;
    this.log.info('relay stopped');
  }

  /** Who publishes and how many watch, per site. */
  snapshot(): StreamsSnapshot {
    const streams: StreamInfo[] = [];
    for (const broadcast of Context.broadcasts.values()) {
      const site = siteOf(broadcast.streamPath);
      if (!site) continue;
      const publisher = broadcast.publisher && !this.refused.has(broadcast.publisher.id) ? broadcast.publisher : null;
      const status = !publisher ? 'idle' : broadcast.getPublishStatus() === 'publishing' ? 'live' : broadcast.getPublishStatus() === 'reconnecting' ? 'reconnecting' : 'idle';
      let viewers = 0;
      for (const s of broadcast.subscribers.values()) if (s.ip !== '') viewers += 1;
      streams.push({
        site,
        status,
        publisher:
          publisher && status !== 'idle'
            ? {
                ip: publisher.ip,
                since: new Date(publisher.createTime).toISOString(),
                protocol: publisher.protocol,
                width: publisher.videoWidth || 0,
                height: publisher.videoHeight || 0,
                fps: publisher.videoFramerate || 0,
              }
            : null,
        viewers,
        ...this.linkOf(site),
      });
    }
    // An SRT feed whose remux has not reached node-media-server yet still has statistics.
    for (const site of this.options.srt?.enabled ? this.options.srt.sites : []) {
      if (!streams.some((s) => s.site === site)) streams.push({ site, status: 'idle', publisher: null, viewers: 0, ...this.linkOf(site) });
    }
    streams.sort((a, b) => a.site.localeCompare(b.site));
    return { at: new Date().toISOString(), streams };
  }

  private linkOf(site: string): Pick<StreamInfo, 'link'> {
    const link = this.hub?.link(site);
    return link ? { link } : {};
  }

  private on_(event: NmsEvent, handler: (session: NmsSession) => void): void {
    const safe = (session: NmsSession): void => {
      try {
        handler(session);
      } catch (err) {
        this.log.error(t('logs.relayEventFailed'), { event, error: (err as Error).message });
      }
    };
    this.handlers.push([event, safe]);
    this.nms?.on(event, safe);
  }

  private checkPublish(session: NmsSession): void {
    const site = siteOf(session.streamPath);
    const check = site
      ? verifyPublishSign(session.streamPath, session.streamQuery.sign, this.options.secret, this.options.nowSeconds?.())
      : { ok: false as const, reason: `stream path ${session.streamPath} is not /${RELAY_APP}/<site> with a lowercase site id` };
    if (check.ok) return;
    this.refuse(session, check.reason);
  }

  private refuse(session: NmsSession, reason: string): void {
    this.refused.add(session.id);
    if (this.refused.size > 1000) this.refused.delete(this.refused.values().next().value as string);
    // Packets that arrive before the socket is gone must not reach viewers.
    const drop = (): void => {};
    session.onPacket = drop;
    if (session.rtmp) session.rtmp.onPacketCallback = drop;
    if (session.flv) session.flv.onPacketCallback = drop;
    if (session.socket) session.socket.destroy();
    else if (session.req) session.req.socket.destroy();
    else session.close();
    const refusal = { path: session.streamPath, ip: session.ip, reason };
    this.log.warn(t('logs.publishRefused'), { ...refusal });
    this.emit('refused', refusal);
  }

  private afterPublish(session: NmsSession): void {
    if (this.refused.has(session.id)) return;
    const site = siteOf(session.streamPath);
    if (!site) return;
    this.log.info('publishing', { site, ip: session.ip });
    this.emit('publish', site, session.ip);
    const broadcast = Context.broadcasts.get(session.streamPath);
    if (broadcast && this.tap && !this.tapped.has(broadcast)) this.tapBroadcast(site, broadcast);
    this.afterChange(session);
  }

  private tapBroadcast(site: string, broadcast: NmsBroadcast): void {
    this.tapped.add(broadcast);
    const original = broadcast.broadcastMessage;
    broadcast.broadcastMessage = (packet) => {
      if (packet.codec_type === 8 || packet.codec_type === 9) this.emit('packet', site, packet.dts, packet.codec_type === 9 ? 'video' : 'audio');
      original(packet);
    };
  }

  private afterChange(_session: NmsSession): void {
    // NMS updates its maps right after the event; look once it has.
    setImmediate(() => this.report());
  }

  private report(): void {
    if (!this.nms) return;
    const snap = this.snapshot();
    const json = JSON.stringify(snap.streams);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.emit('streams', snap);
  }
}
