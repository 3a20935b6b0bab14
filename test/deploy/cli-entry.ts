/**
 * A program with only `relais doctor`, so its tests run the real command-line
 * path (options, language, output, exit status) without the rest of the CLI.
 */
import { Command } from 'commander';
import { registerDoctorCommand } from '../../src/doctor/command.js';
import { cliLang, setLang } from '../../src/i18n/index.js';
import { translateCommanderErrors } from '../../src/util/commander-words.js';

// As the real CLI does: --lang first, then RELAIS_LANG and LANG.
const at = process.argv.indexOf('--lang');
setLang(cliLang(at > 0 ? process.argv[at + 1] : undefined, process.env));
const program = translateCommanderErrors(new Command('relais')).option('--lang <fr|en>').exitOverride((err) => process.exit(err.exitCode));
registerDoctorCommand(program);
await program.parseAsync(process.argv);
