/**
 * The VISCA command table: every command relais sends, declared as bytes.
 *
 * A {@link ViscaCommand} holds the message body *after* the address byte
 * (`8x`), terminator included; the link adds the address. Nothing here knows
 * about sockets, timeouts or transports: that is the wire state machine's job
 * (`channel.ts`). Byte layouts follow Sony's VISCA command lists (EVI/BRC/SRG
 * series) as PTZOptics and most clones implement them.
 */
import { t } from '../i18n/index.js';

export type ViscaKind = 'command' | 'inquiry';

/** One message ready to frame: a human name for logs and errors, and its bytes. */
export interface ViscaCommand<T = void> {
  /** For logs and errors: `preset recall 3`, `pan-tilt up`. */
  readonly name: string;
  readonly kind: ViscaKind;
  /** Bytes after the address byte, ending in 0xFF. */
  readonly body: Uint8Array;
  /**
   * Turns an inquiry's completion data (bytes between `y0 50` and `FF`) into a
   * value; throws, saying what a valid answer holds, when the data is not one.
   */
  readonly decode?: (data: Uint8Array) => T;
}

/** A command argument out of range; the message says what, the range, and what was given. */
export class ViscaArgumentError extends RangeError {
  override readonly name = 'ViscaArgumentError';
}

export const PAN_SPEED = { min: 0x01, max: 0x18 } as const;
export const TILT_SPEED = { min: 0x01, max: 0x14 } as const;
export const ZOOM_SPEED = { min: 0, max: 7 } as const;
/** Sony cameras store 0-127 in current firmware (older models: 0-5 or 0-15); cameras may narrow it. */
export const PRESET = { min: 0, max: 127 } as const;
/** Optical zoom range of most Sony/PTZOptics blocks; the camera clamps beyond its own limit. */
export const ZOOM_POSITION = { min: 0, max: 0x7fff } as const;
/** Absolute pan/tilt positions are signed 16-bit values sent as four nibbles. */
export const PAN_TILT_POSITION = { min: -0x8000, max: 0x7fff } as const;

function checkInt(what: string, value: number, range: { min: number; max: number }): number {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ViscaArgumentError(t('visca.arg.range', { what, min: range.min, max: range.max, hex: `0x${range.min.toString(16)}-0x${range.max.toString(16)}`, got: String(value) }));
  }
  return value;
}

/** Splits a 16-bit value into four low nibbles, most significant first (`0p 0q 0r 0s`). */
export function toNibbles(value: number): [number, number, number, number] {
  const v = value & 0xffff;
  return [(v >> 12) & 0x0f, (v >> 8) & 0x0f, (v >> 4) & 0x0f, v & 0x0f];
}

/** Joins four nibbles back into an unsigned 16-bit value. */
export function fromNibbles(data: Uint8Array, offset = 0): number {
  let value = 0;
  for (let i = 0; i < 4; i++) value = (value << 4) | ((data[offset + i] ?? 0) & 0x0f);
  return value;
}

function signed16(value: number): number {
  return value >= 0x8000 ? value - 0x10000 : value;
}

function command(name: string, ...bytes: number[]): ViscaCommand {
  return { name, kind: 'command', body: Uint8Array.from([...bytes, 0xff]) };
}

function inquiry<T>(name: string, decode: (data: Uint8Array) => T, ...bytes: number[]): ViscaCommand<T> {
  return { name, kind: 'inquiry', body: Uint8Array.from([...bytes, 0xff]), decode };
}

function checkPreset(preset: number, max: number = PRESET.max): number {
  return checkInt('preset', preset, { min: PRESET.min, max: Math.min(max, PRESET.max) });
}

// ---- cancel ----------------------------------------------------------------

/**
 * Cancel: `8x 2p FF`, where p is the socket (1 or 2) of the command to stop. The
 * camera answers only through that command ("cancelled", `z0 6p 04`) or with
 * "no socket" (`z0 6p 05`), never with an ACK.
 */
export function cancel(socket: number): ViscaCommand {
  const p = checkInt('socket', socket, { min: 1, max: 2 });
  return command(`cancel socket ${p}`, 0x20 | p);
}

// ---- presets -------------------------------------------------------------

/** CAM_Memory Recall: `8x 01 04 3F 02 pp FF`. `max` narrows the range to what the camera supports. */
export function presetRecall(preset: number, max?: number): ViscaCommand {
  return command(`preset recall ${preset}`, 0x01, 0x04, 0x3f, 0x02, checkPreset(preset, max));
}

