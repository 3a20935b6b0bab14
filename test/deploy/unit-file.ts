/**
 * Reads what a shipped unit says about how its process runs (User=,
 * WorkingDirectory=, Environment=, ExecStart=), so a test can start the same
 * command line the same way where systemd cannot run as PID 1.
 */
export interface UnitRun {
  user: string;
  workingDirectory: string;
  environment: Record<string, string>;
  execStart: string[];
}

/** Splits on blanks, keeping double-quoted words whole (the subset of systemd quoting the units use). */
function words(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

export function readUnit(text: string): UnitRun {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('['));
  const get = (key: string): string[] => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  const environment: Record<string, string> = {};
  for (const value of get('Environment')) {
    for (const word of words(value)) {
      const eq = word.indexOf('=');
      environment[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  const exec = get('ExecStart').at(-1);
  if (!exec) throw new Error('the unit has no ExecStart=');
  return { user: get('User').at(-1) ?? 'root', workingDirectory: get('WorkingDirectory').at(-1) ?? '/', environment, execStart: words(exec) };
}
