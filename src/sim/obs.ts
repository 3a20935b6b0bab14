/**
 * An obs-websocket v5 server emulator for tests and `relais sim obs`, after
 * the protocol document: subprotocol `obswebsocket.json`, Hello (with an
 * authentication challenge when a password is set), Identify checked
 * (base64 sha256 of base64 sha256(password + salt) + challenge; close 4009 on
 * a wrong one), Identified, requests and their status codes, and the scene
 * events filtered by the client's event subscriptions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

const OP = { hello: 0, identify: 1, identified: 2, reidentify: 3, event: 5, request: 6, requestResponse: 7 } as const;
const SUBSCRIPTION = { scenes: 1 << 2, sceneItems: 1 << 7, ui: 1 << 10 } as const;
/** Everything but the high-volume categories: obs-websocket's default. */
const DEFAULT_SUBSCRIPTIONS = 0x7ff;

export interface ObsEmulatorOptions {
  port?: number;
  host?: string;
  password?: string;
  /** Scene name to the sources in it. Default: one scene per camera, "Caméra 1".."Caméra 3", and "Plan large" with two. */
  scenes?: Record<string, string[]>;
}

interface Client {
  socket: WebSocket;
  identified: boolean;
  subscriptions: number;
}

interface Item {
  sceneItemId: number;
  sourceName: string;
  sceneItemEnabled: boolean;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64');

export class ObsEmulator {
  private server: WebSocketServer | null = null;
  private readonly clients = new Set<Client>();
  readonly scenes = new Map<string, Item[]>();
  program: string;
  preview: string;
  studioMode = false;
  /** Requests received, by type, newest last (bounded). */
  readonly requests: string[] = [];
  private readonly salt = randomBytes(16).toString('base64');

  constructor(private readonly options: ObsEmulatorOptions = {}) {
    const scenes = options.scenes ?? { 'Caméra 1': ['Caméra 1'], 'Caméra 2': ['Caméra 2'], 'Caméra 3': ['Caméra 3'], 'Plan large': ['Caméra 1', 'Caméra 3'] };
    let id = 1;
    for (const [name, sources] of Object.entries(scenes)) this.scenes.set(name, sources.map((sourceName) => ({ sceneItemId: id++, sourceName, sceneItemEnabled: true })));
    const names = [...this.scenes.keys()];
    this.program = names[0]!;
    this.preview = names[1] ?? names[0]!;
  }

  get port(): number {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('OBS emulator not listening');
    return a.port;
  }

  get clientCount(): number {
    return [...this.clients].filter((c) => c.identified).length;
  }

