/**
 * Config problems as a person reads them: the path, what was wrong in words
 * (the catalogue's, src/i18n/zod-words.ts, not the validator's English), and on a typo
 * the keys that are valid there, the closest first.
 */
import type { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';

/** `['sites', 1, 'id']` -> `sites[1].id` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += (out ? '.' : '') + String(part);
  }
  return out || t('tools.configIssue.topLevel');
}

interface SchemaDef {
  type?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  schema?: z.ZodType;
}

const def = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The object schema's keys at `path`, through defaults, optionals, pipes and arrays; null when not an object there. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | null {
  let node: z.ZodType | undefined = schema;
  let rest = [...path];
  for (let guard = 0; node && guard < 64; guard += 1) {
    const d = def(node);
    if (d.innerType) node = d.innerType;
    else if (d.in && d.type === 'pipe') node = d.in;
    else if (d.type === 'array' && d.element) {
      if (typeof rest[0] !== 'number') return null;
      rest = rest.slice(1);
      node = d.element;
    } else if (d.type === 'object' && d.shape) {
      if (rest.length === 0) return Object.keys(d.shape);
      node = d.shape[String(rest[0])];
      rest = rest.slice(1);
    } else return null;
  }
  return null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = here;
    }
  }
  return row[b.length]!;
}

/** One line per problem, each naming its path. */
export function describeIssues(error: z.ZodError, schema?: z.ZodType): string[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const valid = schema ? keysAt(schema, issue.path) : null;
      const typo = issue.keys[0] ?? '';
      const sorted = valid ? [...valid].sort((a, b) => distance(typo, a) - distance(typo, b)) : [];
      message = t('cli.configUnknownKeys', { keys: issue.keys.map((k) => `"${k}"`).join(', '), valid: sorted.length ? sorted.join(', ') : '-' });
    }
    return `${formatPath(issue.path)}${t('punct.colon')}${message}`;
  });
}
