/**
 * A simulated VISCA PTZ camera: position, zoom, presets, power, tally lamp,
 * two command sockets, completions delayed in proportion to the movement, and
 * faults on demand. It reads message bodies (after the address byte) and
 * answers reply bodies (after the `z0` header byte); the chain, UDP and TCP
 * front ends add the framing.
 */
import { EventEmitter } from 'node:events';
import { fromNibbles, toNibbles } from '../ptz/commands.js';

import type { SimCameraOptions, SimFault, SimMisbehaviour, SimPose } from './camera-options.js';

export type { SimCameraOptions, SimFault, SimMisbehaviour, SimPose } from './camera-options.js';
export { SIM_FAULTS } from './camera-options.js';

/** Sony EVI/BRC-like limits. */
const LIMITS = { pan: [-2448, 2448], tilt: [-432, 1296], zoom: [0, 0x4000] } as const;
/** Position units per second at full drive speed. */
const DRIVE_UNITS_PER_S = { pan: 800, tilt: 500, zoom: 4000 };

type Category = 'pan-tilt' | 'zoom' | 'other';

type Axis = 'pan' | 'tilt' | 'zoom';
const AXES: readonly Axis[] = ['pan', 'tilt', 'zoom'];

/** A timed move of one axis; each axis moves on its own so a zoom can run beside a pan. */
interface AxisMove {
  from: number;
  to: number;
  startedAt: number;
  durationMs: number;
}

interface Socket {
  category: Category;
  timer: ReturnType<typeof setTimeout>;
  reply: (bytes: number[]) => void;
}

interface Velocity {
  pan: number;
  tilt: number;
  zoom: number;
  since: number;
}

/** Wraps an inquiry's answer so that its data comes out short or with a bad nibble. */
function malformed(fault: 'short-reply' | 'bad-nibble', reply: (bytes: number[]) => void): (bytes: number[]) => void {
  return (bytes) => {
    if (bytes[0] !== 0x50 || bytes.length < 3) return reply(bytes); // an error answer stays as it is
    const data = bytes.slice(1, -1);
    if (fault === 'short-reply') data.pop();
    else data[0] = data[0]! | 0x10;
    reply([0x50, ...data, 0xff]);
  };
}

function clamp(value: number, [lo, hi]: readonly [number, number]): number {
  return Math.max(lo, Math.min(hi, Math.round(value)));
}

export class SimCamera extends EventEmitter<{ command: [body: Uint8Array] }> {
  power: boolean;
  tally = false;
  readonly presets = new Map<number, SimPose>();
  private pose: SimPose = { pan: 0, tilt: 0, zoom: 0 };
  private readonly moves = new Map<Axis, AxisMove>();
  /** Continuous motion (drive, zoom tele/wide) in units per second, integrated from `since`. */
  private velocity: Velocity = { pan: 0, tilt: 0, zoom: 0, since: 0 };
  private readonly sockets = new Map<number, Socket>();
  private readonly faults: SimFault[] = [];
  private readonly msPerUnit: number;
  private readonly maxMoveMs: number;
  private readonly minMoveMs: number;
  private readonly maxPreset: number;
  /** Messages handled, for tests and the runner's status line. */
  handled = 0;
  /** Set to make the camera misbehave on every message until cleared. */
  misbehaviour: SimMisbehaviour | null = null;

  constructor(options: SimCameraOptions = {}) {
    super();
    this.msPerUnit = options.msPerUnit ?? 0.25;
    this.maxMoveMs = options.maxMoveMs ?? 3000;
    this.minMoveMs = options.minMoveMs ?? 2;
    this.maxPreset = options.maxPreset ?? 127;
    this.power = !options.standby;
    for (const [n, pose] of Object.entries(options.presets ?? {})) this.presets.set(Number(n), { ...pose });
  }

  /** Queues faults for the next messages (one fault per message). */
  inject(...faults: SimFault[]): void {
    this.faults.push(...faults);
  }

  /** Where the camera is now (mid-move positions are interpolated). */
  position(now = Date.now()): SimPose {
    return { pan: this.axisAt('pan', now), tilt: this.axisAt('tilt', now), zoom: this.axisAt('zoom', now) };
  }

  /** Drops running commands without replies and stops timed moves where they are (IF_Clear, power off, shutdown). */
  clear(): void {
    for (const socket of this.sockets.values()) clearTimeout(socket.timer);
    this.sockets.clear();
    const now = Date.now();
    for (const axis of AXES) this.pose[axis] = this.axisAt(axis, now);
    this.moves.clear();
    this.velocity.since = now;
  }

  private axisAt(axis: Axis, now: number): number {
    const m = this.moves.get(axis);
    if (m) {
      const t = m.durationMs <= 0 ? 1 : Math.min(1, Math.max(0, (now - m.startedAt) / m.durationMs));
      return Math.round(m.from + (m.to - m.from) * t);
    }
    const v = this.velocity[axis];
    if (v === 0) return this.pose[axis];
    return clamp(this.pose[axis] + (v * (now - this.velocity.since)) / 1000, LIMITS[axis]);
  }

