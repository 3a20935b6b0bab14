/**
 * A pseudo-terminal pair made by socat: one end for the simulator, the other
 * for relais (or any VISCA controller) as if it were a USB serial adapter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** The controller's end (give this to `--serial`). */
  readonly a: string;
  /** The simulator's end. */
  readonly b: string;
  close(): Promise<void>;
}

/**
 * Spawns `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and waits
 * until socat says it is transferring data (both links exist by then).
 * Without `linkA`, both links go into a fresh temp dir that `close` removes.
 */
export async function openPtyPair(linkA?: string, timeoutMs = 5000): Promise<PtyPair> {
  const dir = linkA ? null : await fs.mkdtemp(path.join(os.tmpdir(), 'relais-pty-'));
  const a = linkA ?? path.join(dir!, 'controller');
  const b = dir ? path.join(dir, 'camera') : `${linkA}.sim`;
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const removeDir = async (): Promise<void> => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`socat did not set up the pty pair within ${timeoutMs} ms: ${text.trim()}`)), timeoutMs);
      child.stderr!.on('data', (chunk: Buffer) => {
        text = (text + chunk.toString()).slice(-4000);
        if (text.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run socat (install the Debian package "socat"): ${error.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited with code ${code} before the pty pair was ready: ${text.trim()}`));
      });
    });
  } catch (error) {
    child.kill('SIGTERM');
    await removeDir();
    throw error;
  }
  child.stderr!.resume();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    a,
    b,
    async close() {
      child.kill('SIGTERM');
      await exited;
      await removeDir();
    },
  };
}
