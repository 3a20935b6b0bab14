/**
 * The appliance's PTZ feature: opens the configured cameras, recalls the
 * preset bound to the site's new role, lights camera tally lamps while on air,
 * reports `cameras` into the site state and runs dashboard commands from
 * `site/<site>/ptz/command`, answering on `site/<site>/ptz/result`.
 *
 * At start-up nothing moves: a box restarting mid-show must not swing a
 * camera that is on air. Only role *changes* recall presets.
 */
import type { Delivery, Feature, FeatureContext, Refusal, SiteRole } from '../appliance/feature.js';
import type { PtzCommand, PtzResult } from '../protocol/ptz.js';
import type { CameraPart } from '../protocol/site-state.js';
import type { Logger } from '../util/log.js';
import type { Camera, CameraStatus } from './camera.js';
import { resolvePreset, type PtzCameraConfig, type PtzConfig } from './config.js';
import type { ViscaLink } from './link.js';
import { buildRig, type CameraRig, type LinkFactory } from './open.js';
import { t } from '../i18n/index.js';

export interface PtzFeatureOptions {
  cameras: PtzConfig;
  /** Builds links; defaults to real serial ports and sockets. */
  linkFactory?: LinkFactory;
  /** Delay between attempts to open a link that failed. Default 10 s. */
  reopenMs?: number;
  /** The tally features (GPI contacts, network switchers): a camera they know lights only while on the local program. */
  programFeeds?: readonly ProgramFeed[];
}

/** What the PTZ feature needs of a tally feature: its per-camera `change` (null: tally unknown). */
export interface ProgramFeed {
  on(event: 'change', listener: (camera: string, tally: { program: boolean } | null) => void): unknown;
  off(event: 'change', listener: (camera: string, tally: { program: boolean } | null) => void): unknown;
}

export class PtzFeature implements Feature {
  readonly name = 'ptz';
  private ctx: FeatureContext | null = null;
  private log: Logger | null = null;
  private rig: CameraRig | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private reportScheduled = false;
  private stopped = false;
  private readonly onRole = (role: SiteRole): void => this.applyRole(role);
  private readonly onPreset = (name: string, preset: number): void => this.recallFromButton(name, preset);
  /** Cameras a tally feed knows, and whether they are on the local program (unknown counts as not). */
  private readonly onProgram = new Map<string, boolean>();
  private readonly onTally = (camera: string, tally: { program: boolean } | null): void => {
    this.onProgram.set(camera, tally?.program === true);
    if (this.ctx) this.applyTally(this.ctx.role());
  };

  constructor(private readonly options: PtzFeatureOptions) {}

  async start(ctx: FeatureContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.log.child('ptz');
    this.stopped = false;
    const rig = buildRig(this.options.cameras, this.options.linkFactory);
    this.rig = rig;
    for (const { camera } of rig.cameras.values()) camera.on('change', () => this.scheduleReport());
    for (const [key, link] of rig.links) {
      link.on('problem', (error) => this.log?.warn(t('logs.cameraLinkProblem'), { link: link.description, error: error.message }));
      link.on('online', (up) => {
        this.log?.info(up ? 'camera link up' : 'camera link down', { link: link.description });
        if (up) this.applyTally(ctx.role());
        // A serial adapter pulled out does not come back by itself; TCP reconnects on its own and this is then a no-op.
        else if (!this.stopped) this.later(() => this.openLink(key, link), this.options.reopenMs ?? 10_000);
      });
    }
    await ctx.subscribe('ptzCommand', { site: ctx.site }, (cmd) => void this.execute(cmd), { onBad: (refusal, from) => this.refuse(refusal, from) });
    ctx.bus.on('role', this.onRole);
    ctx.bus.on('preset', this.onPreset);
    for (const feed of this.options.programFeeds ?? []) feed.on('change', this.onTally);
    // Links open in the background: one dead camera must not hold up the appliance.
    for (const [key, link] of rig.links) this.openLink(key, link);
    this.report();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ctx?.bus.off('role', this.onRole);
    this.ctx?.bus.off('preset', this.onPreset);
    for (const feed of this.options.programFeeds ?? []) feed.off('change', this.onTally);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const links = [...(this.rig?.links.values() ?? [])];
    await Promise.allSettled(links.map((link) => link.close()));
  }

