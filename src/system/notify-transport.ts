/**
 * Carries sd_notify datagrams to the socket systemd names in `NOTIFY_SOCKET`.
 *
 * Node's `dgram` only speaks UDP, and the native AF_UNIX modules (`unix-dgram`,
 * `sd-notify`) need a compiler on the box. So one long-lived `socat` child does
 * the sending: we write newline-terminated assignments to its stdin and it
 * forwards each read as one datagram. sd_notify accepts several newline
 * separated assignments in one datagram, so two writes merged into one read
 * are still valid. Because the child is not the main PID, the unit must say
 * `NotifyAccess=all`; because it lives as long as the service, systemd can
 * always attribute its datagrams to the unit (a short-lived `systemd-notify`
 * per message races with its own exit on systemd 252).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

/** Sends one sd_notify message (one or more `KEY=value` lines). */
export interface NotifyTransport {
  send(message: string): void;
  close(): Promise<void>;
}

/** The socat address for a `NOTIFY_SOCKET` value: a path, or `@name` for the abstract namespace. */
export function socatAddress(notifySocket: string): string {
  if (notifySocket.startsWith('@')) return `ABSTRACT-SENDTO:${notifySocket.slice(1)}`;
  if (!notifySocket.startsWith('/')) {
    throw new Error(
      `NOTIFY_SOCKET="${notifySocket}" is neither an absolute path nor an abstract name (@name); ` +
        'it is set by systemd for Type=notify units, unset it when running by hand',
    );
  }
  return `UNIX-SENDTO:${notifySocket}`;
}

export interface SocatTransportOptions {
  /** The socat binary (default `socat` on PATH). */
  socat?: string;
  /** How often a dead socat child is started again before giving up (default 5). */
  maxRestarts?: number;
}

/** A transport backed by one `socat` child; restarts it a bounded number of times if it dies. */
export function createSocatTransport(notifySocket: string, log: Logger, options: SocatTransportOptions = {}): NotifyTransport {
  const address = socatAddress(notifySocket);
  const binary = options.socat ?? 'socat';
  const maxRestarts = options.maxRestarts ?? 5;
  let restarts = 0;
  let closing = false;
  let child: ChildProcess | null = null;

  const start = (): ChildProcess | null => {
    // -u: one direction only; stdin lines become datagrams to the notify socket.
    const proc = spawn(binary, ['-u', 'STDIN', address], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500);
    });
    proc.on('error', (err) => {
      if (child === proc) child = null;
      log.error(t('logs.socatMissing'), { error: err.message });
    });
    proc.stdin?.on('error', () => {
      // EPIPE after socat died: the exit handler reports it.
    });
    proc.on('exit', (code, signal) => {
      if (child === proc) child = null;
      if (closing) return;
      log.warn(t('logs.sdNotifyExited'), { code, signal, stderr: stderr.trim() || undefined, socket: notifySocket });
    });
    return proc;
  };

  child = start();

  return {
    send(message: string): void {
      if (closing) return;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        if (restarts >= maxRestarts) return;
        restarts += 1;
        child = start();
      }
      const text = message.endsWith('\n') ? message : message + '\n';
      child?.stdin?.write(text);
    },
    async close(): Promise<void> {
      closing = true;
      const proc = child;
      child = null;
      if (!proc || proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        // Ending stdin lets socat flush what is queued and exit by itself.
        proc.stdin?.end();
      });
    },
  };
}