  /** Folds continuous motion so far into the pose, so a speed can change from now on. */
  private rebase(now: number): void {
    for (const axis of AXES) if (!this.moves.has(axis)) this.pose[axis] = this.axisAt(axis, now);
    this.velocity.since = now;
  }

  /**
   * Handles one message body (bytes after the address byte, FF included).
   * `reply` gets reply bodies (bytes after the `z0` header, FF included).
   */
  handle(body: Uint8Array, reply: (bytes: number[]) => void): void {
    this.handled++;
    this.emit('command', body);
    if (this.misbehaviour === 'network-change') return reply([0x38, 0xff]);
    const fault = this.faults.shift();
    if (fault === 'no-reply') return;
    if (fault === 'garbage') reply([0x12, 0x34, 0x56, 0xff, ...new Array<number>(20).fill(0x55), 0xff]);
    if (fault === 'syntax-error') return reply([0x60, 0x02, 0xff]);
    if (fault === 'buffer-full') return reply([0x60, 0x03, 0xff]);
    if (fault === 'not-executable') return reply([0x61, 0x41, 0xff]);
    if (fault === 'no-socket') return reply([0x61, 0x05, 0xff]);

    const b = Array.from(body);
    if (b[0] === 0x09) return this.inquiry(b, fault === 'short-reply' || fault === 'bad-nibble' ? malformed(fault, reply) : reply);
    if (b.length === 2 && (b[0]! & 0xf0) === 0x20) return this.cancelSocket(b[0]! & 0x0f, reply);
    if (b[0] !== 0x01) return reply([0x60, 0x02, 0xff]);
    if (b[1] === 0x00 && b[2] === 0x01 && b.length === 4) {
      this.clear();
      return reply([0x50, 0xff]);
    }
    const plan = this.plan(b);
    if (plan === 'syntax') return reply([0x60, 0x02, 0xff]);
    if (plan === 'not-executable') return reply([0x61, 0x41, 0xff]);
    const free = [1, 2].find((s) => !this.sockets.has(s));
    if (free === undefined) return reply([0x60, 0x03, 0xff]);
    // A new move takes over from the one running in the same category, as Sony cameras do.
    for (const [n, socket] of this.sockets) {
      if (socket.category === plan.category && plan.category !== 'other') {
        clearTimeout(socket.timer);
        this.sockets.delete(n);
        socket.reply([0x60 | n, 0x04, 0xff]);
      }
    }
    reply([0x40 | free, 0xff]);
    const { durationMs, finish } = plan.run();
    const timer = setTimeout(() => {
      this.sockets.delete(free);
      finish?.();
      if (fault === 'lose-completion') return;
      reply(fault === 'cancel' ? [0x60 | free, 0x04, 0xff] : [0x50 | free, 0xff]);
    }, durationMs);
    this.sockets.set(free, { category: plan.category, timer, reply });
  }

  /**
   * Cancel (`2p`): the command in socket p never completes, and "cancelled"
   * comes back in answer to the Cancel (over IP with the Cancel's sequence
   * number, which relais matches by socket); an empty socket answers "no socket".
   */
  private cancelSocket(n: number, reply: (bytes: number[]) => void): void {
    const socket = this.sockets.get(n);
    if (!socket) return reply([0x60 | n, 0x05, 0xff]);
    clearTimeout(socket.timer);
    this.sockets.delete(n);
    reply([0x60 | n, 0x04, 0xff]);
  }

  private inquiry(b: number[], reply: (bytes: number[]) => void): void {
    const key = b.slice(1, -1).map((x) => x.toString(16).padStart(2, '0')).join('');
    const now = this.position();
    if (key === '0400') return reply([0x50, this.power ? 0x02 : 0x03, 0xff]);
    if (key === '0447') return reply([0x50, ...toNibbles(now.zoom), 0xff]);
    if (key === '0612') return reply([0x50, ...toNibbles(now.pan), ...toNibbles(now.tilt), 0xff]);
    if (key === '7e010a') return reply([0x50, this.tally ? 0x02 : 0x03, 0xff]);
    reply([0x60, 0x02, 0xff]);
  }

