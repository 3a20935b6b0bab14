/**
 * The simulated I/O driver: what the demo and the tests use where a real box
 * has GPIO pins. Inputs are pressed by code (`press`, `setLevel`); outputs keep
 * their level and a history of writes that tests can read.
 */
import { EventEmitter } from 'node:events';
import type { DigitalInput, DigitalOutput, IoDriver, IoHealth, PinSpec } from './types.js';

export class SimulatedInput extends EventEmitter<{ edge: [value: boolean, atMs: number] }> implements DigitalInput {
  private level = false;
  constructor(readonly name: string) {
    super();
  }
  read(): boolean {
    return this.level;
  }
  /** Sets the logical level and emits an edge when it changes. */
  setLevel(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.emit('edge', level, performance.now());
  }
  /** A press and release, as a button would make. */
  press(): void {
    this.setLevel(true);
    this.setLevel(false);
  }
  async close(): Promise<void> {
    this.removeAllListeners();
  }
}

export class SimulatedOutput extends EventEmitter<{ write: [level: boolean] }> implements DigitalOutput {
  level = false;
  writes = 0;
  constructor(readonly name: string) {
    super();
  }
  write(level: boolean): void {
    this.level = level;
    this.writes += 1;
    this.emit('write', level);
  }
  async close(): Promise<void> {
    this.level = false;
  }
}

export class SimulatedDriver implements IoDriver {
  readonly kind = 'simulated';
  readonly inputs = new Map<string, SimulatedInput>();
  readonly outputs = new Map<string, SimulatedOutput>();
  private state: IoHealth = { ok: true, detail: null };
  private readonly healthListeners: Array<(health: IoHealth) => void> = [];

  health(): IoHealth {
    return { ...this.state };
  }

  onHealthChange(listener: (health: IoHealth) => void): void {
    this.healthListeners.push(listener);
  }

  /** Plays a board that drops off (`detail` says why) and, with `null`, comes back. */
  simulateLoss(detail: string | null): void {
    this.state = detail === null ? { ok: true, detail: null } : { ok: false, detail };
    for (const listener of this.healthListeners) listener(this.health());
  }

  async openInput(spec: PinSpec): Promise<SimulatedInput> {
    const input = new SimulatedInput(spec.name);
    this.inputs.set(spec.name, input);
    return input;
  }

  async openOutput(spec: PinSpec): Promise<SimulatedOutput> {
    const output = new SimulatedOutput(spec.name);
    this.outputs.set(spec.name, output);
    return output;
  }

  input(name: string): SimulatedInput {
    const found = this.inputs.get(name);
    if (!found) throw new Error(`simulated input "${name}" is not open (open: ${[...this.inputs.keys()].join(', ') || 'none'})`);
    return found;
  }

  output(name: string): SimulatedOutput {
    const found = this.outputs.get(name);
    if (!found) throw new Error(`simulated output "${name}" is not open (open: ${[...this.outputs.keys()].join(', ') || 'none'})`);
    return found;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inputs.values()].map((i) => i.close()));
    await Promise.allSettled([...this.outputs.values()].map((o) => o.close()));
  }
}
