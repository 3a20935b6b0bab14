import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { FsProbe } from './types.js';

export function defaultFsProbe(root = '/'): FsProbe {
  return { root, access: (path, mode) => access(path, mode) };
}

/** `/sys/class/gpio` under the probe's root. */
export function underRoot(probe: FsProbe, absolute: string): string {
  return probe.root === '/' ? absolute : join(probe.root, absolute);
}

/** `rw`, `r`, `w` or `-` for the current user. */
export async function accessModes(probe: FsProbe, path: string): Promise<string> {
  const can = async (mode: number): Promise<boolean> =>
    probe.access(path, mode).then(
      () => true,
      () => false,
    );
  const { constants } = await import('node:fs');
  const r = await can(constants.R_OK);
  const w = await can(constants.W_OK);
  return r && w ? 'rw' : r ? 'r' : w ? 'w' : '-';
}

/** Who runs the doctor, for fix messages. */
export function currentUser(): string {
  try {
    return process.env.USER ?? process.env.LOGNAME ?? String(process.getuid?.() ?? 'this user');
  } catch {
    return 'this user';
  }
}
