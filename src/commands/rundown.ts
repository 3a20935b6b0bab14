/**
 * `relais rundown import day.csv [--into conductor.yaml]`: the day's rundown
 * from a spreadsheet. Without `--into` it prints the `rundown:` block to paste
 * into the conductor's config; with it, it replaces that config's rundown
 * (keeping the file's comments) once the whole config still validates.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseDocument, stringify } from 'yaml';
import { validateConfig } from '../config/load.js';
import { parseRundownCsv } from '../config/rundown-csv.js';
import { t } from '../i18n/index.js';
import { UserError } from '../util/errors.js';
import { reportCsv, reportRows, reportTable } from '../floor/report.js';
import { clientOptions, withBrokerFlags } from './broker-flags.js';
import type { FloorClientOptions } from './floor-client.js';

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`${path}${t('punct.colon')}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? t('errors.fileNotFound') : String(err)}`);
  }
}

/** Imports `csvPath`; returns what to print. Throws a {@link UserError} naming every bad line. */
export async function importRundown(csvPath: string, into?: string): Promise<string> {
  const doc = into ? parseDocument(await readText(into)) : null;
  const sites = doc ? ((doc.toJS() as { sites?: Array<{ id?: string }> }).sites ?? []).map((s) => String(s.id)) : undefined;
  const result = parseRundownCsv(await readText(csvPath), sites);
  if (!result.ok) throw new UserError(`${csvPath}:\n  ${result.errors.join('\n  ')}`);
  if (!doc || !into) return stringify({ rundown: result.items });
  doc.set('rundown', doc.createNode(result.items));
  validateConfig('conductor', doc.toJS(), into);
  // Written whole or not at all: a temp file beside it, then renamed over it.
  const temp = `${into}.tmp-${process.pid}`;
  await writeFile(temp, doc.toString());
  await rename(temp, into);
  return t('rundownCsv.imported', { count: result.items.length, file: into });
}

/** `relais rundown report`: the planned-vs-actual report of the day, from the broker's retained rundown. */
export async function rundownReport(opts: FloorClientOptions, csv: boolean): Promise<string> {
  const { readStatus } = await import('./floor-client.js');
  const status = await readStatus(opts);
  if (!status.rundown) throw new UserError(t('report.none'));
  const rows = reportRows(status.rundown, (site) => status.sites[site]?.name ?? site);
  return csv ? reportCsv(rows) : `${t('report.title')}\n\n${reportTable(rows)}\n`;
}

export function registerRundownCommand(program: Command): void {
  const rundown = program.command('rundown').description(t('help.rundown.description'));
  withBrokerFlags(rundown.command('report').description(t('help.rundown.report')))
    .option('--csv', t('help.rundown.csv'))
    .action(async (opts: Record<string, unknown>) => {
      process.stdout.write(await rundownReport(clientOptions(opts), Boolean(opts.csv)));
    });
  rundown
    .command('import')
    .description(t('help.rundown.import'))
    .argument('<file>', t('help.rundown.file'))
    .option('--into <config>', t('help.rundown.into'))
    .action(async (file: string, opts: { into?: string }) => {
      process.stdout.write(`${(await importRundown(file, opts.into)).trimEnd()}\n`);
    });
}
