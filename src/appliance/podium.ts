/**
 * The podium: the room's ON AIR and NEXT lamps, the buttons with their
 * gestures, and each button's lamp. A press becomes an intent through the
 * {@link PressOutbox}; a preset gesture is told to the runtime, which passes
 * it to the PTZ feature on the bus.
 *
 * Button lamps: `lamps.button` is the site's podium lamp; a button with its
 * own `lamp` shows the same pattern there (the two share one output when they
 * name the same one), and a press that fails flashes the lamp of the button
 * that made it (`lamps.button` for a press without a lamp of its own).
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { resolveButtonAction, type ButtonConfig } from '../buttons/config.js';
import { GestureRecognizer, realGestureClock, type Gesture, type GestureClock } from '../buttons/gestures.js';
import type { SiteConfig } from '../config/schema.js';
import { pinSpec } from '../hardware/config.js';
import { PatternOutput } from '../hardware/patterns.js';
import type { DigitalInput, IoDriver, LampPattern } from '../hardware/types.js';
import type { IntentAction } from '../protocol/schemas.js';
import { buttonLamp, countdownCue, roomLamps, type CountdownCue } from './camera-tally.js';
import type { Clock } from './clock.js';
import type { Feature, FeatureContext, SiteRole } from './feature.js';
import { buttonRole } from './floor-view.js';
import { PressOutbox, type Press, type PressOutboxEvents } from './press-outbox.js';
import { t } from '../i18n/index.js';

/** What a press asks for; `auto` depends on the site's role. */
export type ButtonAction = 'auto' | IntentAction;

export interface LampView {
  pattern: string;
  level: boolean;
}

export type RoomLampViews = Record<'onAir' | 'next' | 'button', LampView>;

export interface PodiumOptions {
  config: Pick<SiteConfig, 'io' | 'lamps' | 'buttons' | 'link'>;
  driver: IoDriver;
  /** Outbox and lamp timers. */
  clock: Clock;
  /** Debounce and gesture timers; monotonic by default. */
  gestureClock?: GestureClock;
}

export interface PodiumEvents extends Pick<PressOutboxEvents, 'press'> {
  /** The conductor rejected one of this site's intents. */
  rejected: [id: string, reason: string];
  /** A gesture mapped to `preset:<camera>:<n>`. */
  preset: [camera: string, preset: number];
  /** A lamp changed its pattern or level. */
  lamps: [];
}

export class PodiumFeature extends EventEmitter<PodiumEvents> implements Feature {
  readonly name = 'podium';
  private ctx: FeatureContext | null = null;
  private outbox: PressOutbox | null = null;
  private room: { onAir: PatternOutput; next: PatternOutput } | null = null;
  /** Every button lamp by output name; `lamps.button` among them. */
  private readonly buttonLamps = new Map<string, PatternOutput>();
  /** Which lamp flashes when a press in flight fails. */
  private readonly lampOfPress = new Map<string, string>();
  private inputs: DigitalInput[] = [];
  private recognizers: GestureRecognizer[] = [];
  private readonly refresh = (): void => this.updateLamps();
  /** Wakes the lamps when the on-air item enters its last minute, and when it runs over. */
  private cueTimer: unknown = null;
  private readonly onLink = (up: boolean): void => {
    this.outbox?.linkChanged(up);
    this.updateLamps();
  };

  constructor(private readonly options: PodiumOptions) {
    super();
  }

  /** Presses dropped because the link stayed down longer than `link.holdPressMs`. */
  get droppedPresses(): number {
    return this.outbox?.droppedPresses ?? 0;
  }

  async start(ctx: FeatureContext): Promise<void> {
    const { config, driver, clock } = this.options;
    this.ctx = ctx;
    const open = async (name: string, usedAt: string): Promise<PatternOutput> =>
      new PatternOutput(await driver.openOutput(pinSpec(config.io, 'output', name, usedAt)), clock, () => this.emit('lamps'));
    try {
      this.room = { onAir: await open(config.lamps.onAir, 'lamps.onAir'), next: await open(config.lamps.next, 'lamps.next') };
      this.buttonLamps.set(config.lamps.button, await open(config.lamps.button, 'lamps.button'));
      for (const [name, button] of Object.entries(config.buttons)) await this.openButton(name, button, open);
    } catch (err) {
      // A bad name or a busy pin: give back what was opened, then say what failed.
      await this.close();
      throw err;
    }
    const outbox = new PressOutbox({
      site: ctx.site,
      holdPressMs: config.link.holdPressMs,
      clock,
      log: ctx.log,
      send: (press) => void ctx.publish('siteIntent', { site: ctx.site }, { id: press.id, action: press.action, origin: press.origin, ...(press.to ? { to: press.to } : {}) }),
    });
    this.outbox = outbox;
    outbox.on('press', (outcome, action, id) => this.emit('press', outcome, action, id));
    outbox.on('change', this.refresh);
    outbox.on('settled', (press, how, reason) => this.settled(press, how, reason));
    outbox.linkChanged(ctx.linkUp());
    ctx.bus.on('floor', this.refresh);
    ctx.bus.on('link', this.onLink);
    await ctx.subscribe('events', {}, (result) => outbox.answer(result));
    this.updateLamps();
  }

  async stop(): Promise<void> {
    this.clearCueTimer();
    this.ctx?.bus.off('floor', this.refresh);
    this.ctx?.bus.off('link', this.onLink);
    this.outbox?.stop();
    await this.close();
  }

  /** The room lamps (for the demo screen and tests). */
  lampPatterns(): RoomLampViews | null {
    const button = this.buttonLamps.get(this.options.config.lamps.button);
    if (!this.room || !button) return null;
    return { onAir: view(this.room.onAir), next: view(this.room.next), button: view(button) };
  }

