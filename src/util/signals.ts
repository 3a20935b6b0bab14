/**
 * "Run until Ctrl-C or systemd's stop": every long-running command ends the
 * same way, through here.
 */

/** What the helpers listen on: `process`, or an emitter in tests. */
export interface SignalSource {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface SignalWaitOptions {
  /** Defaults to SIGINT (Ctrl-C) and SIGTERM (systemd, docker). */
  signals?: readonly NodeJS.Signals[];
  /** Ends the wait early, as a signal would (the demo's `q` key). */
  abort?: AbortSignal;
  source?: SignalSource;
}

/**
 * Resolves with the first of `signals` to arrive (or `'abort'`), then stops
 * listening: a second Ctrl-C gets Node's default and ends the process at once,
 * which is what a person pressing it twice wants. Call it before starting what
 * it guards, so an early signal is not lost.
 */
export function nextSignal(options: SignalWaitOptions = {}): Promise<NodeJS.Signals | 'abort'> {
  const { signals = ['SIGINT', 'SIGTERM'], abort, source = process } = options;
  return new Promise((resolve) => {
    const listeners = new Map<NodeJS.Signals, () => void>();
    const done = (why: NodeJS.Signals | 'abort'): void => {
      for (const [signal, listener] of listeners) source.off(signal, listener);
      abort?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onAbort = (): void => done('abort');
    for (const signal of signals) {
      const listener = (): void => done(signal);
      listeners.set(signal, listener);
      source.once(signal, listener);
    }
    if (abort?.aborted) done('abort');
    else abort?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits for a signal (see {@link nextSignal}), then runs `stop` once and resolves when it has finished. */
export async function runUntilSignal(stop: () => Promise<void>, options: SignalWaitOptions = {}): Promise<void> {
  await nextSignal(options);
  await stop();
}
