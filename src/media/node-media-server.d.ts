/**
 * The small part of node-media-server 4 that `relay.ts` uses. The package
 * ships no typings; these describe v4.4 (src/index.js, src/core/context.js,
 * src/session/*.js, src/server/broadcast_server.js).
 */
declare module 'node-media-server' {
  import type { Server as HttpServer, IncomingMessage } from 'node:http';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface NmsConfig {
    bind?: string;
    rtmp?: { port?: number };
    http?: { port?: number };
    auth?: { play?: boolean; publish?: boolean; secret?: string };
    store?: { path?: string; maxHistory?: number };
    webadmin?: { enable?: boolean };
    notify?: { url?: string };
  }

  /** A publisher or player connection (RTMP, HTTP-FLV or WS-FLV). */
  export interface NmsSession {
    id: string;
    /** `address:port` of the peer; empty for internal sessions (record, relay). */
    ip: string;
    protocol: string;
    isPublisher: boolean;
    streamApp: string;
    streamName: string;
    streamPath: string;
    streamQuery: Record<string, unknown>;
    createTime: number;
    videoCodec: number;
    videoWidth: number;
    videoHeight: number;
    videoFramerate: number;
    inBytes: number;
    outBytes: number;
    /** RTMP sessions. */
    socket?: Socket;
    rtmp?: { onPacketCallback: (packet: unknown) => void };
    /** HTTP-FLV / WS-FLV sessions. */
    req?: IncomingMessage;
    flv?: { onPacketCallback: (packet: unknown) => void };
    onPacket: (packet: unknown) => void;
    close(): void;
  }

  export interface NmsBroadcast {
    streamPath: string;
    publisher: NmsSession | null;
    subscribers: Map<string, NmsSession>;
    getPublishStatus(): 'publishing' | 'reconnecting' | 'idle';
    broadcastMessage: (packet: { codec_type: number; dts: number; flags: number }) => void;
  }

  export type NmsEvent = 'prePlay' | 'postPlay' | 'donePlay' | 'prePublish' | 'postPublish' | 'donePublish';

  export default class NodeMediaServer {
    constructor(config: NmsConfig, configPath?: string);
    on(event: NmsEvent, listener: (session: NmsSession) => void): void;
    run(): Promise<void>;
    stop(): Promise<void>;
    httpServer: { httpServer?: HttpServer };
    rtmpServer: { tcpServer?: NetServer };
    store: { options: { signals: boolean; dir: string } };
  }

}

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';
  import type { NmsBroadcast, NmsSession } from 'node-media-server';
  const Context: {
    sessions: Map<string, NmsSession>;
    broadcasts: Map<string, NmsBroadcast>;
    eventEmitter: EventEmitter;
  };
  export default Context;
}

declare module 'node-media-server/src/core/logger.js' {
  const logger: { level: string; log(message: string, level?: string): void };
  export default logger;
}
