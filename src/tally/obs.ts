/**
 * OBS Studio over obs-websocket v5 (port 4455), through obs-websocket-js,
 * with its password. Program is the current program scene and every source
 * shown in it; in studio mode, preview is the preview scene and its sources.
 * A camera maps to a scene name or a source name. Each change re-reads the
 * scenes (a few requests on the LAN), so a missed event cannot leave stale tally.
 * It speaks the JSON subprotocol (`obs-websocket-js/json`), which every obs-websocket 5 serves.
 */
import { OBSWebSocket, EventSubscription, type OBSWebSocketError } from 'obs-websocket-js/json';
import { BaseSource } from './base-source.js';
import { Redialer, type OpenLink } from './redial.js';
import { errorText, realSourceTimers, type InputTally, type SourceTimers } from './source.js';
import type { RetryDelays } from '../hardware/reconnect.js';
import { t } from '../i18n/index.js';

export const OBS_PORT = 4455;

export interface ObsSourceOptions {
  host: string;
  port?: number;
  password?: string;
  connectTimeoutMs?: number;
  reconnect?: RetryDelays;
  timers?: SourceTimers;
}

/** The technician's words for obs-websocket's close codes (protocol document, WebSocketCloseCode). */
export function obsTrouble(err: unknown, where: string): string {
  const code = (err as Partial<OBSWebSocketError>).code;
  if (code === 4009) return t('switcher.obsPassword', { where });
  if (code === 4010) return t('switcher.obsVersion', { where });
  if (code === 4011) return t('switcher.obsSessionClosed', { where });
  const text = errorText(err);
  if (/ECONNREFUSED/.test(text) || code === 1006) return t('switcher.obsNoAnswer', { where, code: code ?? 'ECONNREFUSED' });
  return `OBS ${where}${t('punct.colon')}${text}${code !== undefined ? ` [${code}]` : ''}`;
}

interface SceneItem {
  sourceName?: unknown;
  sceneItemEnabled?: unknown;
}

export class ObsSource extends BaseSource {
  readonly kind = 'obs' as const;
  readonly describe: string;
  private readonly redial: Redialer;
  private obs: OBSWebSocket | null = null;
  /** Bumped by every refresh: an older answer that lands late is not published. */
  private refreshes = 0;
  private failures = 0;
  private retry: unknown = null;
  /** Enabled sources per scene, as last read: lets a scene change go out before its re-read. */
  private readonly items = new Map<string, string[]>();
  private scenes: { program: string; preview: string | null } | null = null;

