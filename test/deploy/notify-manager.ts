/**
 * A minimal stand-in for systemd's side of sd_notify: a real datagram socket
 * (socat UNIX-RECV / ABSTRACT-RECV) that records every assignment, and a
 * watchdog that fires when no WATCHDOG=1 arrives within the timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';

export interface ManagerEvents {
  message: [assignment: string];
  'watchdog-timeout': [];
}

export class NotifyManager extends EventEmitter<ManagerEvents> {
  readonly received: string[] = [];
  private proc: ChildProcess | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private watchdogMs = 0;

  /** `socket` is a path or `@abstract-name`. */
  constructor(readonly socket: string) {
    super();
  }

  async start(): Promise<void> {
    const address = this.socket.startsWith('@') ? `ABSTRACT-RECV:${this.socket.slice(1)}` : `UNIX-RECV:${this.socket}`;
    // -d -d makes socat say on stderr when the socket is bound and it is receiving.
    const proc = spawn('socat', ['-d', '-d', '-u', address, 'STDOUT'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let buffer = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        this.received.push(line);
        if (line === 'WATCHDOG=1') this.arm();
        this.emit('message', line);
      }
    });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const onData = (chunk: Buffer): void => {
        err += chunk.toString();
        if (err.includes('starting data transfer loop')) {
          proc.stderr!.off('data', onData);
          proc.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null): void => reject(new Error(`socat receiver exited (${code}): ${err}`));
      proc.stderr!.on('data', onData);
      proc.once('exit', onExit);
    });
  }

  /** Starts watching: fires `watchdog-timeout` when `ms` pass without a ping. */
  watch(ms: number): void {
    this.watchdogMs = ms;
    this.arm();
  }

  private arm(): void {
    if (!this.watchdogMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emit('watchdog-timeout'), this.watchdogMs);
  }

  /** Resolves when `count` messages equal to `assignment` have arrived (bounded by mocha's timeout). */
  async waitFor(assignment: string, count = 1): Promise<void> {
    while (this.received.filter((m) => m === assignment).length < count) await once(this, 'message');
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.watchdogMs = 0;
    const proc = this.proc;
    this.proc = null;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
  }
}
