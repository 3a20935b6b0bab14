/**
 * The VISCA wire state machine for one camera, independent of the transport.
 *
 * A camera has two command sockets. A command is written, then acknowledged
 * into a socket (`z0 4y`), then completed from it (`z0 5y`); inquiries are
 * answered directly (`z0 50 data`). Because an ACK does not say which command
 * it belongs to, at most one command per camera waits for its ACK at a time;
 * up to two acknowledged commands may run (one move and one zoom, say). Each
 * wait has a timeout; a command that times out is sent once more, then fails
 * with a {@link ViscaError}. Over VISCA over IP, replies carry the command's
 * sequence number and are matched by it instead.
 *
 * A link reset or re-addressing interrupts what is in flight and sends it
 * again without using up its retry, but only `maxInterruptions` times per
 * command: the budget is never refilled, so every command ends.
 */
import { cancel, hex, type ViscaCommand } from './commands.js';
import { ViscaError, failureOfCode, type ViscaFailure } from './errors.js';
import { completionBytes, type ViscaReply } from './parser.js';
import { t } from '../i18n/index.js';

export interface ChannelOptions {
  /** Where the camera is, for error messages: `camera 2 on /dev/ttyUSB0`. */
  where: string;
  /** How long to wait for an ACK or an inquiry answer. Default 1000 ms. */
  ackTimeoutMs?: number;
  /** How long an acknowledged command may run before its completion counts as lost. Default 20 s (a long preset move). */
  completionTimeoutMs?: number;
  /** Extra attempts after a timeout. Default 1. */
  retries?: number;
  /** Times a link reset or re-addressing may interrupt one command and send it again; one more fails it. Default 2. */
  maxInterruptions?: number;
  /** Most commands waiting to be sent; more are refused. Default 32. */
  maxQueue?: number;
}

/** A command on its way, as the link sees it when writing. */
export interface Outbound {
  readonly cmd: ViscaCommand<unknown>;
  /** Times written so far (1 on the first write). */
  attempts: number;
  /** VISCA over IP sequence number, set by the link on the first write and kept on resends. */
  seq?: number;
}

export interface ViscaResult<T> {
  /** Decoded inquiry answer (`undefined` for commands). */
  value: T;
  /** Raw completion data (between `z0 5y` and `FF`). */
  data: Uint8Array;
  attempts: number;
}

interface Pending extends Outbound {
  /** Times paused while written; never given back. */
  interruptions: number;
  /** Times written in all, interrupted writes included. */
  writes: number;
  resolve: (result: ViscaResult<unknown>) => void;
  reject: (error: Error) => void;
  socket: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const SOCKETS = 2;
export const DEFAULT_MAX_INTERRUPTIONS = 2;

export class CameraChannel {
  private readonly queue: Pending[] = [];
  private waiting: Pending | null = null;
  private readonly sockets = new Map<number, Pending>();
  private paused = false;
  private readonly ackTimeoutMs: number;
  private readonly completionTimeoutMs: number;
  private readonly retries: number;
  private readonly maxInterruptions: number;
  private readonly maxQueue: number;

  constructor(
    private readonly write: (out: Outbound) => void,
    private readonly options: ChannelOptions,
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.completionTimeoutMs = options.completionTimeoutMs ?? 20_000;
    this.retries = options.retries ?? 1;
    this.maxInterruptions = options.maxInterruptions ?? DEFAULT_MAX_INTERRUPTIONS;
    this.maxQueue = options.maxQueue ?? 32;
  }

  get where(): string {
    return this.options.where;
  }

  /** Commands queued, waiting for an ACK, or running. */
  get inFlight(): number {
    return this.queue.length + (this.waiting ? 1 : 0) + this.sockets.size;
  }

