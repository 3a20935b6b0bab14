/** The relais version reported in every site's `state`. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      return (require(path) as { version: string }).version;
    } catch {
      // try the next layout (sources under src/, or compiled under dist/src/)
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
