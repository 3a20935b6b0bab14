/**
 * A pair of linked pseudo-terminals made by socat: bytes written to one end
 * come out of the other, as between a host and a USB serial board. With
 * `links`, socat also makes symlinks to both ends and removes them when it
 * exits, so a new pair on the same links is the same board coming back on the
 * same device path (as /dev/relais-firmata after a replug).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface PtyPair {
  /** The end the driver opens (the "USB device"). */
  host: string;
  /** The end the emulated board opens. */
  device: string;
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Stable paths for the two ends; `host` and `device` are then these paths. */
  links?: { host: string; device: string };
  timeoutMs?: number;
}

export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const { links, timeoutMs = 5000 } = options;
  const end = (link: string | undefined): string => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const child: ChildProcess = spawn('socat', ['-d', '-d', end(links?.host), end(links?.device)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const paths: string[] = [];
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat gave no pty pair within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run socat (apt install socat): ${err.message}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      for (const match of chunk.matchAll(/PTY is (\/dev\/pts\/\d+)/g)) paths.push(match[1]!);
      // socat prints both pty names before it starts copying.
      if (paths.length >= 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    host: links?.host ?? paths[0]!,
    device: links?.device ?? paths[1]!,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