  /** Status of every camera, as reported into the site state. */
  /** Each camera's status with its configured presets (number and name), as the site state carries them. */
  statuses(): CameraPart[] {
    return [...(this.rig?.cameras.values() ?? [])].map(({ camera, config }) => ({ ...camera.status(), presets: configuredPresets(config) }));
  }

  private openLink(key: string, link: ViscaLink): void {
    if (this.stopped || link.online) return;
    link.open().then(
      () => this.log?.info('camera link open', { link: link.description }),
      (error: Error) => {
        this.log?.warn(t('logs.cameraLinkOpen'), { link: link.description, error: error.message, inMs: this.options.reopenMs ?? 10_000 });
        for (const { camera } of this.rig?.cameras.values() ?? []) {
          if (camera.link === link) camera.noteProblem(error.message);
        }
        this.later(() => this.openLink(key, link), this.options.reopenMs ?? 10_000);
      },
    );
  }

  /** The camera already holds the error as `lastError`; this logs it. */
  private noteError(camera: Camera, config: PtzCameraConfig, error: Error): void {
    this.log?.warn(t('logs.cameraCommandFailed'), { camera: config.name, address: camera.address, error: error.message });
  }

  /** A podium button mapped to `preset:<camera>:<n>`. */
  private recallFromButton(name: string, preset: number): void {
    const entry = [...(this.rig?.cameras.values() ?? [])].find((c) => c.config.name === name);
    if (!entry) {
      this.log?.warn(t('logs.buttonUnknownCamera'), { camera: name, preset });
      return;
    }
    this.log?.info('recalling a preset from a button', { camera: name, preset });
    entry.camera.recallPreset(preset).catch((error: Error) => this.noteError(entry.camera, entry.config, error));
  }

  private applyRole(role: SiteRole): void {
    if (!this.rig) return;
    for (const { camera, config } of this.rig.cameras.values()) {
      const ref = config.bindings[role];
      if (ref !== undefined) {
        const preset = resolvePreset(config, ref);
        if (preset !== null) {
          this.log?.info('recalling bound preset', { camera: config.name, role, preset });
          camera.recallPreset(preset).catch((error: Error) => this.noteError(camera, config, error));
        }
      }
    }
    this.applyTally(role);
  }

  private applyTally(role: SiteRole): void {
    for (const { camera, config } of this.rig?.cameras.values() ?? []) {
      if (!config.tally || !camera.link.online) continue;
      // Red on the camera is the same promise as its red lamp: the floor, and the switcher's program when one is known.
      const on = role === 'on-air' && (this.onProgram.get(config.name) ?? true);
      if (camera.status().tally === on) continue;
      camera.setTally(on).catch((error: Error) => this.noteError(camera, config, error));
    }
  }

  /** A command that failed validation (the runtime counted it). */
  private refuse(refusal: Refusal, from: Delivery): void {
    this.log?.warn(t('logs.badPtzCommand'), { topic: from.topic, reason: refusal.reason });
    // A command with a readable id is answered, so the dashboard's pending action learns why at once.
    if (refusal.id) void this.publishResult(refusedResult(refusal.id, refusal.raw, refusal.reason));
  }

  private async publishResult(result: PtzResult): Promise<void> {
    if (!this.ctx || this.stopped) return;
    await this.ctx.publish('ptzResult', { site: this.ctx.site }, result);
  }