  /** Queues a command; resolves on completion (or inquiry answer), rejects with a {@link ViscaError}. */
  send<T>(cmd: ViscaCommand<T>): Promise<ViscaResult<T>> {
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new ViscaError('buffer-full', this.where, cmd.name, t('visca.detail.queueFull', { n: this.maxQueue })));
    }
    return new Promise<ViscaResult<T>>((resolve, reject) => {
      this.queue.push({
        cmd: cmd as ViscaCommand<unknown>,
        attempts: 0,
        interruptions: 0,
        writes: 0,
        socket: 0,
        timer: undefined,
        resolve: resolve as (r: ViscaResult<unknown>) => void,
        reject,
      });
      this.pump();
    });
  }

  /**
   * Cancels what runs in the camera's sockets (a long preset move, say): one
   * VISCA Cancel per busy socket, written at once, beside anything waiting for
   * an ACK, as a Cancel gets no ACK. Each cancelled command fails with
   * `cancelled`. Resolves, within the ACK timeout, with the names of the
   * commands the camera cancelled; queued commands are left to run.
   */
  cancelRunning(): Promise<string[]> {
    const waits = [...this.sockets.entries()].map(([socket, p]) => {
      const done = new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), this.ackTimeoutMs);
        const { resolve: completed, reject: failed } = p;
        p.resolve = (result) => {
          clearTimeout(timer);
          completed(result);
          resolve(null);
        };
        p.reject = (error) => {
          clearTimeout(timer);
          failed(error);
          resolve(error instanceof ViscaError && error.failure === 'cancelled' ? p.cmd.name : null);
        };
      });
      try {
        this.write({ cmd: cancel(socket), attempts: 1 });
      } catch {
        // The link is going away; the command fails with it.
      }
      return done;
    });
    return Promise.all(waits).then((names) => names.filter((n): n is string => n !== null));
  }

  /** Feeds one reply from this camera. Returns false when it matched nothing (stale or stray). */
  handle(reply: ViscaReply, seq?: number): boolean {
    switch (reply.type) {
      case 'ack':
        return this.onAck(reply.socket, seq);
      case 'completion':
        return this.onCompletion(reply.from, reply.socket, reply.data, seq);
      case 'error':
        return this.onError(reply.socket, reply.code, seq);
      default:
        return false;
    }
  }

  /**
   * Stops sending and puts commands in flight back at the head of the queue
   * (reset, re-addressing); `why` names the cause in the error of a command
   * that has used up its interruptions.
   */
  pause(why = t('visca.reset.wasReset')): void {
    this.paused = true;
    const inFlight = [...(this.waiting ? [this.waiting] : []), ...this.sockets.values()];
    this.waiting = null;
    this.sockets.clear();
    const back: Pending[] = [];
    for (const p of inFlight) {
      clearTimeout(p.timer);
      if (p.interruptions++ >= this.maxInterruptions) {
        p.reject(new ViscaError('link-unstable', this.where, p.cmd.name, t('visca.reset.interrupted', { n: p.interruptions, why })));
        continue;
      }
      // Interrupted by the link, not failed: the resend does not use up a retry.
      p.attempts = Math.max(0, p.attempts - 1);
      back.push(p);
    }
    this.queue.unshift(...back);
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Rejects everything queued and in flight. */
  failAll(failure: ViscaFailure, detail?: string): void {
    const all = [...(this.waiting ? [this.waiting] : []), ...this.sockets.values(), ...this.queue];
    this.waiting = null;
    this.sockets.clear();
    this.queue.length = 0;
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(new ViscaError(failure, this.where, p.cmd.name, detail));
    }
  }

  /** Rejects the command sent with this sequence number (VISCA over IP control errors). */
  failBySeq(seq: number, failure: ViscaFailure, detail: string): boolean {
    const p = this.findBySeq(seq);
    if (!p) return false;
    this.settle(p);
    p.reject(new ViscaError(failure, this.where, p.cmd.name, detail));
    this.pump();
    return true;
  }

  private pump(): void {
    if (this.paused || this.waiting) return;
    const next = this.queue[0];
    if (!next) return;
    // A third command would only earn "buffer full": wait for a socket to free.
    if (next.cmd.kind === 'command' && this.sockets.size >= SOCKETS) return;
    this.queue.shift();
    this.transmit(next);
  }

  private transmit(p: Pending): void {
    this.waiting = p;
    p.attempts++;
    p.writes++;
    p.timer = setTimeout(() => this.onAckTimeout(p), this.ackTimeoutMs);
    try {
      this.write(p);
    } catch (error) {
      this.waiting = null;
      clearTimeout(p.timer);
      p.reject(new ViscaError('link-closed', this.where, p.cmd.name, t('visca.detail.writeFailed', { error: (error as Error).message })));
      this.pump();
    }
  }

  private matchesSeq(p: Pending | null | undefined, seq: number | undefined): boolean {
    return !!p && (seq === undefined || p.seq === seq);
  }

  private findBySeq(seq: number): Pending | undefined {
    if (this.waiting?.seq === seq) return this.waiting;
    for (const p of this.sockets.values()) if (p.seq === seq) return p;
    return undefined;
  }

  private onAck(socket: number, seq?: number): boolean {
    const p = this.waiting;
    if (!p || !this.matchesSeq(p, seq)) return false;
    clearTimeout(p.timer);
    this.waiting = null;
    p.socket = socket;
    // An older command still listed in that socket lost its completion; its own timer retries it.
    this.sockets.set(socket, p);
    p.timer = setTimeout(() => this.onCompletionTimeout(p), this.completionTimeoutMs);
    this.pump();
    return true;
  }

  private onCompletion(from: number, socket: number, data: Uint8Array, seq?: number): boolean {
    let p: Pending | undefined;
    if (seq !== undefined) p = this.findBySeq(seq);
    else if (socket !== 0) p = this.sockets.get(socket); // a late completion of a retried command matches nothing
    else if (this.waiting?.cmd.kind === 'inquiry') p = this.waiting;
    if (!p) return false;
    this.settle(p);
    let value: unknown;
    if (p.cmd.decode) {
      try {
        value = p.cmd.decode(data);
      } catch (error) {
        const reply = hex(completionBytes(from, socket, data));
        p.reject(new ViscaError('bad-reply', this.where, p.cmd.name, t('visca.detail.badReply', { reply, command: p.cmd.name, why: (error as Error).message })));
        this.pump();
        return true;
      }
    }
    p.resolve({ value, data, attempts: p.attempts });
    this.pump();
    return true;
  }

  private onError(socket: number, code: number, seq?: number): boolean {
    const failure = failureOfCode(code);
    let p: Pending | null | undefined;
    const aboutSocket = (failure === 'cancelled' || failure === 'no-socket') && this.sockets.has(socket);
    // Over IP a Cancel's answer may carry the Cancel's own sequence number: then the socket says which command.
    if (seq !== undefined) p = this.findBySeq(seq) ?? (aboutSocket ? this.sockets.get(socket) : undefined);
    else if (aboutSocket) p = this.sockets.get(socket);
    else if (this.waiting) p = this.waiting;
    else if (socket !== 0) p = this.sockets.get(socket);
    if (!p) return false;
    this.settle(p);
    p.reject(new ViscaError(failure, this.where, p.cmd.name, failure === 'unknown-error' ? t('visca.detail.errorCode', { code: `0x${code.toString(16).padStart(2, '0')}` }) : undefined));
    this.pump();
    return true;
  }

  /** Removes a command from wherever it waits. */
  private settle(p: Pending): void {
    clearTimeout(p.timer);
    if (this.waiting === p) this.waiting = null;
    if (this.sockets.get(p.socket) === p) this.sockets.delete(p.socket);
  }

  private onAckTimeout(p: Pending): void {
    if (this.waiting !== p) return;
    this.waiting = null;
    this.retryOrFail(p, t('visca.detail.noAck', { ms: this.ackTimeoutMs }));
  }

  private onCompletionTimeout(p: Pending): void {
    if (this.sockets.get(p.socket) === p) this.sockets.delete(p.socket);
    this.retryOrFail(p, t('visca.detail.noCompletion', { socket: p.socket, ms: this.completionTimeoutMs }));
  }

  private retryOrFail(p: Pending, what: string): void {
    if (p.attempts <= this.retries) {
      this.queue.unshift(p);
    } else {
      p.reject(new ViscaError('timeout', this.where, p.cmd.name, t('visca.detail.sent', { what, n: p.writes })));
    }
    this.pump();
  }
}
