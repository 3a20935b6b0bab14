/**
 * A commander program with only the PTZ and camera-simulator commands, for
 * trying them (and testing them) before they are part of `relais`.
 * Run: node --import tsx test/ptz/cli-entry.ts ptz --help
 */
import { Command } from 'commander';
import { registerPtzCommands } from '../../src/ptz/cli.js';
import { registerSimCommands } from '../../src/sim/cli.js';
import { translateCommander } from '../../src/util/commander-words.js';

// Quebec French, as `relais` speaks by default.
const program = translateCommander(new Command('relais')).description('relais (PTZ commands only)');
registerPtzCommands(program);
registerSimCommands(program);
await program.parseAsync(process.argv);