/** CAM_Memory Set: `8x 01 04 3F 01 pp FF` (stores the current position, zoom and focus). */
export function presetStore(preset: number, max?: number): ViscaCommand {
  return command(`preset store ${preset}`, 0x01, 0x04, 0x3f, 0x01, checkPreset(preset, max));
}

/** CAM_Memory Reset: `8x 01 04 3F 00 pp FF`. */
export function presetReset(preset: number, max?: number): ViscaCommand {
  return command(`preset reset ${preset}`, 0x01, 0x04, 0x3f, 0x00, checkPreset(preset, max));
}

// ---- pan-tilt --------------------------------------------------------------

export type DriveDirection = 'up' | 'down' | 'left' | 'right' | 'up-left' | 'up-right' | 'down-left' | 'down-right' | 'stop';

/** Pan (01 left, 02 right, 03 stop) and tilt (01 up, 02 down, 03 stop) bytes per direction. */
const DIRECTION_BYTES: Record<DriveDirection, [pan: number, tilt: number]> = {
  up: [0x03, 0x01],
  down: [0x03, 0x02],
  left: [0x01, 0x03],
  right: [0x02, 0x03],
  'up-left': [0x01, 0x01],
  'up-right': [0x02, 0x01],
  'down-left': [0x01, 0x02],
  'down-right': [0x02, 0x02],
  stop: [0x03, 0x03],
};

export const DRIVE_DIRECTIONS = Object.keys(DIRECTION_BYTES) as DriveDirection[];

export interface DriveSpeed {
  /** 0x01 (slowest) to 0x18. */
  pan?: number;
  /** 0x01 (slowest) to 0x14. */
  tilt?: number;
}

/** Pan-tilt Drive: `8x 01 06 01 VV WW 0X 0Y FF`. Speeds default to the middle of their range. */
export function drive(direction: DriveDirection, speed: DriveSpeed = {}): ViscaCommand {
  const bytes = DIRECTION_BYTES[direction];
  if (!bytes) throw new ViscaArgumentError(t('visca.arg.direction', { directions: DRIVE_DIRECTIONS.join(', '), got: String(direction) }));
  const pan = checkInt('pan speed', speed.pan ?? 0x0c, PAN_SPEED);
  const tilt = checkInt('tilt speed', speed.tilt ?? 0x0a, TILT_SPEED);
  return command(`pan-tilt ${direction}`, 0x01, 0x06, 0x01, pan, tilt, bytes[0], bytes[1]);
}

/** Pan-tilt Drive stop. */
export function stop(): ViscaCommand {
  return drive('stop');
}

/** Pan-tilt AbsolutePosition: `8x 01 06 02 VV WW 0Y 0Y 0Y 0Y 0Z 0Z 0Z 0Z FF`. */
export function absolutePosition(pan: number, tilt: number, speed: DriveSpeed = {}): ViscaCommand {
  checkInt('pan position', pan, PAN_TILT_POSITION);
  checkInt('tilt position', tilt, PAN_TILT_POSITION);
  const vv = checkInt('pan speed', speed.pan ?? 0x0c, PAN_SPEED);
  const ww = checkInt('tilt speed', speed.tilt ?? 0x0a, TILT_SPEED);
  return command(`pan-tilt absolute ${pan},${tilt}`, 0x01, 0x06, 0x02, vv, ww, ...toNibbles(pan), ...toNibbles(tilt));
}

/** Pan-tilt Home: `8x 01 06 04 FF`. */
export function home(): ViscaCommand {
  return command('pan-tilt home', 0x01, 0x06, 0x04);
}

// ---- zoom --------------------------------------------------------------------

export type ZoomDirection = 'tele' | 'wide' | 'stop';

/**
 * CAM_Zoom: standard speed `8x 01 04 07 02|03|00 FF`, or variable speed
 * `8x 01 04 07 2p|3p FF` when `speed` (0-7) is given.
 */
export function zoom(direction: ZoomDirection, speed?: number): ViscaCommand {
  if (direction === 'stop') return command('zoom stop', 0x01, 0x04, 0x07, 0x00);
  if (direction !== 'tele' && direction !== 'wide') throw new ViscaArgumentError(t('visca.arg.zoom', { got: String(direction) }));
  if (speed === undefined) return command(`zoom ${direction}`, 0x01, 0x04, 0x07, direction === 'tele' ? 0x02 : 0x03);
  const p = checkInt('zoom speed', speed, ZOOM_SPEED);
  return command(`zoom ${direction} speed ${p}`, 0x01, 0x04, 0x07, (direction === 'tele' ? 0x20 : 0x30) | p);
}

