/**
 * What a primary conductor says about itself: its heartbeat (boxes and standbys
 * time its lease on it) and its retained status card, and the commands it holds
 * while it does not know its role yet.
 */
import type { FloorCommand, FloorState } from '../floor/machine.js';
import type { ConductorState, Heartbeat } from '../protocol/schemas.js';

export function heartbeatOf(id: string, state: FloorState, now: number): Heartbeat {
  return { conductor: id, epoch: state.epoch, term: state.term, at: new Date(now).toISOString(), role: 'primary' };
}

export function statusOf(id: string, primary: boolean, state: FloorState, counters: ConductorState['counters'], startedAt: string, now: number): ConductorState {
  return { conductor: id, role: primary ? 'primary' : 'standby', epoch: state.epoch, term: state.term, counters: { ...counters }, startedAt, updatedAt: new Date(now).toISOString() };
}

/** Commands held while the role is unsure; beyond `max` the oldest go (their senders retry). */
export class HeldCommands {
  private held: FloorCommand[] = [];
  constructor(private readonly max = 1000) {}

  get size(): number {
    return this.held.length;
  }

  hold(cmd: FloorCommand): void {
    this.held = [...this.held, cmd].slice(-this.max);
  }

  /** Every held command, oldest first; none stays held. */
  take(): FloorCommand[] {
    const held = this.held;
    this.held = [];
    return held;
  }
}
