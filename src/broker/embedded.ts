/**
 * The embedded broker: Aedes in-process on TCP (1883) and WebSockets (9001),
 * for the demo and for a conductor started with `--embedded-broker`.
 */
import { createServer, type Server as NetServer } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { createLogger, type Logger } from '../util/log.js';
import { publishRefusal, subscribeRefusal, type BrokerUser } from './acl.js';

export interface EmbeddedBrokerOptions {
  host?: string;
  /** TCP port; 0 picks a free one. Default 1883. */
  tcpPort?: number;
  /** WebSocket port; 0 picks a free one, `null` turns WebSockets off. Default 9001. */
  wsPort?: number | null;
  /** With users, clients must log in and the ACL applies; without, the broker is open. */
  users?: BrokerUser[];
  /**
   * With users set, what a client that gives no user name may do: `null` refuses it.
   * The demo lets anonymous loopback clients act as admin so `mosquitto_pub` works as documented.
   */
  anonymousRole?: BrokerUser['role'] | null;
  log?: Logger;
}

export interface EmbeddedBroker {
  readonly tcpPort: number;
  readonly wsPort: number | null;
  readonly url: string;
  readonly wsUrl: string | null;
  readonly aedes: Aedes;
  /** Publishes refused by the ACL since start. */
  refusedPublishes(): number;
  close(): Promise<void>;
}

export { PortInUseError } from '../util/errors.js';
import { PortInUseError } from '../util/errors.js';
import { t } from '../i18n/index.js';

function listen(server: NetServer | HttpServer, port: number, host: string, what: string, hint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new PortInUseError(what, port, hint));
      else if (err.code === 'EACCES') reject(new Error(t('errors.portPrivileged', { what, port, hint })));
      else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function close(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const log = options.log ?? createLogger('broker');
  const host = options.host ?? '127.0.0.1';
  const users = options.users ?? [];
  const byClient = new WeakMap<Client, BrokerUser>();
  let refused = 0;

  const aedes = await Aedes.createBroker({
    heartbeatInterval: 1000,
    authenticate: (client, username, password, done) => {
      if (users.length === 0) return done(null, true);
      if (username === undefined && options.anonymousRole) {
        byClient.set(client, { username: '(anonymous)', password: '', role: options.anonymousRole });
        return done(null, true);
      }
      const user = users.find((u) => u.username === username);
      if (!user || !password || !sameSecret(user.password, password.toString())) {
        const error = new Error('bad user name or password') as AuthenticateError;
        error.returnCode = 4;
        log.warn(t('logs.loginRefused'), { client: client.id, username });
        return done(error, false);
      }
      byClient.set(client, user);
      done(null, true);
    },
    authorizePublish: (client, packet, callback) => {
      if (users.length === 0 || !client) return callback(null);
      const user = byClient.get(client);
      const reason = user ? publishRefusal(user, packet.topic) : 'not logged in';
      if (reason) {
        refused += 1;
        log.warn(t('logs.publishRefused'), { client: client.id, topic: packet.topic, reason });
        return callback(new Error(reason));
      }
      callback(null);
    },
    authorizeSubscribe: (client, subscription, callback) => {
      if (users.length === 0) return callback(null, subscription);
      const user = byClient.get(client);
      const reason = user ? subscribeRefusal(user, subscription.topic) : 'not logged in';
      if (reason) {
        log.warn(t('logs.subscribeRefused'), { client: client.id, filter: subscription.topic, reason });
        return callback(null, null);
      }
      callback(null, subscription);
    },
  });

  const tcpServer = createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  let tcpPort: number;
  try {
    tcpPort = await listen(tcpServer, options.tcpPort ?? 1883, host, t('errors.portMqttTcp'), t('errors.hintMqttPort'));
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }

  let httpServer: HttpServer | null = null;
  let wss: WebSocketServer | null = null;
  let wsPort: number | null = null;
  if (options.wsPort !== null) {
    httpServer = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('MQTT over WebSockets: connect with an MQTT client\n');
    });
    wss = new WebSocketServer({ server: httpServer });
    wss.on('connection', (websocket, request) => {
      const stream = createWebSocketStream(websocket);
      stream.on('error', () => websocket.terminate());
      aedes.handle(stream, request);
    });
    try {
      wsPort = await listen(httpServer, options.wsPort ?? 9001, host, t('errors.portMqttWs'), t('errors.hintWsPort'));
    } catch (err) {
      await close(tcpServer);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
  }

  log.info('embedded broker listening', { mqtt: `${host}:${tcpPort}`, ws: wsPort === null ? 'off' : `${host}:${wsPort}`, auth: users.length ? 'on' : 'off' });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    tcpPort,
    wsPort,
    url: `mqtt://${urlHost}:${tcpPort}`,
    wsUrl: wsPort === null ? null : `ws://${urlHost}:${wsPort}`,
    aedes,
    refusedPublishes: () => refused,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const client of wss?.clients ?? []) client.terminate();
      await Promise.all([close(tcpServer), httpServer ? close(httpServer) : Promise.resolve()]);
    },
  };
}