/** CAM_Zoom Direct: `8x 01 04 47 0p 0q 0r 0s FF`. */
export function zoomDirect(position: number): ViscaCommand {
  checkInt('zoom position', position, ZOOM_POSITION);
  return command(`zoom to ${position}`, 0x01, 0x04, 0x47, ...toNibbles(position));
}

// ---- power, tally, interface ------------------------------------------------

/** CAM_Power: `8x 01 04 00 02 FF` (on) / `03` (standby). */
export function power(on: boolean): ViscaCommand {
  return command(`power ${on ? 'on' : 'off'}`, 0x01, 0x04, 0x00, on ? 0x02 : 0x03);
}

/** CAM_Tally: `8x 01 7E 01 0A 00 0p FF`, p = 2 on, 3 off. */
export function tally(on: boolean): ViscaCommand {
  return command(`tally ${on ? 'on' : 'off'}`, 0x01, 0x7e, 0x01, 0x0a, 0x00, on ? 0x02 : 0x03);
}

/** IF_Clear to one camera: `8x 01 00 01 FF` (empties its command buffers). */
export function ifClear(): ViscaCommand {
  return command('interface clear', 0x01, 0x00, 0x01);
}

/** Whole frames sent to every camera of a daisy chain (address byte 0x88 included). */
export const BROADCAST = {
  /** AddressSet: the first camera takes 1 and passes `88 30 02 FF` on; the controller gets `88 30 0w FF`. */
  addressSet: Uint8Array.from([0x88, 0x30, 0x01, 0xff]),
  /** IF_Clear broadcast: comes back unchanged once every camera has passed it on. */
  ifClear: Uint8Array.from([0x88, 0x01, 0x00, 0x01, 0xff]),
} as const;

// ---- inquiries --------------------------------------------------------------

export type PowerState = 'on' | 'standby' | 'fault';

/** CAM_PowerInq: `8x 09 04 00 FF` -> `y0 50 0p FF` (2 on, 3 standby, 4 power circuit fault). */
export function inquirePower(): ViscaCommand<PowerState> {
  return inquiry<PowerState>(
    'power inquiry',
    (data) => {
      const p = data.length === 1 ? data[0] : undefined;
      if (p === 0x02) return 'on';
      if (p === 0x03) return 'standby';
      if (p === 0x04) return 'fault';
      throw new Error(t('visca.detail.oneByte'));
    },
    0x09, 0x04, 0x00,
  );
}

/** CAM_ZoomPosInq: `8x 09 04 47 FF` -> `y0 50 0p 0q 0r 0s FF`. */
export function inquireZoom(): ViscaCommand<number> {
  return inquiry('zoom position inquiry', (data) => {
    expectNibbles(data, 4);
    return fromNibbles(data);
  }, 0x09, 0x04, 0x47);
}

export interface PanTilt {
  pan: number;
  tilt: number;
}

/** Pan-tiltPosInq: `8x 09 06 12 FF` -> `y0 50 0w 0w 0w 0w 0z 0z 0z 0z FF` (signed). */
export function inquirePosition(): ViscaCommand<PanTilt> {
  return inquiry('pan-tilt position inquiry', (data) => {
    expectNibbles(data, 8);
    return { pan: signed16(fromNibbles(data, 0)), tilt: signed16(fromNibbles(data, 4)) };
  }, 0x09, 0x06, 0x12);
}

/**
 * Checks an answer made of `count` nibbles (`0p 0q ...`). The message says
 * what a valid answer holds; the channel adds the reply bytes and the inquiry.
 */
function expectNibbles(data: Uint8Array, count: number): void {
  if (data.length !== count) throw new Error(t('visca.detail.nibbles', { count, n: data.length }));
  const bad = data.findIndex((b) => b > 0x0f);
  if (bad >= 0) throw new Error(t('visca.detail.nibble', { count, i: bad + 1, byte: hex([data[bad]!]) }));
}

/** `81 01 04 3F 02 01 FF` style dump for logs and errors. */
export function hex(bytes: Uint8Array | readonly number[]): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

/** The full frame for a camera address (1-7): `8x` + body. */
export function frame(address: number, cmd: ViscaCommand<unknown>): Buffer {
  checkInt('camera address', address, { min: 1, max: 7 });
  const out = Buffer.allocUnsafe(cmd.body.length + 1);
  out[0] = 0x80 | address;
  out.set(cmd.body, 1);
  return out;
}