  constructor(private readonly options: ObsSourceOptions) {
    super(options.timers ?? realSourceTimers);
    const where = `${options.host}:${options.port ?? OBS_PORT}`;
    this.describe = `obs ws://${where}`;
    this.redial = new Redialer({ ...(options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 10_000 }), timers: this.timers, dial: () => this.dial(where) });
    this.redial.on('down', (error) => {
      this.obs = null;
      this.disconnected(error);
    });
  }

  start(): void {
    this.redial.start();
  }

  async stop(): Promise<void> {
    if (this.retry !== null) this.timers.clearTimeout(this.retry);
    this.retry = null;
    this.redial.stop();
    this.obs = null;
  }

  private async dial(where: string): Promise<OpenLink> {
    const obs = new OBSWebSocket();
    this.items.clear(); // a new link reads everything afresh
    this.scenes = null;
    let end: (why: Error | null) => void = () => {};
    const closed = new Promise<Error | null>((resolve) => (end = resolve));
    obs.on('ConnectionClosed', (err) => end(new Error(obsTrouble(err, where))));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // Unref: a dial still in flight when the source stops must not hold the process for its bound.
      timer = setTimeout(() => reject(new Error(t('switcher.obsTimeout', { where }))), this.options.connectTimeoutMs ?? 5000).unref();
    });
    try {
      await Promise.race([
        obs.connect(`ws://${where}`, this.options.password, { eventSubscriptions: EventSubscription.Scenes | EventSubscription.SceneItems | EventSubscription.Ui }),
        timeout,
      ]);
    } catch (err) {
      obs.removeAllListeners();
      await obs.disconnect().catch(() => {});
      throw new Error(obsTrouble(err, where));
    } finally {
      clearTimeout(timer);
    }
    this.obs = obs;
    const refresh = (): void => void this.refresh(obs);
    obs.on('CurrentProgramSceneChanged', (e) => {
      if (this.scenes) this.fast(e.sceneName, this.scenes.preview);
      refresh();
    });
    obs.on('CurrentPreviewSceneChanged', (e) => {
      if (this.scenes?.preview !== null && this.scenes) this.fast(this.scenes.program, e.sceneName);
      refresh();
    });
    obs.on('StudioModeStateChanged', refresh);
    obs.on('SceneItemEnableStateChanged', (e) => {
      this.items.delete(e.sceneName);
      refresh();
    });
    obs.on('SceneListChanged', () => {
      this.items.clear();
      refresh();
    });
    await this.refresh(obs);
    this.redial.healthy();
    return {
      closed,
      close: () => {
        obs.removeAllListeners();
        void obs.disconnect().catch(() => {});
        end(null);
      },
    };
  }

  private async refresh(obs: OBSWebSocket): Promise<void> {
    const mine = ++this.refreshes;
    let snapshot: InputTally[];
    try {
      const { studioModeEnabled } = await obs.call('GetStudioModeEnabled');
      const program = (await obs.call('GetCurrentProgramScene')).currentProgramSceneName;
      const preview = studioModeEnabled ? (await obs.call('GetCurrentPreviewScene')).currentPreviewSceneName : null;
      const [programItems, previewItems] = await Promise.all([this.shown(obs, program), preview ? this.shown(obs, preview) : []]);
      if (mine !== this.refreshes || this.obs !== obs) return;
      this.items.set(program, programItems);
      if (preview) this.items.set(preview, previewItems);
      this.scenes = { program, preview };
      snapshot = this.snapshotOf(program, preview);
    } catch (err) {
      // A request failing mid-change (studio mode turning on before its preview is set, a scene
      // deleted under us): read again shortly, and say so if it keeps failing.
      if (mine !== this.refreshes || this.obs !== obs) return;
      this.failures += 1;
      if (this.failures >= 3) this.disconnected(`OBS : ${errorText(err)}`);
      if (this.retry === null) {
        this.retry = this.timers.setTimeout(() => {
          this.retry = null;
          if (this.obs === obs) void this.refresh(obs);
        }, 100);
      }
      return;
    }
    this.failures = 0;
    // Outside the requests' try: a listener's failure is not an OBS failure.
    this.connected();
    this.publish({ inputs: snapshot });
  }

  /** Program and preview inputs from the cached scene contents. */
  private snapshotOf(program: string, preview: string | null): InputTally[] {
    const inputs = new Map<string, InputTally>();
    const mark = (id: string, field: 'program' | 'preview'): void => {
      const t = inputs.get(id) ?? { id, program: false, preview: false };
      t[field] = true;
      inputs.set(id, t);
    };
    for (const id of [program, ...(this.items.get(program) ?? [])]) mark(id, 'program');
    if (preview) for (const id of [preview, ...(this.items.get(preview) ?? [])]) mark(id, 'preview');
    return [...inputs.values()];
  }

  /**
   * A scene change whose scenes' contents are known is published at once from
   * the event (the latency path); the full re-read that follows confirms it.
   */
  private fast(program: string, preview: string | null): void {
    if (!this.items.has(program) || (preview !== null && !this.items.has(preview))) return;
    this.scenes = { program, preview };
    this.publish({ inputs: this.snapshotOf(program, preview) });
  }

  /** Sources visible in a scene (enabled items), one level deep. */
  private async shown(obs: OBSWebSocket, sceneName: string): Promise<string[]> {
    const { sceneItems } = await obs.call('GetSceneItemList', { sceneName });
    return (sceneItems as SceneItem[]).filter((i) => i.sceneItemEnabled === true && typeof i.sourceName === 'string').map((i) => i.sourceName as string);
  }
}
