#!/usr/bin/env node
// `npm install` / `npm ci` build relais (TypeScript and the dashboard page).
// A production install (`npm ci --omit=dev`, as scripts/install.sh does on a box)
// has no compiler and ships the built dist/: nothing to do then.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require.resolve('typescript');
} catch {
  console.error('relais: no TypeScript compiler here (production install): using the built dist/');
  process.exit(0);
}
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
process.exit(build.status ?? 1);