  /** Runs one command and publishes its result. Never throws. */
  async execute(cmd: PtzCommand): Promise<PtzResult> {
    const entry = this.rig?.cameras.get(cmd.camera);
    let result: PtzResult;
    if (!entry) {
      const known = [...(this.rig?.cameras.keys() ?? [])].join(', ') || t('visca.result.noneConfigured');
      result = this.result(cmd, t('visca.result.noCamera', { camera: cmd.camera, site: this.ctx?.site ?? '?', known }));
    } else {
      try {
        const value = await this.run(entry.camera, entry.config, cmd);
        result = this.result(cmd, null, value);
      } catch (error) {
        result = this.result(cmd, (error as Error).message);
      }
    }
    await this.publishResult(result);
    return result;
  }

  private async run(camera: Camera, config: PtzCameraConfig, cmd: PtzCommand): Promise<PtzResult['value'] | void> {
    switch (cmd.op) {
      case 'recall':
      case 'store': {
        const preset = resolvePreset(config, cmd.preset);
        if (preset === null) throw new Error(t('visca.result.noPreset', { camera: config.name, preset: cmd.preset, known: Object.keys(config.presets).join(', ') || t('visca.result.noPresets') }));
        return cmd.op === 'recall' ? camera.recallPreset(preset) : camera.storePreset(preset);
      }
      case 'drive': {
        const speed: { pan?: number; tilt?: number } = {};
        if (cmd.panSpeed !== undefined) speed.pan = cmd.panSpeed;
        if (cmd.tiltSpeed !== undefined) speed.tilt = cmd.tiltSpeed;
        await camera.drive(cmd.direction, speed);
        if (cmd.forMs !== undefined) {
          this.later(() => camera.stop().catch((error: Error) => this.noteError(camera, config, error)), cmd.forMs);
        }
        return undefined;
      }
      case 'stop':
        return camera.stop();
      case 'cancel':
        return camera.cancel();
      case 'zoom':
        return camera.zoom(cmd.direction === 'in' ? 'tele' : cmd.direction === 'out' ? 'wide' : 'stop', cmd.speed);
      case 'zoom-to':
        return camera.zoomTo(cmd.position);
      case 'absolute': {
        const speed: { pan?: number; tilt?: number } = {};
        if (cmd.panSpeed !== undefined) speed.pan = cmd.panSpeed;
        if (cmd.tiltSpeed !== undefined) speed.tilt = cmd.tiltSpeed;
        return camera.absolute(cmd.pan, cmd.tilt, speed);
      }
      case 'home':
        return camera.home();
      case 'power':
        return camera.power(cmd.on);
      case 'tally':
        return camera.setTally(cmd.on);
      case 'inquire':
        return cmd.what === 'power' ? camera.inquirePower() : cmd.what === 'zoom' ? camera.inquireZoom() : camera.inquirePosition();
    }
  }

  private result(cmd: PtzCommand, error: string | null, value?: PtzResult['value'] | void): PtzResult {
    const out: PtzResult = { id: cmd.id, camera: cmd.camera, op: cmd.op, ok: error === null, error, at: new Date().toISOString() };
    if (value !== undefined && value !== null) out.value = value;
    return out;
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Coalesces bursts of camera changes into one state update. */
  private scheduleReport(): void {
    if (this.reportScheduled) return;
    this.reportScheduled = true;
    queueMicrotask(() => {
      this.reportScheduled = false;
      this.report();
    });
  }

  private report(): void {
    if (!this.ctx || this.stopped) return;
    this.ctx.reportState('cameras', this.statuses());
  }
}

/** The configured presets of a camera, in number order, named where the config names them. */
export function configuredPresets(config: PtzCameraConfig): CameraPart['presets'] {
  const byNumber = new Map<number, string | null>();
  for (const [name, number] of Object.entries(config.presets)) if (!byNumber.has(number)) byNumber.set(number, name);
  return [...byNumber.entries()].sort((a, b) => a[0] - b[0]).map(([number, name]) => ({ number, name }));
}

/** The answer to a command refused before it ran: the fields it had, and why. */
function refusedResult(id: string, raw: unknown, reason: string): PtzResult {
  const text = (key: string): string => {
    const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value.slice(0, 64) : '';
  };
  return { id, camera: text('camera'), op: text('op'), ok: false, error: t('visca.result.invalid', { reason }), at: new Date().toISOString() };
}
