/**
 * What a camera needs from the wire: send a command to an address and get its
 * completion. Serial daisy chains, raw VISCA over TCP and VISCA over IP all
 * implement this; {@link Camera} only sees this interface.
 */
import type { EventEmitter } from 'node:events';
import type { ViscaCommand } from './commands.js';
import type { ViscaResult } from './channel.js';
import type { ResetRateOptions } from './reset-guard.js';

export interface ViscaLinkEvents {
  /** Reachable (`true`) or lost (`false`). */
  online: [up: boolean];
  /** Something went wrong outside a command (reconnect failure, re-addressing failure). */
  problem: [error: Error];
  /** Bytes that were not VISCA and were skipped. */
  garbage: [bytes: Uint8Array];
  /** The chain was (re-)addressed and holds this many cameras. */
  addressed: [cameras: number];
}

export interface ViscaLink extends EventEmitter<ViscaLinkEvents> {
  /** Human description for logs and errors: `/dev/ttyUSB0 at 9600 baud`, `10.0.0.5:52381 (VISCA over IP)`. */
  readonly description: string;
  readonly online: boolean;
  /** Connects (and addresses a serial chain). Rejects with a message that says what to check. */
  open(): Promise<void>;
  /** Rejects what is in flight and frees the port or socket. */
  close(): Promise<void>;
  /** Sends one command to the camera at `address` (1-7; always 1 over IP). */
  send<T>(address: number, cmd: ViscaCommand<T>): Promise<ViscaResult<T>>;
  /** Cancels the commands running on the camera at `address`; resolves with their names. */
  cancel(address: number): Promise<string[]>;
}

/** Timeouts and bounds shared by every link (defaults and the bound they give: docs/ptz.md, "Every command ends"). */
export interface LinkTimeouts extends ResetRateOptions {
  ackTimeoutMs?: number;
  completionTimeoutMs?: number;
  retries?: number;
  /** Times a reset or re-addressing may interrupt one command. Default 2. */
  maxInterruptions?: number;
}