  /** Decodes a command into what it does; `run` starts it and says how long it takes and how it ends. */
  private plan(b: number[]): { category: Category; run: () => { durationMs: number; finish?: () => void } } | 'syntax' | 'not-executable' {
    const n = b.length;
    const is = (...prefix: number[]): boolean => prefix.every((x, i) => b[i] === x);
    if (is(0x01, 0x04, 0x00) && n === 5 && (b[3] === 0x02 || b[3] === 0x03)) {
      const on = b[3] === 0x02;
      return { category: 'other', run: () => { if (!on) this.clear(); this.power = on; return { durationMs: 5 }; } };
    }
    if (!this.power) return 'not-executable';
    if (is(0x01, 0x7e, 0x01, 0x0a, 0x00) && n === 7 && (b[5] === 0x02 || b[5] === 0x03)) {
      return { category: 'other', run: () => { this.tally = b[5] === 0x02; return { durationMs: 1 }; } };
    }
    if (is(0x01, 0x04, 0x3f) && n === 6) {
      const preset = b[4] ?? 0;
      if (preset > this.maxPreset) return 'syntax';
      if (b[3] === 0x00) return { category: 'other', run: () => { this.presets.delete(preset); return { durationMs: 5 }; } };
      if (b[3] === 0x01) return { category: 'other', run: () => { this.presets.set(preset, this.position()); return { durationMs: 20 }; } };
      if (b[3] === 0x02) {
        const pose = this.presets.get(preset);
        if (!pose) return 'not-executable';
        return { category: 'pan-tilt', run: () => this.moveTo(pose) };
      }
      return 'syntax';
    }
    if (is(0x01, 0x04, 0x07) && n === 5) {
      const p = b[3] ?? 0;
      const dir = p === 0x00 ? 0 : p === 0x02 || (p & 0xf0) === 0x20 ? 1 : p === 0x03 || (p & 0xf0) === 0x30 ? -1 : NaN;
      if (Number.isNaN(dir)) return 'syntax';
      const speed = (p & 0xf0) === 0 ? 0.5 : ((p & 0x0f) + 1) / 8;
      return { category: 'other', run: () => { this.drive({ zoom: dir * speed * DRIVE_UNITS_PER_S.zoom }); return { durationMs: 1 }; } };
    }
    if (is(0x01, 0x04, 0x47) && n === 8) {
      const zoom = clamp(fromNibbles(Uint8Array.from(b), 3), LIMITS.zoom);
      return { category: 'zoom', run: () => this.moveTo({ zoom }) };
    }
    if (is(0x01, 0x06, 0x01) && n === 8) {
      const vv = b[3] ?? 0;
      const ww = b[4] ?? 0;
      const x = b[5];
      const y = b[6];
      if (vv < 1 || vv > 0x18 || ww < 1 || ww > 0x17 || !(x! >= 1 && x! <= 3) || !(y! >= 1 && y! <= 3)) return 'syntax';
      const pan = x === 1 ? -1 : x === 2 ? 1 : 0;
      const tilt = y === 1 ? 1 : y === 2 ? -1 : 0;
      return {
        category: 'other',
        run: () => {
          this.drive({ pan: (pan * vv * DRIVE_UNITS_PER_S.pan) / 0x18, tilt: (tilt * ww * DRIVE_UNITS_PER_S.tilt) / 0x14 });
          return { durationMs: 1 };
        },
      };
    }
    if (is(0x01, 0x06, 0x02) && n === 14) {
      const u = Uint8Array.from(b);
      const toSigned = (v: number): number => (v >= 0x8000 ? v - 0x10000 : v);
      const target = { pan: clamp(toSigned(fromNibbles(u, 5)), LIMITS.pan), tilt: clamp(toSigned(fromNibbles(u, 9)), LIMITS.tilt) };
      return { category: 'pan-tilt', run: () => this.moveTo(target) };
    }
    if (is(0x01, 0x06, 0x04) && n === 4) {
      return { category: 'pan-tilt', run: () => this.moveTo({ pan: 0, tilt: 0 }) };
    }
    return 'syntax';
  }

  /** Starts a timed move of the axes in `target`; `finish` lands them exactly on target. */
  private moveTo(target: Partial<SimPose>): { durationMs: number; finish: () => void } {
    const now = Date.now();
    this.rebase(now);
    const axes = AXES.filter((a) => target[a] !== undefined);
    const from = this.position(now);
    let distance = 0;
    for (const axis of axes) distance = Math.max(distance, Math.abs(target[axis]! - from[axis]) / (axis === 'zoom' ? 8 : 1));
    const durationMs = Math.min(this.maxMoveMs, Math.max(this.minMoveMs, Math.round(distance * this.msPerUnit)));
    const started = new Map<Axis, AxisMove>();
    for (const axis of axes) {
      this.velocity[axis] = 0;
      this.pose[axis] = from[axis];
      const move = { from: from[axis], to: clamp(target[axis]!, LIMITS[axis]), startedAt: now, durationMs };
      this.moves.set(axis, move);
      started.set(axis, move);
    }
    const finish = (): void => {
      for (const [axis, move] of started) {
        if (this.moves.get(axis) !== move) continue; // replaced by a newer move or a drive
        this.pose[axis] = move.to;
        this.moves.delete(axis);
      }
    };
    return { durationMs, finish };
  }

  /** Continuous movement (drive, zoom tele/wide) of the axes given; the others keep what they do. */
  private drive(change: Partial<Record<Axis, number>>): void {
    const now = Date.now();
    this.rebase(now);
    for (const axis of AXES) {
      const speed = change[axis];
      if (speed === undefined) continue;
      this.pose[axis] = this.axisAt(axis, now);
      this.moves.delete(axis);
      this.velocity[axis] = speed;
    }
  }
}
