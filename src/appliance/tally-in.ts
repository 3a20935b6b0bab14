/**
 * Tally in: reads the video switcher's tally/GPI contacts (one closed contact
 * per camera for program, one for preview, usually through an optocoupler, so
 * active-low), reports each camera's state in the site's `state`, and lights
 * the per-camera red/green lamps from {@link cameraLamps}.
 *
 * Every contact settles as the podium buttons do (src/buttons/settle.ts): a
 * change is taken at once and the relay's bounce after it is ignored for the
 * camera's `bounceMs`, so one switch of the switcher is one state report and
 * one VISCA tally command, not one per bounce.
 *
 * Other features (PTZ: the camera's own VISCA tally lamp) listen to `change`.
 */
import { EventEmitter } from 'node:events';
import type { Feature, FeatureContext, SiteRole } from './feature.js';
import { cameraLamps, type SwitcherTally } from './camera-tally.js';
import type { DigitalInput, IoDriver } from '../hardware/types.js';
import { PatternOutput, type Timers } from '../hardware/patterns.js';
import { SettlingContact } from '../buttons/settle.js';
import { realClock } from './clock.js';
import { pinSpec, type IoConfig } from '../hardware/config.js';
import type { TallyInConfig } from './tally-in-config.js';

export interface TallyInOptions {
  driver: IoDriver;
  io: IoConfig;
  cameras: TallyInConfig;
  /** Timers for the lamp patterns and the contacts' settle time (tests pass a fake clock). */
  timers?: Timers;
}

interface CameraWiring {
  program: SettlingContact;
  preview: SettlingContact | null;
  red: PatternOutput | null;
  green: PatternOutput | null;
  last: SwitcherTally;
}

export class TallyInFeature extends EventEmitter<{ change: [camera: string, tally: SwitcherTally] }> implements Feature {
  readonly name = 'tallyIn';
  private readonly cameras = new Map<string, CameraWiring>();
  private readonly inputs = new Map<string, DigitalInput>();
  private readonly outputs = new Map<string, PatternOutput>();
  private readonly timers: Timers;
  private readonly unlisten: Array<() => void> = [];
  private ctx: FeatureContext | null = null;
  private readonly onRole = (): void => this.refreshLamps();
  private readonly onLink = (): void => this.refreshLamps();

  constructor(private readonly options: TallyInOptions) {
    super();
    this.timers = options.timers ?? realClock;
  }

  /** Program/preview of every camera now. */
  snapshot(): Record<string, SwitcherTally> {
    const out: Record<string, SwitcherTally> = {};
    for (const [name, cam] of this.cameras) out[name] = { ...cam.last };
    return out;
  }

  async start(ctx: FeatureContext): Promise<void> {
    this.ctx = ctx;
    try {
      for (const [camera, wiring] of Object.entries(this.options.cameras)) {
        const at = `tallyIn.${camera}`;
        const program = await this.input(wiring.program, `${at}.program`);
        const preview = wiring.preview ? await this.input(wiring.preview, `${at}.preview`) : null;
        const red = wiring.red ? await this.output(wiring.red, `${at}.red`) : null;
        const green = wiring.green ? await this.output(wiring.green, `${at}.green`) : null;
        const update = (): void => this.inputChanged(camera, cam);
        const cam: CameraWiring = {
          program: this.settle(program, wiring.bounceMs, update),
          preview: preview ? this.settle(preview, wiring.bounceMs, update) : null,
          red,
          green,
          last: { program: program.read(), preview: preview?.read() ?? false },
        };
        this.cameras.set(camera, cam);
      }
    } catch (err) {
      // A bad name or a busy pin: give back what was opened, then say what failed.
      await this.closePins();
      this.ctx = null;
      throw err;
    }
    ctx.bus.on('role', this.onRole);
    ctx.bus.on('link', this.onLink);
    this.refreshLamps();
    this.report();
    ctx.log.info('tally inputs ready', { cameras: [...this.cameras.keys()].join(',') || 'none' });
  }

  private async input(name: string, usedAt: string): Promise<DigitalInput> {
    const open = this.inputs.get(name);
    if (open) return open;
    const input = await this.options.driver.openInput(pinSpec(this.options.io, 'input', name, usedAt));
    this.inputs.set(name, input);
    return input;
  }

  private async output(name: string, usedAt: string): Promise<PatternOutput> {
    const open = this.outputs.get(name);
    if (open) return open;
    const output = new PatternOutput(await this.options.driver.openOutput(pinSpec(this.options.io, 'output', name, usedAt)), this.options.timers);
    this.outputs.set(name, output);
    return output;
  }

  /** The input's edges through a settling contact of its own; the listener goes on stop. */
  private settle(input: DigitalInput, bounceMs: number, onChange: () => void): SettlingContact {
    const contact = new SettlingContact(input.read(), bounceMs, this.timers, onChange);
    const onEdge = (level: boolean): void => contact.input(level);
    input.on('edge', onEdge);
    this.unlisten.push(() => {
      input.off('edge', onEdge);
      contact.dispose();
    });
    return contact;
  }

  private inputChanged(camera: string, cam: CameraWiring): void {
    const next: SwitcherTally = { program: cam.program.level, preview: cam.preview?.level ?? false };
    if (next.program === cam.last.program && next.preview === cam.last.preview) return;
    cam.last = next;
    this.lightCamera(cam);
    this.report();
    this.emit('change', camera, { ...next });
  }

  private site(): { role: SiteRole; linkUp: boolean } {
    return { role: this.ctx?.role() ?? 'idle', linkUp: this.ctx?.linkUp() ?? false };
  }

  private lightCamera(cam: CameraWiring): void {
    const lamps = cameraLamps(cam.last, this.site());
    cam.red?.set(lamps.red);
    cam.green?.set(lamps.green);
  }

  private refreshLamps(): void {
    for (const cam of this.cameras.values()) this.lightCamera(cam);
  }

  private report(): void {
    this.ctx?.reportState('tallyIn', { cameras: this.snapshot() });
  }

  private async closePins(): Promise<void> {
    for (const unlisten of this.unlisten.splice(0)) unlisten();
    await Promise.allSettled([...this.outputs.values()].map((o) => o.close()));
    await Promise.allSettled([...this.inputs.values()].map((i) => i.close()));
    this.outputs.clear();
    this.inputs.clear();
    this.cameras.clear();
  }

  async stop(): Promise<void> {
    if (this.ctx) {
      this.ctx.bus.off('role', this.onRole);
      this.ctx.bus.off('link', this.onLink);
    }
    await this.closePins();
    this.ctx = null;
  }
}