  /**
   * A press of `action` (`auto` reads the site's role). While the link is down
   * it is held and sent when the link comes back, if younger than
   * `link.holdPressMs`; else it is dropped and the button lamp flashes.
   */
  press(action: ButtonAction = 'auto', origin = 'button', to?: string, lamp?: string): string {
    const resolution = resolveButtonAction(action, this.buttonRole());
    if (resolution.kind !== 'intent') throw new Error(`press: ${action} is not an intent`);
    if (!this.outbox || !this.ctx) throw new Error('press: the podium has not started');
    const id = `${this.ctx.site}-${randomUUID()}`;
    const press: Press = { id, action: resolution.action, origin, at: this.options.clock.now(), ...(to ? { to } : {}) };
    if (lamp) this.lampOfPress.set(id, lamp);
    this.outbox.submit(press);
    return id;
  }

  private async openButton(name: string, button: ButtonConfig, open: (pin: string, usedAt: string) => Promise<PatternOutput>): Promise<void> {
    const { lamps } = this.options.config;
    let lamp = button.lamp;
    if (lamp && (lamp === lamps.onAir || lamp === lamps.next)) {
      this.ctx?.log.warn(t('logs.buttonLampShared', { name, which: t(lamp === lamps.onAir ? 'tally.onAir' : 'tally.next') }), { lamp });
      lamp = undefined;
    }
    if (lamp && !this.buttonLamps.has(lamp)) this.buttonLamps.set(lamp, await open(lamp, `buttons.${name}.lamp`));
    const input = await this.options.driver.openInput(pinSpec(this.options.config.io, 'input', button.input, `buttons.${name}.input`));
    this.inputs.push(input);
    const gestures = new GestureRecognizer({ bounceMs: button.bounceMs, longMs: button.longMs, doubleMs: button.doubleMs }, this.options.gestureClock ?? realGestureClock);
    this.recognizers.push(gestures);
    input.on('edge', (level) => gestures.input(level));
    gestures.on('gesture', (gesture) => this.onGesture(name, gesture, button, lamp));
  }

  private onGesture(name: string, gesture: Gesture, button: ButtonConfig, lamp: string | undefined): void {
    if (gesture.kind === 'release') return;
    const resolved = resolveButtonAction(button.gestures[gesture.kind], this.buttonRole());
    if (resolved.kind === 'none') return;
    if (resolved.kind === 'preset') {
      this.ctx?.log.info('button recalls a camera preset', { button: name, camera: resolved.camera, preset: resolved.preset });
      this.emit('preset', resolved.camera, resolved.preset);
      return;
    }
    this.press(resolved.action, `button:${name}:${gesture.kind}`, undefined, lamp);
  }

  private settled(press: Press, how: string, reason: string | null): void {
    const lamp = this.lampOfPress.get(press.id) ?? this.options.config.lamps.button;
    this.lampOfPress.delete(press.id);
    if (how === 'accepted') return;
    // Rejected, unanswered or dropped: say so on the button rather than blink "pending" for ever.
    this.buttonLamps.get(lamp)?.set('flash3');
    if (how === 'rejected') this.emit('rejected', press.id, reason ?? 'rejected');
  }

  private buttonRole(): SiteRole {
    const ctx = this.ctx;
    return ctx ? buttonRole(ctx.role(), ctx.floor(), ctx.site) : 'idle';
  }

  private updateLamps(): void {
    const ctx = this.ctx;
    if (!this.room || !ctx) return;
    const linkUp = ctx.linkUp();
    const room = roomLamps({ role: ctx.role(), linkUp });
    this.room.onAir.set(room.onAir);
    this.room.next.set(room.next);
    // A site that is next only by the rundown has asked for nothing: its button stays dark.
    const steady: LampPattern = buttonLamp({ role: this.buttonRole(), linkUp }, this.outbox?.pending ?? false, this.cue());
    for (const lamp of this.buttonLamps.values()) lamp.set(steady);
  }

  /** The on-air item's countdown cue now, with a timer set for the moment it next changes. */
  private cue(): CountdownCue {
    this.clearCueTimer();
    const ctx = this.ctx;
    const floor = ctx?.floor();
    if (!ctx || ctx.role() !== 'on-air' || !floor?.plannedEnd || floor.onAir !== ctx.site) return 'none';
    const { clock } = this.options;
    const { cue, changesAt } = countdownCue(Date.parse(floor.plannedEnd), clock.now());
    if (changesAt !== null) this.cueTimer = clock.setTimeout(this.refresh, Math.max(0, changesAt - clock.now()));
    return cue;
  }

  private clearCueTimer(): void {
    if (this.cueTimer !== null) this.options.clock.clearTimeout(this.cueTimer);
    this.cueTimer = null;
  }

  /** Every lamp for the site state: the room lamps, and `button:<output>` for each button's own lamp. */
  lampStates(): Record<string, LampView> {
    const views = this.lampPatterns();
    if (!views) return {};
    const own = [...this.buttonLamps].filter(([name]) => name !== this.options.config.lamps.button).map(([name, lamp]) => [`button:${name}`, view(lamp)]);
    return { ...views, ...Object.fromEntries(own) };
  }

  private async close(): Promise<void> {
    for (const recognizer of this.recognizers) recognizer.dispose();
    const outputs = [...(this.room ? [this.room.onAir, this.room.next] : []), ...this.buttonLamps.values()];
    await Promise.allSettled(outputs.map((o) => o.close()));
    await Promise.allSettled(this.inputs.map((i) => i.close()));
    this.room = null;
    this.buttonLamps.clear();
    this.inputs = [];
    this.recognizers = [];
  }
}

function view(lamp: PatternOutput): LampView {
  return { pattern: lamp.pattern, level: lamp.currentLevel };
}
