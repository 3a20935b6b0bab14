/**
 * The import graph of src/: no cycle, and no import from a lower layer into a
 * higher one. The layers are the ones the README states ("How it fits together").
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/**
 * Lowest first. A file belongs to the first layer with a matching pattern
 * (`*` stays inside one folder, `**` crosses folders). A file may import from
 * its own layer or a lower one.
 */
const LAYERS: ReadonlyArray<{ name: string; patterns: readonly string[] }> = [
  { name: 'base', patterns: ['util/**', 'version.ts', 'i18n/**'] },
  { name: 'contract', patterns: ['protocol/**', 'hardware/types.ts'] },
  { name: 'core', patterns: ['floor/**'] },
  { name: 'schemas', patterns: ['*/config.ts', 'appliance/tally-in-config.ts', 'dashboard/web/config.ts'] },
  { name: 'config', patterns: ['config/**'] },
  { name: 'edges', patterns: ['hardware/**', 'mqtt/**', 'broker/**', 'system/**'] },
  { name: 'features', patterns: ['appliance/**', 'buttons/**', 'ptz/**', 'tally/**', 'sim/**', 'media/**', 'conductor/**', 'dashboard/web/**'] },
  { name: 'tools', patterns: ['commands/**', 'doctor/**', 'dashboard/**'] },
  { name: 'demo', patterns: ['demo/**'] },
  { name: 'cli', patterns: ['cli.ts', 'wiring.ts'] },
];

/**
 * Imports that break the rules, each with its reason. `toBeRemoved` entries are
 * debts: delete the entry when the code is fixed (the test then fails if the
 * import comes back). An entry that no longer matches an import fails the test too.
 */
const ALLOWED: ReadonlyArray<{ from: string; to: string; why: string; toBeRemoved?: true }> = [
  { from: 'buttons/config.ts', to: 'buttons/gestures.ts', why: 'the gesture defaults are the schema defaults; gestures.ts is pure' },
  { from: 'ptz/config.ts', to: 'ptz/commands.ts', why: 'the preset range is the VISCA command table\'s' },
  { from: 'ptz/config.ts', to: 'ptz/ip-header.ts', why: 'the default VISCA over IP port' },
];

/** Import cycles known and waiting for their fix, as the sorted files of the cycle. */
const KNOWN_CYCLES: ReadonlyArray<{ files: readonly string[]; why: string; toBeRemoved: true }> = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from`, side-effect `import '…'` and `import('…')`. */
function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const pattern = /\bfrom\s+'(\.[^']+)'|\bimport\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;
  for (const match of code.matchAll(pattern)) found.push((match[1] ?? match[2] ?? match[3])!);
  return found;
}

/** The specifiers Node loads with the file itself: static imports of values (no `import type`, no `import()`). */
function loadedWith(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const pattern = /^(?:import|export)\s+(?!type\b)(?:[^;']*?\sfrom\s+)?'(\.[^']+)'/gm;
  return [...code.matchAll(pattern)].map((match) => match[1]!);
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split('**').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*');
  return new RegExp(`^${body}$`);
}

const layerMatchers = LAYERS.map((layer, index) => ({ index, name: layer.name, regexps: layer.patterns.map(globToRegExp) }));

function layerOf(file: string): { index: number; name: string } {
  const layer = layerMatchers.find((l) => l.regexps.some((r) => r.test(file)));
  if (!layer) throw new Error(`src/${file} is in no layer: add its folder to LAYERS in test/layering.test.ts and to the README`);
  return layer;
}

function buildGraph(): Map<string, string[]> {
  const files = new Set(sourceFiles(SRC));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(readFileSync(join(SRC, file), 'utf8')).map((spec) => {
      const target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      if (!files.has(target) && !spec.endsWith('.json')) throw new Error(`src/${file} imports ${spec}, which is not a file of src/`);
      return target;
    });
    graph.set(file, [...new Set(targets.filter((t) => files.has(t)))]);
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

const sameFiles = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((f, i) => f === b[i]);

describe('layering of src/', () => {
  const graph = buildGraph();
  const allowed = (from: string, to: string): boolean => ALLOWED.some((a) => a.from === from && a.to === to);

  it('puts every source file in a layer', () => {
    for (const file of graph.keys()) layerOf(file);
  });

  it('never imports from a higher layer', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const a = layerOf(from);
        const b = layerOf(to);
        if (b.index > a.index && !allowed(from, to)) upward.push(`${from} (${a.name}) imports ${to} (${b.name})`);
      }
    }
    assert.deepEqual(upward, [], 'imports run from the CLI down to the pure core; move the shared part down a layer');
  });

  it('has no two parts (a folder in a layer) that import each other', () => {
    // Files can avoid a cycle while their folders do not (ptz/cli -> sim -> ptz): that still ties two parts together.
    const unitOf = (file: string): string => `${layerOf(file).name}:${posix.dirname(file)}`;
    const units = new Map<string, Set<string>>();
    for (const [from, targets] of graph) {
      for (const to of targets) {
        if (allowed(from, to) || unitOf(from) === unitOf(to)) continue;
        const set = units.get(unitOf(from)) ?? new Set<string>();
        set.add(unitOf(to));
        units.set(unitOf(from), set);
      }
    }
    const unitGraph = new Map([...units].map(([u, s]) => [u, [...s]]));
    assert.deepEqual(cycles(unitGraph), []);
  });

  it('has no import cycle between files, apart from the known ones listed to be removed', () => {
    const found = cycles(graph);
    const unknown = found.filter((c) => !KNOWN_CYCLES.some((k) => sameFiles(k.files, c)));
    assert.deepEqual(unknown, [], 'break the cycle by moving what both files need into a third one');
  });

  it('lists only allowances that are still needed', () => {
    const found = cycles(graph);
    const staleCycles = KNOWN_CYCLES.filter((k) => !found.some((c) => sameFiles(k.files, c))).map((k) => k.files.join(' <-> '));
    const staleImports = ALLOWED.filter((a) => !(graph.get(a.from) ?? []).includes(a.to)).map((a) => `${a.from} -> ${a.to}`);
    assert.deepEqual([...staleCycles, ...staleImports], [], 'fixed: delete the entry from test/layering.test.ts');
  });

  it('loads no optional part with a command that does not need it', () => {
    const loaded = (entry: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const spec of loadedWith(readFileSync(join(SRC, file), 'utf8'))) visit(posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
      };
      visit(entry);
      return seen;
    };
    // relais appliance, conductor, floor, config: the CLI alone, before its dynamic imports. The config
    // schemas come with it.
    const optional = /^(media|dashboard|doctor|sim|demo|broker)\/|^ptz\/(feature|cli|camera|open)\.ts$/;
    const core = [...loaded('cli.ts')].filter((f) => layerOf(f).name !== 'schemas' && optional.test(f));
    assert.deepEqual(core, [], 'the CLI itself must not load the optional parts');
    // relais dashboard: the page's server, not the embedded broker (Aedes).
    assert.equal(loaded('dashboard/command.ts').has('broker/embedded.ts'), false);
    assert.ok(loaded('dashboard/command.ts').has('util/errors.ts'), 'the walk follows imports');
  });

  it('reads every kind of import line', () => {
    const text = [
      "import { a } from './a.js';",
      "import type {\n  B,\n} from '../b.js';",
      "export { c } from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
      "// import { f } from './f.js';",
      "/* import { g } from './g.js'; */",
      "import { h } from 'commander';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(text), ['./a.js', '../b.js', './c.js', './d.js', './e.js']);
    assert.deepEqual(loadedWith(text), ['./a.js', './c.js', './d.js']);
  });
});
