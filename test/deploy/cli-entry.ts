/**
 * A program with only `relais doctor`, so its tests run the real command-line
 * path (options, output, exit status) without the rest of the CLI.
 */
import { Command } from 'commander';
import { registerDoctorCommand } from '../../src/doctor/command.js';

const program = new Command('relais').exitOverride((err) => process.exit(err.exitCode));
registerDoctorCommand(program);
await program.parseAsync(process.argv);
