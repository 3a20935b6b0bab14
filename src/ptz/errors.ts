/**
 * Typed errors for everything a camera can answer or fail to answer. Each
 * message says what happened, to which camera and command, and what to do.
 */

export type ViscaFailure =
  | 'message-length'
  | 'syntax'
  | 'buffer-full'
  | 'cancelled'
  | 'no-socket'
  | 'not-executable'
  | 'unknown-error'
  | 'timeout'
  | 'link-closed'
  | 'link-reset'
  | 'link-unstable'
  | 'bad-reply'
  | 'no-camera';

const CODES: Record<number, ViscaFailure> = {
  0x01: 'message-length',
  0x02: 'syntax',
  0x03: 'buffer-full',
  0x04: 'cancelled',
  0x05: 'no-socket',
  0x41: 'not-executable',
};

const ADVICE: Record<ViscaFailure, string> = {
  'message-length': 'the camera counted a wrong message length; check the baud rate and that nothing else writes to the line',
  syntax: 'the camera does not know this command; check the camera model supports it',
  'buffer-full': 'both command sockets were busy; wait for the running move to finish and try again',
  cancelled: 'the command was cancelled before it finished (a newer command or a Cancel took its place)',
  'no-socket': 'there was no command in that socket to cancel',
  'not-executable': 'the camera cannot do this now (powered off, in a menu, or the preset/position is not available)',
  'unknown-error': 'the camera answered with an error code relais does not know; check its manual',
  timeout: 'check the cable, the camera power, the baud rate and the address (or the host and port)',
  'link-closed': 'the connection to the camera was closed; relais reconnects by itself where it can',
  'no-camera': 'check the address in the config and the chain wiring, and that every camera on the chain is powered',
  'link-reset': 'the chain was re-addressed or the interface cleared while the command was waiting; send it again',
  'link-unstable':
    'the camera keeps asking relais to reset or re-address the link; check that no second controller talks to this camera, the chain cabling and the camera firmware',
  'bad-reply': 'check that the camera model supports this inquiry, its firmware, and that nothing else writes to the line',
};

/** Maps a VISCA error reply code (`z0 6y pp FF`) to a failure name. */
export function failureOfCode(code: number): ViscaFailure {
  return CODES[code] ?? 'unknown-error';
}

export class ViscaError extends Error {
  override readonly name = 'ViscaError';
  constructor(
    /** Which failure, for code that reacts to it. */
    readonly failure: ViscaFailure,
    /** Where: `camera 2 on /dev/ttyUSB0`, `camera at 10.0.0.5:52381`. */
    readonly where: string,
    /** The command's name from the command table. */
    readonly command: string,
    detail?: string,
  ) {
    super(`${where}: ${command}: ${detail ?? describeFailure(failure)} (${ADVICE[failure]})`);
  }

  /** Whether sending the same command later may succeed. */
  get retryable(): boolean {
    return ['buffer-full', 'timeout', 'link-closed', 'link-reset', 'link-unstable'].includes(this.failure);
  }
}

function describeFailure(failure: ViscaFailure): string {
  switch (failure) {
    case 'message-length':
      return 'camera replied "message length error"';
    case 'syntax':
      return 'camera replied "syntax error"';
    case 'buffer-full':
      return 'camera replied "command buffer full"';
    case 'cancelled':
      return 'camera replied "command cancelled"';
    case 'no-socket':
      return 'camera replied "no socket"';
    case 'not-executable':
      return 'camera replied "command not executable"';
    case 'unknown-error':
      return 'camera replied with an unknown error';
    case 'timeout':
      return 'no reply from the camera';
    case 'link-closed':
      return 'link closed';
    case 'link-reset':
      return 'link reset';
    case 'link-unstable':
      return 'the link was reset too often';
    case 'bad-reply':
      return 'the camera\'s reply is not a valid answer';
    case 'no-camera':
      return 'no camera at this address';
  }
}
