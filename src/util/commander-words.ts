/**
 * Commander writes its own errors about the command line (an unknown option,
 * a missing argument, a value a parser refused) in English. This rewords them
 * in the CLI's language through the catalogues; a message it does not know
 * (the commands' own, already translated) passes through unchanged.
 */
import type { Command } from 'commander';
import { t, type MessageKey } from '../i18n/index.js';

type Rule = { pattern: RegExp; key: MessageKey; names: readonly string[] };

/** Commander 14's wording (lib/command.js, option.js, argument.js, suggestSimilar.js). */
const RULES: readonly Rule[] = [
  { pattern: /error: option '(.+?)' argument '(.*?)' is invalid\./, key: 'errors.commander.invalidOption', names: ['option', 'value'] },
  { pattern: /error: option '(.+?)' value '(.*?)' from env '(.+?)' is invalid\./, key: 'errors.commander.invalidEnv', names: ['option', 'value', 'env'] },
  { pattern: /error: command-argument value '(.*?)' is invalid for argument '(.+?)'\./, key: 'errors.commander.invalidArgument', names: ['value', 'argument'] },
  { pattern: /error: missing required argument '(.+?)'/, key: 'errors.commander.missingArgument', names: ['argument'] },
  { pattern: /error: option '(.+?)' argument missing/, key: 'errors.commander.missingValue', names: ['option'] },
  { pattern: /error: required option '(.+?)' not specified/, key: 'errors.commander.missingOption', names: ['option'] },
  { pattern: /error: unknown option '(.+?)'/, key: 'errors.commander.unknownOption', names: ['option'] },
  { pattern: /error: unknown command '(.+?)'/, key: 'errors.commander.unknownCommand', names: ['command'] },
  { pattern: /Allowed choices are (.+?)\.(?=\n|$)/, key: 'errors.commander.choices', names: ['choices'] },
  { pattern: /\(Did you mean (?:one of )?(.+?)\?\)/, key: 'errors.commander.didYouMean', names: ['names'] },
];

const TOO_MANY = /error: too many arguments(?: for '(.+?)')?\. Expected (\d+) arguments? but got (\d+)\./;

/** `text` with each Commander phrase it holds in the current language. */
export function commanderWords(text: string): string {
  let out = text.replace(TOO_MANY, (_all, command: string | undefined, expected: string, got: string) =>
    t('errors.commander.tooMany', { where: command ? t('errors.commander.tooManyFor', { command }) : '', expected, got }),
  );
  for (const rule of RULES) {
    out = out.replace(rule.pattern, (...groups: string[]) => t(rule.key, Object.fromEntries(rule.names.map((name, i) => [name, groups[i + 1]!]))));
  }
  return out;
}

/** Commander's errors on `program` (and the commands added to it afterwards) in the CLI's language. */
export function translateCommanderErrors(program: Command): Command {
  return program.configureOutput({ outputError: (text, write) => write(commanderWords(text)) });
}
