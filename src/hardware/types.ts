/**
 * The small contracts every I/O driver implements. Nothing outside
 * `src/hardware/` imports onoff, johnny-five or a GPIO library: features get a
 * driver passed in and only see these interfaces.
 */
import type { EventEmitter } from 'node:events';

/** What a lamp does. Drivers only switch a level; the pattern player makes the timing. */
export type LampPattern =
  | 'off'
  | 'on'
  /** request pending / queued: 1 s period, half on */
  | 'slow-blink'
  /** attention: 250 ms period */
  | 'fast-blink'
  /** one-shot rejection: three 120 ms flashes, then back to the previous steady pattern */
  | 'flash3'
  /** link lost: one 100 ms flash every 2 s, clearly not "on air" */
  | 'link-lost'
  /** the on-air item runs over: a double pulse every 1.5 s, on the button lamp only (never ON AIR) */
  | 'overtime-pulse';

/** A digital input pin after active-low inversion: `true` means "asserted" (button down, tally closed). */
export interface DigitalInput extends EventEmitter<{ edge: [value: boolean, atMs: number] }> {
  readonly name: string;
  /** Current logical level. */
  read(): boolean;
  close(): Promise<void>;
}

/** A digital output: the raw level only. Patterns are layered on top by {@link PatternOutput}. */
export interface DigitalOutput {
  readonly name: string;
  write(level: boolean): void;
  close(): Promise<void>;
}

/** How a pin is named in config: the driver decides what `pin` means (BCM number, Firmata pin, sim name). */
export interface PinSpec {
  name: string;
  pin: number | string;
  /** Inputs wired through an optocoupler or a button to ground read inverted. */
  activeLow?: boolean;
}

/** Whether a driver reaches its pins: `ok: false` while a USB board is unplugged, with what the driver knows. */
export interface IoHealth {
  ok: boolean;
  detail: string | null;
}

/** A family of pins: simulated, sysfs GPIO (onoff) or a Firmata board (johnny-five). */
export interface IoDriver {
  readonly kind: string;
  openInput(spec: PinSpec): Promise<DigitalInput>;
  openOutput(spec: PinSpec): Promise<DigitalOutput>;
  /** Frees every pin this driver opened. */
  close(): Promise<void>;
  /** For drivers with a link that can drop (a Firmata board): whether the pins are reachable now. */
  health?(): IoHealth;
  /** Calls `listener` on every change of {@link health}. */
  onHealthChange?(listener: (health: IoHealth) => void): void;
}
