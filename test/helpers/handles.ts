/**
 * Root hook: with `RELAIS_TEST_HANDLES=1`, prints what still keeps the event
 * loop alive once every test has run, so a leak (a timer, a socket, a child)
 * shows by name instead of as a mocha that never ends. Loaded by .mocharc.json.
 */
import { writeSync } from 'node:fs';

export const mochaHooks = {
  afterAll(): void {
    if (!process.env.RELAIS_TEST_HANDLES) return;
    // stdout and stderr count too (TTYWrap on a terminal, PipeWrap when piped): TTYWrap is left out.
    const kinds = process.getActiveResourcesInfo().filter((k) => k !== 'TTYWrap');
    // Straight to fd 2: some parts under test (node-media-server's logger) take over process.stderr.
    writeSync(2, `open handles after the run: ${kinds.length ? kinds.join(', ') : 'none'}\n`);
  },
};
