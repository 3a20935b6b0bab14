/**
 * Holding a hand-off until the next site's feed is buffered at every display
 * (`conductor.holdUntilBuffered`, bounded by `conductor.holdMs`). The pure
 * part: which site a command would put on air, and which displays are not
 * ready to show it (from the `ready` list their site state reports). The
 * shell step: {@link DisplayReadiness} keeps those lists and waits, on the
 * clock it is given, until none is missing or the bound is reached. The
 * conductor waits before it applies the command, so the role checks that
 * follow see a role lost meanwhile, and nothing of the hold is published.
 */
import type { Clock } from '../appliance/clock.js';
import { step, type FloorCommand, type FloorRules, type FloorState } from '../floor/machine.js';
import type { EventResult } from '../protocol/schemas.js';
import type { DisplayPart } from '../protocol/site-state.js';

/** A display not heard from for this long (its box publishes every 10 s) is not waited for. */
export const DISPLAY_STALE_MS = 30_000;

const HAND_OFFS = new Set(['grant', 'next', 'pass']);

/** The site `cmd` would put on air (a grant, next or pass that changes who is on air), or null. Pure: peeks at the floor machine. */
export function handOffTarget(state: FloorState, cmd: FloorCommand, rules: FloorRules, now: number): string | null {
  const action = cmd.kind === 'intent' ? cmd.intent.action : cmd.control.action;
  if (!HAND_OFFS.has(action)) return null;
  const result = step(state, cmd, rules, now);
  if (!result.accepted || result.duplicate || !result.changed) return null;
  const onAir = result.state.onAir;
  return onAir && onAir !== state.onAir ? onAir : null;
}

export interface DisplayView {
  /** The feeds the display can switch to at once. */
  ready: readonly string[];
  /** When its state came (the conductor's clock). */
  seenAt: number;
}

/**
 * The displays that are not ready to show `site`: among those that report a
 * `ready` list and were heard from within {@link DISPLAY_STALE_MS}, leaving out
 * the site's own (a display never shows its own room).
 */
export function displaysNotReady(displays: ReadonlyMap<string, DisplayView>, site: string, now: number): string[] {
  const missing: string[] = [];
  for (const [viewer, view] of displays) {
    if (viewer === site || now - view.seenAt > DISPLAY_STALE_MS) continue;
    if (!view.ready.includes(site)) missing.push(viewer);
  }
  return missing.sort();
}

/** What a hold did, as the answer carries it (`hold` on `events`). */
export interface HoldOutcome {
  /** How long the command waited, in ms. */
  waitedMs: number;
  /** Every display was ready before the bound. */
  ready: boolean;
  /** The displays still not ready when it went ahead. */
  notReady: string[];
}

/** The answer with what the hold did (no hold: unchanged). */
export function withHold(answer: EventResult, hold: HoldOutcome | null): EventResult {
  return hold ? { ...answer, hold } : answer;
}

/** The displays' `ready` lists, and waits on them. */
export class DisplayReadiness {
  private readonly displays = new Map<string, DisplayView>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** A site's state came: its display part (absent: that site has no display, or no `ready` list). */
  update(site: string, display: DisplayPart | undefined): void {
    if (!display?.ready) {
      this.displays.delete(site);
    } else {
      this.displays.set(site, { ready: [...display.ready], seenAt: this.clock.now() });
    }
    this.wake();
  }

  /** Something a waiter may care about changed (the role): each checks again. */
  wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  notReady(site: string): string[] {
    return displaysNotReady(this.displays, site, this.clock.now());
  }

  /** For a command that hands the floor to a site: the wait for the displays (at most `holdMs`); null for any other command. */
  holdFor(cmd: FloorCommand, state: FloorState, rules: FloorRules, holdMs: number, cancelled: () => boolean): { site: string; done: Promise<HoldOutcome> } | null {
    const site = handOffTarget(state, cmd, rules, this.clock.now());
    return site ? { site, done: this.wait(site, holdMs, cancelled) } : null;
  }

  /** Resolves once every display is ready to show `site`, or after `holdMs`, or when `cancelled()` says so. */
  wait(site: string, holdMs: number, cancelled: () => boolean = () => false): Promise<HoldOutcome> {
    const start = this.clock.now();
    return new Promise((resolve) => {
      let timer: unknown = null;
      const finish = (): void => {
        this.waiters.delete(check);
        if (timer !== null) this.clock.clearTimeout(timer);
        const notReady = this.notReady(site);
        resolve({ waitedMs: Math.max(0, Math.round(this.clock.now() - start)), ready: notReady.length === 0, notReady });
      };
      const check = (): void => {
        if (this.notReady(site).length === 0 || cancelled()) finish();
      };
      if (this.notReady(site).length === 0 || cancelled()) return finish();
      this.waiters.add(check);
      timer = this.clock.setTimeout(finish, holdMs);
    });
  }
}
