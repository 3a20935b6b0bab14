/**
 * The network switchers' tally as an appliance feature: each configured
 * source feeds its trust window, its cameras' program/preview go through the
 * same truth table as the GPI contacts ({@link cameraLamps}) to their red and
 * green lamps, the site's `state.tally` shows cameras, unknown cameras and
 * each source's connection, and relais's own tally (floor × local program)
 * goes out as TSL UMD when `tallyOut` is configured, for the GPI contacts'
 * cameras as well.
 *
 * Other features (PTZ: the camera's VISCA tally lamp) listen to `change`.
 */
import { EventEmitter } from 'node:events';
import type { Feature, FeatureContext } from '../appliance/feature.js';
import { cameraLamps, type CameraLamps, type SwitcherTally } from '../appliance/camera-tally.js';
import { pinSpec, type IoConfig } from '../hardware/config.js';
import { PatternOutput, type Timers } from '../hardware/patterns.js';
import type { IoDriver } from '../hardware/types.js';
import type { TallyInPart, TallySourcePart } from '../protocol/site-state.js';
import type { TallyOutConfig, TallySourceConfig } from './config.js';
import { inputMapping, openTallySource } from './open.js';
import { realSourceTimers, type SourceTimers, type TallySource } from './source.js';
import { TallySender } from './tally-sender.js';
import { TallyTrust, camerasFromSnapshot } from './trust.js';

export interface SwitcherTallyOptions {
  sources: readonly TallySourceConfig[];
  tallyOut?: TallyOutConfig;
  driver: IoDriver;
  io: IoConfig;
  /** Timers for the trust windows, redials and lamp patterns (tests pass a fake clock). */
  timers?: SourceTimers;
  /** Builds a source from its config (tests may wrap it). */
  open?: (config: TallySourceConfig, timers: SourceTimers) => TallySource;
  /**
   * The GPI contacts' tally (the `tallyIn` feature, started before this one):
   * its cameras go out on `tallyOut` too. Their lamps and state stay theirs.
   */
  contacts?: ContactTally;
}

/** What tally out needs of the GPI contacts' feature. */
export interface ContactTally {
  snapshot(): Record<string, SwitcherTally>;
  on(event: 'change', listener: () => void): unknown;
  off(event: 'change', listener: () => void): unknown;
}

interface Reader {
  config: TallySourceConfig;
  source: TallySource;
  trust: TallyTrust;
  mapping: Record<string, string | number>;
}

interface CameraLampsOut {
  red: PatternOutput | null;
  green: PatternOutput | null;
}

export class SwitcherTallyFeature extends EventEmitter<{ change: [camera: string, tally: SwitcherTally | null] }> implements Feature {
  readonly name = 'tallySources';
  private readonly readers: Reader[] = [];
  private readonly lamps = new Map<string, CameraLampsOut>();
  private readonly outputs = new Map<string, PatternOutput>();
  private readonly last = new Map<string, SwitcherTally | null>();
  private ctx: FeatureContext | null = null;
  private out: TallySender | null = null;
  private readonly timers: SourceTimers;
  private readonly refresh = (): void => this.update();

  constructor(private readonly options: SwitcherTallyOptions) {
    super();
    this.timers = options.timers ?? realSourceTimers;
  }

  /** Every mapped camera now: program/preview, or null when unknown. */
  snapshot(): Record<string, SwitcherTally | null> {
    const out: Record<string, SwitcherTally | null> = {};
    for (const r of this.readers) Object.assign(out, camerasFromSnapshot(r.trust.current(), r.mapping));
    return out;
  }

  /**
   * The lamps each camera shows now (what the truth table makes of its tally
   * and the floor): the network sources' cameras and the GPI contacts' ones.
   */
  cameraLamps(): Record<string, CameraLamps> {
    const site = { role: this.ctx?.role() ?? 'idle', linkUp: this.ctx?.linkUp() ?? false };
    const all = { ...this.options.contacts?.snapshot(), ...this.snapshot() };
    return Object.fromEntries(Object.entries(all).map(([camera, tally]) => [camera, cameraLamps(tally, site)]));
  }

