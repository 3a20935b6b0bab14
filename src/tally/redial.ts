/**
 * The connection state machine of a source that owns its socket (vMix, TSL
 * over TCP): dial, and when the dial fails or the link drops, wait and dial
 * again, the wait doubling up to a cap. The wait goes back to its first value
 * only once the link has proved itself (`healthy()`: a first valid message),
 * so a switcher that accepts and hangs up at once is not hammered.
 */
import { EventEmitter } from 'node:events';
import { errorText, type SourceTimers } from './source.js';
import { nextRetryDelay, type RetryDelays } from '../hardware/reconnect.js';

/** An open link: `closed` settles once, with why it ended (null: closed by us). */
export interface OpenLink {
  closed: Promise<Error | null>;
  close(): void;
}

export interface RedialOptions extends RetryDelays {
  dial(): Promise<OpenLink>;
  timers: SourceTimers;
}

export interface RedialEvents {
  up: [];
  down: [error: string];
}

export class Redialer extends EventEmitter<RedialEvents> {
  private delay: number;
  private timer: unknown = null;
  private link: OpenLink | null = null;
  private running = false;
  /** Bumped by stop(): a dial that lands after it is closed at once. */
  private generation = 0;

  constructor(private readonly options: RedialOptions) {
    super();
    this.delay = Math.max(1, options.initialDelayMs);
  }

  /** The wait before the next dial, for tests and `relais tally watch`. */
  get nextDelayMs(): number {
    return this.delay;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.dial();
  }

  /** The link delivered something valid: the next drop redials after the shortest wait. */
  healthy(): void {
    this.delay = Math.max(1, this.options.initialDelayMs);
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
    this.link?.close();
    this.link = null;
  }

  private async dial(): Promise<void> {
    const generation = this.generation;
    let link: OpenLink;
    try {
      link = await this.options.dial();
    } catch (err) {
      if (generation !== this.generation) return;
      this.emit('down', errorText(err));
      this.later();
      return;
    }
    if (generation !== this.generation) {
      link.close();
      return;
    }
    this.link = link;
    this.emit('up');
    const why = await link.closed;
    if (generation !== this.generation) return;
    this.link = null;
    this.emit('down', why ? why.message : 'closed');
    this.later();
  }

  private later(): void {
    const wait = this.delay;
    this.delay = nextRetryDelay(this.delay, this.options.maxDelayMs);
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = null;
      if (this.running) void this.dial();
    }, wait);
  }
}
