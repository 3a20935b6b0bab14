/**
 * The validator's own cases in words of the catalogue: a value too small, too
 * long, not of the expected form, not one of the allowed ones. A schema that
 * words its problem itself (`{ error: () => t(...) }`) keeps its words; these
 * are for the rest. Installed once for the process (or the page) on import.
 */
import { z } from 'zod';
import { t as current, type Translator } from './index.js';

type Issue = z.core.$ZodRawIssue;
type Say = Translator['t'];

function quote(say: Say, value: unknown): string {
  return typeof value === 'string' ? say('config.quoted', { value }) : String(value);
}

/** `«\u00a0a\u00a0», «\u00a0b\u00a0» ou «\u00a0c\u00a0»` in French, `"a", "b" or "c"` in English. */
export function oneOf(say: Say, values: readonly unknown[]): string {
  const words = values.map((v) => quote(say, v));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')}${say('config.or')}${words.at(-1)!}` : (words[0] ?? '');
}

/** A type's name as a person reads it: `un nombre`, `une liste`. */
export function typeWord(say: Say, expected: string): string {
  if (expected === 'int') return say('config.zod.int');
  const known = ['string', 'number', 'boolean', 'object', 'array'] as const;
  const word = known.find((k) => k === expected);
  if (word) return say(`cli.configType.${word}`);
  return expected === 'record' ? say('cli.configType.object') : expected;
}

/** What a value is, as a person reads it: `rien`, `un texte`. */
export function kindWord(say: Say, value: unknown): string {
  if (value === undefined) return say('cli.configNothing');
  if (value === null) return 'null';
  if (Array.isArray(value)) return say('cli.configAList');
  return say(`cli.configType.${typeof value as 'string'}`);
}

function sized(say: Say, issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'string') {
    if (small) return bound <= 1 ? say('config.zod.notEmpty') : say('config.zod.tooShort', { min: bound });
    return say('config.zod.tooLong', { max: bound });
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    if (small) return bound <= 1 ? say('config.zod.listEmpty') : say('config.zod.listShort', { min: bound });
    return say('config.zod.listLong', { max: bound });
  }
  if (small) return inclusive ? say('config.zod.atLeast', { min: bound }) : say('config.zod.above', { min: bound });
  return inclusive ? say('config.zod.atMost', { max: bound }) : say('config.zod.below', { max: bound });
}

/** The words for one issue, in the language of `say` (the current one by default). */
export function issueWords(issue: Issue, say: Say = current): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? say('cli.configMissing', { expected: typeWord(say, String(issue.expected)) })
        : say('cli.configExpected', { expected: typeWord(say, String(issue.expected)), received: kindWord(say, issue.input) });
    case 'too_small':
    case 'too_big':
      return sized(say, issue);
    case 'invalid_format':
      return issue.format === 'regex' ? say('config.zod.pattern', { pattern: String((issue as { pattern?: unknown }).pattern ?? '') }) : say('config.zod.format', { format: issue.format });
    case 'invalid_value':
      return say('config.zod.oneOf', { values: oneOf(say, issue.values) });
    case 'not_multiple_of':
      return say('config.zod.multipleOf', { divisor: String(issue.divisor) });
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options?.length ? say('config.zod.oneOf', { values: oneOf(say, options) }) : say('config.zod.noMatch');
    }
    case 'invalid_key':
      return say('config.zod.badKey');
    case 'invalid_element':
      return say('config.zod.badElement');
    case 'unrecognized_keys':
      return say('cli.configUnknownKeys', { keys: issue.keys.map((k) => `"${k}"`).join(', '), valid: '-' });
    default:
      return say('config.zod.invalid');
  }
}

// Once per process: the validator's settings are shared by every copy of this module (a test run
// can load one through require and one through import), and the first copy's words stay.
if (!z.config().customError) z.config({ customError: (issue) => issueWords(issue) });