  async start(): Promise<void> {
    const server = new WebSocketServer({
      port: this.options.port ?? 0,
      host: this.options.host ?? '127.0.0.1',
      handleProtocols: (protocols) => (protocols.has('obswebsocket.json') ? 'obswebsocket.json' : false),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('connection', (socket) => this.accept(socket));
    this.server = server;
  }

  setProgram(scene: string): void {
    this.program = scene;
    this.emitEvent(SUBSCRIPTION.scenes, 'CurrentProgramSceneChanged', { sceneName: scene, sceneUuid: `uuid-${scene}` });
  }

  setPreview(scene: string): void {
    this.preview = scene;
    if (this.studioMode) this.emitEvent(SUBSCRIPTION.scenes, 'CurrentPreviewSceneChanged', { sceneName: scene, sceneUuid: `uuid-${scene}` });
  }

  setStudioMode(enabled: boolean): void {
    this.studioMode = enabled;
    this.emitEvent(SUBSCRIPTION.ui, 'StudioModeStateChanged', { studioModeEnabled: enabled });
  }

  setItemEnabled(scene: string, source: string, enabled: boolean): void {
    const item = this.scenes.get(scene)?.find((i) => i.sourceName === source);
    if (!item) throw new Error(`no ${source} in ${scene}`);
    item.sceneItemEnabled = enabled;
    this.emitEvent(SUBSCRIPTION.sceneItems, 'SceneItemEnableStateChanged', { sceneName: scene, sceneUuid: `uuid-${scene}`, sceneItemId: item.sceneItemId, sceneItemEnabled: enabled });
  }

  /** Closes every client, as OBS does when it quits. */
  dropClients(): void {
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
  }

  /** Sends raw text to every client (garbage). */
  sendRaw(text: string): void {
    for (const c of this.clients) c.socket.send(text);
  }

  async stop(): Promise<void> {
    this.dropClients();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private accept(socket: WebSocket): void {
    const client: Client = { socket, identified: false, subscriptions: DEFAULT_SUBSCRIPTIONS };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => socket.terminate());
    const challenge = randomBytes(16).toString('base64');
    socket.on('message', (data) => this.message(client, data.toString(), challenge));
    const hello: Record<string, unknown> = { obsWebSocketVersion: '5.1.0', rpcVersion: 1 };
    if (this.options.password !== undefined) hello.authentication = { challenge, salt: this.salt };
    this.send(client, OP.hello, hello);
  }

  private message(client: Client, text: string, challenge: string): void {
    let msg: { op?: unknown; d?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      client.socket.close(4002, 'MessageDecodeError');
      return;
    }
    const d = msg.d ?? {};
    if (msg.op === OP.identify) {
      if (client.identified) return client.socket.close(4008, 'AlreadyIdentified');
      if (d.rpcVersion !== 1) return client.socket.close(4010, 'UnsupportedRpcVersion');
      if (this.options.password !== undefined && d.authentication !== sha256(sha256(this.options.password + this.salt) + challenge)) {
        return client.socket.close(4009, 'Authentication failed.');
      }
      client.identified = true;
      if (typeof d.eventSubscriptions === 'number') client.subscriptions = d.eventSubscriptions;
      return this.send(client, OP.identified, { negotiatedRpcVersion: 1 });
    }
    if (!client.identified) return client.socket.close(4007, 'NotIdentified');
    if (msg.op === OP.reidentify) {
      if (typeof d.eventSubscriptions === 'number') client.subscriptions = d.eventSubscriptions;
      return this.send(client, OP.identified, { negotiatedRpcVersion: 1 });
    }
    if (msg.op === OP.request) return this.request(client, String(d.requestType), String(d.requestId), (d.requestData ?? {}) as Record<string, unknown>);
    client.socket.close(4006, 'UnknownOpCode');
  }

  private request(client: Client, type: string, id: string, data: Record<string, unknown>): void {
    this.requests.push(type);
    if (this.requests.length > 1000) this.requests.shift();
    const ok = (responseData?: Record<string, unknown>): void => this.send(client, OP.requestResponse, { requestType: type, requestId: id, requestStatus: { result: true, code: 100 }, ...(responseData ? { responseData } : {}) });
    const fail = (code: number, comment: string): void => this.send(client, OP.requestResponse, { requestType: type, requestId: id, requestStatus: { result: false, code, comment } });
    const scene = typeof data.sceneName === 'string' ? data.sceneName : null;
    switch (type) {
      case 'GetVersion':
        return ok({ obsVersion: '29.0.2', obsWebSocketVersion: '5.1.0', rpcVersion: 1, availableRequests: [], supportedImageFormats: [], platform: 'emulator', platformDescription: 'relais sim obs' });
      case 'GetStudioModeEnabled':
        return ok({ studioModeEnabled: this.studioMode });
      case 'GetCurrentProgramScene':
        return ok({ currentProgramSceneName: this.program, sceneName: this.program, sceneUuid: `uuid-${this.program}` });
      case 'GetCurrentPreviewScene':
        if (!this.studioMode) return fail(506, 'Studio mode is not active.');
        return ok({ currentPreviewSceneName: this.preview, sceneName: this.preview, sceneUuid: `uuid-${this.preview}` });
      case 'GetSceneItemList': {
        const items = scene !== null ? this.scenes.get(scene) : undefined;
        if (!items) return fail(600, `No source was found by the name of \`${scene}\`.`);
        return ok({ sceneItems: items.map((i, index) => ({ ...i, sceneItemIndex: index, sourceType: 'OBS_SOURCE_TYPE_INPUT', isGroup: null })) });
      }
      case 'SetCurrentProgramScene':
        if (scene === null || !this.scenes.has(scene)) return fail(600, 'No such scene');
        ok();
        return this.setProgram(scene);
      case 'SetCurrentPreviewScene':
        if (!this.studioMode) return fail(506, 'Studio mode is not active.');
        if (scene === null || !this.scenes.has(scene)) return fail(600, 'No such scene');
        ok();
        return this.setPreview(scene);
      default:
        return fail(204, `Your request type is not valid.`);
    }
  }

  private emitEvent(category: number, eventType: string, eventData: Record<string, unknown>): void {
    for (const c of this.clients) if (c.identified && c.subscriptions & category) this.send(c, OP.event, { eventType, eventIntent: category, eventData });
  }

  private send(client: Client, op: number, d: Record<string, unknown>): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify({ op, d }));
  }
}