  async start(ctx: FeatureContext): Promise<void> {
    this.ctx = ctx;
    try {
      for (const config of this.options.sources) await this.openLamps(config);
    } catch (err) {
      await this.closeLamps();
      this.ctx = null;
      throw err;
    }
    const open = this.options.open ?? openTallySource;
    for (const config of this.options.sources) {
      const source = open(config, this.timers);
      const trust = new TallyTrust(config.trustMs, this.timers);
      source.on('tally', (snapshot) => trust.tally(snapshot));
      source.on('connection', (state) => {
        trust.connection(state);
        ctx.log.info('tally source', { source: source.describe, connected: String(state.connected), error: state.error ?? '' });
        this.report();
      });
      trust.on('change', this.refresh);
      this.readers.push({ config, source, trust, mapping: inputMapping(config) });
    }
    if (this.options.tallyOut) {
      this.out = new TallySender(this.options.tallyOut, this.timers);
      this.out.start();
    }
    ctx.bus.on('role', this.refresh);
    ctx.bus.on('link', this.refresh);
    this.options.contacts?.on('change', this.refresh);
    for (const r of this.readers) r.source.start();
    this.update();
  }

  private async openLamps(config: TallySourceConfig): Promise<void> {
    for (const [camera, m] of Object.entries(config.cameras)) {
      const red = 'red' in m && m.red ? await this.output(m.red, `${camera}.red`) : null;
      const green = 'green' in m && m.green ? await this.output(m.green, `${camera}.green`) : null;
      this.lamps.set(camera, { red, green });
    }
  }

  private async output(name: string, usedAt: string): Promise<PatternOutput> {
    const open = this.outputs.get(name);
    if (open) return open;
    const output = new PatternOutput(await this.options.driver.openOutput(pinSpec(this.options.io, 'output', name, `tallySources.${usedAt}`)), this.timers as Timers);
    this.outputs.set(name, output);
    return output;
  }

  private update(): void {
    const lamps = this.cameraLamps();
    for (const [camera, l] of Object.entries(lamps)) {
      const out = this.lamps.get(camera);
      out?.red?.set(l.red);
      out?.green?.set(l.green);
    }
    this.out?.set(lamps);
    for (const [camera, tally] of Object.entries(this.snapshot())) {
      const before = this.last.get(camera);
      if (before !== undefined && JSON.stringify(before) === JSON.stringify(tally)) continue;
      this.last.set(camera, tally);
      this.emit('change', camera, tally);
    }
    this.report();
  }

  private report(): void {
    if (!this.ctx) return;
    const cameras: TallyInPart['cameras'] = {};
    const unknown: string[] = [];
    for (const [camera, tally] of Object.entries(this.snapshot())) {
      cameras[camera] = tally ?? { program: false, preview: false };
      if (!tally) unknown.push(camera);
    }
    const sources: TallySourcePart[] = this.readers.map((r) => {
      const c = r.source.connection();
      return { kind: r.source.kind, describe: r.source.describe, connected: c.connected, since: new Date(c.since).toISOString(), error: c.error };
    });
    this.ctx.reportState('tallySources', { cameras, unknown, sources, ...(sources[0] ? { source: sources[0] } : {}) });
  }

  private async closeLamps(): Promise<void> {
    await Promise.allSettled([...this.outputs.values()].map((o) => o.close()));
    this.outputs.clear();
    this.lamps.clear();
  }

  async stop(): Promise<void> {
    this.ctx?.bus.off('role', this.refresh);
    this.ctx?.bus.off('link', this.refresh);
    this.options.contacts?.off('change', this.refresh);
    await Promise.allSettled(this.readers.map(async (r) => {
      r.trust.stop();
      await r.source.stop();
    }));
    this.readers.length = 0;
    await this.out?.stop();
    this.out = null;
    await this.closeLamps();
    this.ctx = null;
  }
}
