/** Shared set-up for the PTZ tests: a simulated chain on a real pty pair and a link to it. */
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createSerialLink, type SerialLinkOptions } from '../../src/ptz/serial-link.js';
import type { ViscaStreamLink } from '../../src/ptz/stream-link.js';
import type { SimCameraOptions } from '../../src/sim/camera.js';
import { openPtyPair, type PtyPair } from '../../src/sim/pty.js';
import { SerialSim, wireLine } from '../../src/sim/servers.js';

export interface SerialRig {
  pty: PtyPair;
  sim: SerialSim;
  link: ViscaStreamLink;
  stop(): Promise<void>;
}

/** socat pty pair + simulated chain on one end + serial link (not yet opened) on the other. */
export async function serialRig(cameras: number, linkOptions: SerialLinkOptions = {}, simOptions: SimCameraOptions = {}): Promise<SerialRig> {
  const pty = await openPtyPair();
  const sim = new SerialSim(pty.b, cameras, { msPerUnit: 0.02, ...simOptions });
  await sim.start();
  const link = createSerialLink(pty.a, { ackTimeoutMs: 300, completionTimeoutMs: 1500, broadcastTimeoutMs: 300, ...linkOptions });
  return {
    pty,
    sim,
    link,
    async stop() {
      await link.close();
      await sim.stop();
      await pty.close();
    },
  };
}

/** Resolves with the arguments of the first `event` for which `accept` holds (bounded by `ms`). */
export function nextEvent<A extends unknown[] = unknown[]>(emitter: object, event: string, accept: (...args: A) => unknown = () => true, ms = 5000): Promise<A> {
  const target = emitter as EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener);
      reject(new Error(`no "${event}" event within ${ms} ms`));
    }, ms);
    const listener = (...args: unknown[]): void => {
      if (!accept(...(args as A))) return;
      clearTimeout(timer);
      target.off(event, listener);
      resolve(args as A);
    };
    target.on(event, listener);
  });
}

/** Asserts a promise rejects, and returns the error for closer checks. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Lines of a wire transcript, to compare with what the simulator recorded: `says.relais('81 01 06 04 FF')`. */
export const says = {
  relais: (bytes: string): string => wireLine.toCamera(bytes),
  camera: (bytes: string): string => wireLine.toRelais(bytes),
};

const CLI_ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** Runs `relais ptz ...` (or `sim camera ...`) as a process through test/ptz/cli-entry.ts; killed after 15 s. */
export function runPtzCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
