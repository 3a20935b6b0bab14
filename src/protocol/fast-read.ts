/**
 * A plain-JavaScript reader compiled once from a zod schema of the contract.
 * Every box validates the floor and every answer on `events` on the path of
 * a hand-off, with the ON AIR lamp waiting; zod's general machinery spends
 * about 1 µs a site slug in a floor's queue (15 µs without the JIT, as the
 * appliance unit runs). The compiled reader takes under half of that time
 * with the JIT and a sixth without (docs/benchmarks.md).
 *
 * The reader knows the schema kinds and checks the contract uses (objects,
 * strict or stripping, strings with length and pattern checks, numbers with
 * integer and range checks, booleans, enums, arrays, nullable, optional) and
 * hands any other node to zod itself. It is only a fast path: a value it does
 * not accept goes to zod, which has the last word and gives the reason. What
 * it accepts, zod accepts too, with the same output (unknown keys dropped,
 * keys in the schema's order); test/protocol/fast-read.test.ts checks that on
 * generated payloads for every topic.
 */
import type { z } from 'zod';

/** What a reader returns for a value the schema does not accept (as far as the reader can tell). */
export const NOT_READ: unique symbol = Symbol('not read');
export type Reader = (value: unknown) => unknown;

/** The parts of a zod v4 definition the reader looks at. */
interface Def {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, unknown>;
  coerce?: boolean;
}

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  format?: string;
  pattern?: RegExp;
  value?: number;
  inclusive?: boolean;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Told of each node left to zod (for tests: the hot payloads have none). */
let onZod: ((type: string) => void) | null = null;

/** zod for a node the reader does not know. */
function viaZod(schema: z.ZodType): Reader {
  onZod?.(defOf(schema).type);
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : NOT_READ;
  };
}

type Test<T> = (value: T) => boolean;

/** One test for all of a node's checks; null when one of them is unknown here. */
function checksTest<T>(checks: Def['checks'], one: (check: CheckDef) => Test<T> | null): Test<T> | null {
  const tests: Array<Test<T>> = [];
  for (const check of checks ?? []) {
    const test = one(check._zod.def);
    if (!test) return null;
    tests.push(test);
  }
  if (tests.length <= 1) return tests[0] ?? (() => true);
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

function lengthCheck(c: CheckDef): Test<string | unknown[]> | null {
  if (c.check === 'min_length' && typeof c.minimum === 'number') return (v) => v.length >= c.minimum!;
  if (c.check === 'max_length' && typeof c.maximum === 'number') return (v) => v.length <= c.maximum!;
  if (c.check === 'length_equals' && typeof c.length === 'number') return (v) => v.length === c.length;
  return null;
}

function stringCheck(c: CheckDef): Test<string> | null {
  if (c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp && !c.pattern.global && !c.pattern.sticky) {
    const pattern = c.pattern;
    return (v) => pattern.test(v);
  }
  return lengthCheck(c);
}

function numberCheck(c: CheckDef): Test<number> | null {
  if (c.check === 'number_format' && c.format === 'safeint') return (v) => Number.isSafeInteger(v);
  if (typeof c.value !== 'number') return null;
  const bound = c.value;
  if (c.check === 'greater_than') return c.inclusive ? (v) => v >= bound : (v) => v > bound;
  if (c.check === 'less_than') return c.inclusive ? (v) => v <= bound : (v) => v < bound;
  return null;
}

/** The node types of `schema` the reader leaves to zod. */
export function leftToZod(schema: z.ZodType): string[] {
  const left: string[] = [];
  onZod = (type) => left.push(type);
  try {
    compileReader(schema);
  } finally {
    onZod = null;
  }
  return left;
}

/** The reader of `schema`, built once; call it on parsed JSON. */
export function compileReader(schema: z.ZodType): Reader {
  const def = defOf(schema);
  if (def.coerce) return viaZod(schema);
  switch (def.type) {
    case 'string': {
      const test = checksTest(def.checks, stringCheck);
      return test ? (v) => (typeof v === 'string' && test(v) ? v : NOT_READ) : viaZod(schema);
    }
    case 'number': {
      const test = checksTest(def.checks, numberCheck);
      return test ? (v) => (typeof v === 'number' && Number.isFinite(v) && test(v) ? v : NOT_READ) : viaZod(schema);
    }
    case 'boolean':
      return def.checks?.length ? viaZod(schema) : (v) => (typeof v === 'boolean' ? v : NOT_READ);
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return def.checks?.length ? viaZod(schema) : (v) => (values.has(v) ? v : NOT_READ);
    }
    case 'nullable': {
      const inner = compileReader(def.innerType!);
      return (v) => (v === null ? null : inner(v));
    }
    case 'optional': {
      const inner = compileReader(def.innerType!);
      return (v) => (v === undefined ? undefined : inner(v));
    }
    case 'array':
      return arrayReader(schema, def);
    case 'object':
      return objectReader(schema, def);
    case 'record':
      return recordReader(schema, def);
    case 'union': {
      // As zod: the first option that reads the value gives the result.
      if (def.checks?.length || !def.options?.length) return viaZod(schema);
      const options = def.options.map((o) => compileReader(o));
      return (v) => {
        for (const option of options) {
          const out = option(v);
          if (out !== NOT_READ) return out;
        }
        return NOT_READ;
      };
    }
    default:
      return viaZod(schema);
  }
}

function arrayReader(schema: z.ZodType, def: Def): Reader {
  const test = checksTest(def.checks, lengthCheck);
  if (!test) return viaZod(schema);
  const element = compileReader(def.element!);
  return (v) => {
    if (!Array.isArray(v) || !test(v)) return NOT_READ;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = element(v[i]);
      if (item === NOT_READ) return NOT_READ;
      out[i] = item;
    }
    return out;
  };
}

function recordReader(schema: z.ZodType, def: Def): Reader {
  // String keys only (an enum key makes the record exhaustive: zod's job).
  if (def.checks?.length || !def.keyType || !def.valueType || defOf(def.keyType).type !== 'string') return viaZod(schema);
  const key = compileReader(def.keyType);
  const value = compileReader(def.valueType);
  return (v) => {
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return NOT_READ;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      // A `__proto__` key from JSON.parse is an own key; assigning it would set the prototype: zod decides.
      if (k === '__proto__' || key(k) === NOT_READ) return NOT_READ;
      const read = value(item);
      if (read === NOT_READ) return NOT_READ;
      out[k] = read;
    }
    return out;
  };
}

function objectReader(schema: z.ZodType, def: Def): Reader {
  // Refinements on the whole object (a superRefine) and catch-alls other than "none": zod's job.
  if (def.checks?.length) return viaZod(schema);
  const strict = def.catchall !== undefined && defOf(def.catchall).type === 'never';
  if (def.catchall !== undefined && !strict) return viaZod(schema);
  const keys = Object.keys(def.shape ?? {});
  const readers = keys.map((key) => compileReader(def.shape![key]!));
  const known = new Set(keys);
  return (v) => {
    // Plain objects only (what JSON.parse makes): zod also reads inherited keys.
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return NOT_READ;
    const input = v as Record<string, unknown>;
    if (strict && Object.keys(input).some((key) => !known.has(key))) return NOT_READ;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = readers[i]!(input[key]);
      if (value === NOT_READ) return NOT_READ;
      // As zod: a key the input lacks and the schema allows to lack stays out.
      if (value !== undefined || key in input) out[key] = value;
    }
    return out;
  };
}
