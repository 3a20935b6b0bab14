/**
 * A program with only the media commands, to try them before they are part of
 * `relais`: `npx tsx test/media/cli-entry.ts media probe`.
 */
import { Command } from 'commander';
import { registerMediaCommands } from '../../src/media/cli.js';

const program = new Command('relais');
registerMediaCommands(program);
await program.parseAsync(process.argv);
