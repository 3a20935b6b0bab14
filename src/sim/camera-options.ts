// What a simulated camera can be told to do wrong, and how it starts (src/sim/camera.ts).

/** Faults applied to the next message addressed to this camera, in order. */
export type SimFault =
  /** Sends bytes that are not VISCA before the real answer. */
  | 'garbage'
  /** Acknowledges, moves, but never sends the completion. */
  | 'lose-completion'
  /** Answers `z0 60 03 FF` (both sockets busy). */
  | 'buffer-full'
  /** Ignores the message entirely. */
  | 'no-reply'
  /** Answers `z0 60 02 FF`. */
  | 'syntax-error'
  /** Answers `z0 61 41 FF`. */
  | 'not-executable'
  /** Acknowledges, then answers `z0 6y 04 FF` instead of the completion. */
  | 'cancel'
  /** Answers `z0 61 05 FF`. */
  | 'no-socket'
  /** Answers an inquiry with its last data byte missing (`90 50 0p 0q 0r FF` for a zoom position). */
  | 'short-reply'
  /** Answers an inquiry with a data byte whose high nibble is set (`90 50 1p ...`). */
  | 'bad-nibble';

export const SIM_FAULTS: readonly SimFault[] = [
  'garbage', 'lose-completion', 'buffer-full', 'no-reply', 'syntax-error', 'not-executable', 'cancel', 'no-socket', 'short-reply', 'bad-nibble',
];

/**
 * A lasting misbehaviour, unlike a {@link SimFault} that hits one message:
 * `network-change` answers every addressed message with `z0 38 FF`, as a
 * camera with a faulty chain port does.
 */
export type SimMisbehaviour = 'network-change';

export interface SimCameraOptions {
  /** Milliseconds of movement per position unit (pan, tilt or zoom). Default 0.25 (a 2000-unit swing takes 500 ms). */
  msPerUnit?: number;
  /** Longest simulated move. Default 3000 ms. */
  maxMoveMs?: number;
  /** Shortest simulated move (even to where the camera already is). Default 2 ms. */
  minMoveMs?: number;
  /** Highest preset number accepted. Default 127. */
  maxPreset?: number;
  /** Presets stored at power-up. */
  presets?: Record<number, SimPose>;
  /** Starts in standby. Default on. */
  standby?: boolean;
}

export interface SimPose {
  pan: number;
  tilt: number;
  zoom: number;
}

