/** Resolves on the first SIGINT or SIGTERM (and stops listening for them), for commands that run until Ctrl-C. */
export function interrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
