/**
 * Root hook: with `RELAIS_TEST_HANDLES=1`, prints what still keeps the event
 * loop alive once every test has run, so a leak (a timer, a socket, a child)
 * shows by name instead of as a mocha that never ends. Loaded by .mocharc.json.
 */
export const mochaHooks = {
  afterAll(): void {
    if (!process.env.RELAIS_TEST_HANDLES) return;
    // stdout and stderr count too (TTYWrap on a terminal, PipeWrap when piped): TTYWrap is left out.
    const kinds = process.getActiveResourcesInfo().filter((k) => k !== 'TTYWrap');
    process.stderr.write(`open handles after the run: ${kinds.length ? kinds.join(', ') : 'none'}\n`);
  },
};
