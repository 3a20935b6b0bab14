#!/usr/bin/env node
// `npm start`: make sure the demo's optional Debian packages are there (installed
// when run as root, named in one line otherwise), build if needed, run `relais demo`.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
spawnSync(process.execPath, [join(root, 'scripts', 'ensure-deps.mjs'), '--for', 'start'], { stdio: 'inherit' });
if (!existsSync(join(root, 'dist', 'src', 'cli.js')) || !existsSync(join(root, 'dist', 'dashboard', 'index.html'))) {
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawn(process.execPath, [join(root, 'dist', 'src', 'cli.js'), 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the demo through the terminal; pass on a TERM from elsewhere.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
