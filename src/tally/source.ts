/**
 * The one contract every switcher tally source follows (ATEM, OBS, vMix, TSL
 * UMD in): started and stopped by its owner, it tells what the switcher has on
 * program and preview, input by input, and whether it is connected. Mapping
 * those inputs to the site's cameras, and deciding how long the last word can
 * be trusted, are the owner's job ({@link TallyTrust}, the tally feature).
 */
import type { EventEmitter } from 'node:events';

/** The kinds of switcher a box reads tally from (GPI contacts stay in appliance/tally-in.ts). */
export type TallySourceKind = 'atem' | 'obs' | 'vmix' | 'tsl31' | 'tsl5';

/** One input of the switcher as the source sees it. */
export interface InputTally {
  /** The switcher's own id: ATEM/vMix input number, TSL index, OBS scene or source name. */
  id: string;
  /** The name the switcher gives it, when it gives one (ATEM long name, TSL text). */
  name?: string;
  program: boolean;
  preview: boolean;
}

/** Everything the switcher said in its latest update: inputs not listed are neither on program nor preview. */
export interface SwitcherSnapshot {
  inputs: InputTally[];
}

/** The source's link to its switcher. */
export interface SourceConnection {
  connected: boolean;
  /** When `connected` last changed (ms since the epoch, from the source's clock). */
  since: number;
  /** Why it is not connected (or the last refusal), for a person to read; null when fine. */
  error: string | null;
}

export interface TallySourceEvents {
  /** A complete, fresh picture of the switcher's tally (never a partial one). */
  tally: [snapshot: SwitcherSnapshot];
  /** The link came up, went down, or a new error was learnt. */
  connection: [state: SourceConnection];
}

/** A switcher the box reads tally from. `start` never throws for a switcher that is down: it keeps trying. */
export interface TallySource extends EventEmitter<TallySourceEvents> {
  readonly kind: TallySourceKind;
  /** Where it reads from, for logs and `relais tally watch` (`atem 192.168.10.240:9910`). */
  readonly describe: string;
  start(): void;
  /** Closes the link and every timer; no event after it resolves. */
  stop(): Promise<void>;
  connection(): SourceConnection;
}

/** Timers and clock a source or the trust window owns; tests pass a fake clock. */
export interface SourceTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realSourceTimers: SourceTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/** The message of anything thrown, for `SourceConnection.error`. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
