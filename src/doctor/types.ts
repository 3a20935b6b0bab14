/**
 * What every `relais doctor` check returns: one line a technician reads
 * (status, what was found, how to fix it) and data for `--json`.
 */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface CheckResult {
  /** Short id: `gpio`, `serial`, `ffmpeg`, `broker`, `clock`, `disk`, `temperature`. */
  check: string;
  status: CheckStatus;
  /** What was found, in one line. */
  summary: string;
  /** What to do about a WARN or FAIL. */
  fix?: string;
  /** Details for `--json` (device lists, figures). */
  data?: Record<string, unknown>;
}

/** Checks may read files; tests point `root` at a fake tree. */
export interface FsProbe {
  /** Prefix for absolute paths (`/sys/...`, `/dev/...`); default `/`. */
  root: string;
  /** Resolves when the current user may open `path` with `mode` (fs.constants); default fs.access. */
  access(path: string, mode: number): Promise<void>;
}
