/**
 * Commander writes its own errors about the command line (an unknown option,
 * a missing argument, a value a parser refused) and the frame of `--help`
 * (`Usage:`, `Options:`, `(default: …)`) in English. This rewords them in the
 * CLI's language through the catalogues; a message it does not know (the
 * commands' own, already translated) passes through unchanged.
 */
import { Help, type Argument, type Command, type Option } from 'commander';
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

/** The headings of Commander's help, by their English text. */
const TITLES: Readonly<Record<string, MessageKey>> = {
  'Usage:': 'help.words.usage',
  'Arguments:': 'help.words.arguments',
  'Options:': 'help.words.options',
  'Global Options:': 'help.words.globalOptions',
  'Commands:': 'help.words.commands',
};

/** The words Commander adds after an option's own description: `(default: "5.0")`, `(choices: …)`. */
const EXTRA = /(^ \(|, )(default|choices|preset|env): /g;
const EXTRA_KEYS: Readonly<Record<string, MessageKey>> = { default: 'help.words.default', choices: 'help.words.choices', preset: 'help.words.preset', env: 'help.words.env' };

/** `full` (the description Commander built) with the words it added after `own` in the current language. */
function extraWords(own: string, full: string): string {
  if (!full.startsWith(own)) return full;
  return own + full.slice(own.length).replace(EXTRA, (_all, lead: string, word: string) => `${lead}${t(EXTRA_KEYS[word]!)}${t('punct.colon')}`);
}

/** Commander's help on `program` (and the commands added to it afterwards) in the CLI's language. */
export function translateCommanderHelp(program: Command): Command {
  const command = t('help.words.command');
  return program
    .helpOption('-h, --help', t('help.words.helpOption'))
    .helpCommand(`help [${command}]`, t('help.words.helpCommand'))
    .configureHelp({
      styleTitle: (title) => (TITLES[title] ? t(TITLES[title]) : title),
      styleUsage: (usage) => usage.replace('[command]', `[${command}]`),
      optionDescription(this: Help, option: Option) {
        return extraWords(option.description ?? '', Help.prototype.optionDescription.call(this, option));
      },
      argumentDescription(this: Help, argument: Argument) {
        return extraWords(argument.description ?? '', Help.prototype.argumentDescription.call(this, argument));
      },
    });
}

/** Both: Commander's errors and its help, in the CLI's language. */
export function translateCommander(program: Command): Command {
  return translateCommanderHelp(translateCommanderErrors(program));
}
