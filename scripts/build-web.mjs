#!/usr/bin/env node
/**
 * Bundles the dashboard page (src/dashboard/web) into dist/dashboard with
 * esbuild: main.js (the operator's page, + a lazily loaded chunk for the
 * video player) with index.html and style.css, and stage-main.js (the
 * speaker screen, `/stage/<site>`) with stage.html and stage.css. `node scripts/build-web.mjs [--outdir dir] [--dev]`.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'src/dashboard/web');
export const DEFAULT_OUTDIR = join(root, 'dist/dashboard');

/**
 * Builds the page into `outdir` (emptied first). Resolves with the output
 * files and how long it took.
 * @param {{ outdir?: string, minify?: boolean }} [options]
 */
export async function buildWeb(options = {}) {
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const started = performance.now();
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(webDir, 'main.ts'), join(webDir, 'stage-main.ts')],
    outdir,
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: options.minify ?? true,
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfig: join(webDir, 'tsconfig.json'),
    logLevel: 'warning',
    metafile: true,
  });
  const pages = ['index.html', 'style.css', 'stage.html', 'stage.css'];
  await Promise.all(pages.map((f) => copyFile(join(webDir, f), join(outdir, f))));
  const files = [...Object.keys(result.metafile.outputs).filter((f) => !f.endsWith('.map')).map((f) => resolve(root, f)), ...pages.map((f) => join(outdir, f))];
  // Gzipped twins: the server sends them to browsers that accept gzip (a phone on a venue's link).
  await Promise.all(files.map(async (f) => writeFile(`${f}.gz`, gzipSync(await readFile(f), { level: 9 }))));
  return { outdir, files, ms: Math.round(performance.now() - started) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const outdir = at >= 0 ? resolve(args[at + 1] ?? '') : DEFAULT_OUTDIR;
  buildWeb({ outdir, minify: !args.includes('--dev') }).then(
    (r) => process.stdout.write(`dashboard built into ${r.outdir} in ${r.ms} ms (${r.files.length} files)\n`),
    (err) => {
      process.stderr.write(`build-web: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
