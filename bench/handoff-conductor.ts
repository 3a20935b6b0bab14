/**
 * The conductor of bench/handoff.ts in a process of its own (HANDOFF_CONDUCTOR=process),
 * as it runs at an event: on the broker's host, not sharing the boxes' event loop.
 * Argument: the conductor's config as JSON. Prints "ready" once it is primary; ends on SIGTERM.
 */
import { Conductor } from '../src/conductor/conductor.js';
import { validateConfig } from '../src/config/load.js';
import { setLogSink } from '../src/util/log.js';

setLogSink(() => undefined);
const conductor = new Conductor({ config: validateConfig('conductor', JSON.parse(process.argv[2] ?? '{}'), 'bench') });
await conductor.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void conductor.stop().then(() => process.exit(0));
});
