/**
 * One configured PTZ camera over any {@link ViscaLink}: the methods a feature,
 * the CLI or the dashboard call, and what is known of the camera's state.
 */
import { EventEmitter } from 'node:events';
import * as visca from './commands.js';
import type { DriveDirection, DriveSpeed, PanTilt, PowerState, ViscaCommand, ZoomDirection } from './commands.js';
import type { ViscaLink } from './link.js';

/** What the site state shows per camera (`state.cameras[]`). */
export interface CameraStatus {
  name: string;
  online: boolean;
  /** Last command failure, cleared by the next success. */
  lastError: string | null;
  /** Known from the last position inquiry, or null. */
  position: PanTilt | null;
  zoom: number | null;
  power: PowerState | null;
  /** Preset last recalled successfully. */
  preset: number | null;
  tally: boolean | null;
}

export interface CameraOptions {
  /** Address on a serial chain (1-7); always 1 over IP. */
  address?: number;
  /** Highest preset the camera stores. Default 127. */
  maxPreset?: number;
}

export class Camera extends EventEmitter<{ change: [status: CameraStatus] }> {
  readonly address: number;
  private readonly maxPreset: number;
  private readonly state: CameraStatus;

  constructor(
    readonly name: string,
    readonly link: ViscaLink,
    options: CameraOptions = {},
  ) {
    super();
    this.address = options.address ?? 1;
    this.maxPreset = options.maxPreset ?? visca.PRESET.max;
    this.state = { name, online: link.online, lastError: null, position: null, zoom: null, power: null, preset: null, tally: null };
    link.on('online', (up) => {
      this.state.online = up;
      this.changed();
    });
  }

  status(): CameraStatus {
    return { ...this.state, position: this.state.position ? { ...this.state.position } : null };
  }

  /** Records a failure that happened outside a command (the link would not open). */
  noteProblem(message: string): void {
    this.state.lastError = message;
    this.changed();
  }

  async recallPreset(preset: number): Promise<void> {
    await this.run(visca.presetRecall(preset, this.maxPreset));
    this.state.preset = preset;
    this.state.position = null; // moved: unknown until the next inquiry
    this.changed();
  }

  async storePreset(preset: number): Promise<void> {
    await this.run(visca.presetStore(preset, this.maxPreset));
  }

  async resetPreset(preset: number): Promise<void> {
    await this.run(visca.presetReset(preset, this.maxPreset));
  }

  async drive(direction: DriveDirection, speed?: DriveSpeed): Promise<void> {
    await this.run(visca.drive(direction, speed));
    this.state.position = null;
  }

  /** Cancels the commands the camera is running (a preset move on its way, say); resolves with their names. */
  async cancel(): Promise<string[]> {
    return this.link.cancel(this.address);
  }

  async stop(): Promise<void> {
    await this.run(visca.stop());
  }

  async zoom(direction: ZoomDirection, speed?: number): Promise<void> {
    await this.run(visca.zoom(direction, speed));
    this.state.zoom = null;
  }

  async zoomTo(position: number): Promise<void> {
    await this.run(visca.zoomDirect(position));
    this.state.zoom = position;
    this.changed();
  }

  async absolute(pan: number, tilt: number, speed?: DriveSpeed): Promise<void> {
    await this.run(visca.absolutePosition(pan, tilt, speed));
    this.state.position = { pan, tilt };
    this.changed();
  }

  async home(): Promise<void> {
    await this.run(visca.home());
    this.state.position = { pan: 0, tilt: 0 };
    this.changed();
  }

  async power(on: boolean): Promise<void> {
    await this.run(visca.power(on));
    this.state.power = on ? 'on' : 'standby';
    this.changed();
  }

  async setTally(on: boolean): Promise<void> {
    await this.run(visca.tally(on));
    this.state.tally = on;
    this.changed();
  }

  async inquirePower(): Promise<PowerState> {
    const value = await this.run(visca.inquirePower());
    this.state.power = value;
    this.changed();
    return value;
  }

  async inquireZoom(): Promise<number> {
    const value = await this.run(visca.inquireZoom());
    this.state.zoom = value;
    this.changed();
    return value;
  }

  async inquirePosition(): Promise<PanTilt> {
    const value = await this.run(visca.inquirePosition());
    this.state.position = value;
    this.changed();
    return value;
  }

  private async run<T>(cmd: ViscaCommand<T>): Promise<T> {
    try {
      const result = await this.link.send(this.address, cmd);
      if (this.state.lastError !== null) {
        this.state.lastError = null;
        this.changed();
      }
      return result.value;
    } catch (error) {
      this.state.lastError = (error as Error).message;
      this.changed();
      throw error;
    }
  }

  private changed(): void {
    this.emit('change', this.status());
  }
}
