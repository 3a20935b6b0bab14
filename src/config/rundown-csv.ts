/**
 * A day's rundown from a CSV file (`relais rundown import day.csv`): one item
 * per line, with a header naming the columns in French or English
 * (`titre`/`title`, `conférencier`/`speaker`, `site`, `minutes`), commas or
 * semicolons (a French spreadsheet's export), quoted fields. Every bad line
 * is reported with its number; nothing is imported unless all lines are good.
 */
import { t } from '../i18n/index.js';
import { rundownEntrySchema } from './schema.js';

export interface RundownEntry {
  title: string;
  speaker: string;
  site: string;
  minutes: number;
}

const COLUMNS: Record<string, keyof RundownEntry> = {
  title: 'title', titre: 'title',
  speaker: 'speaker', 'conférencier': 'speaker', conferencier: 'speaker', 'conférencière': 'speaker', orateur: 'speaker',
  site: 'site', lieu: 'site',
  minutes: 'minutes', 'durée': 'minutes', duree: 'minutes',
};

/** Splits one CSV line into fields: `"a, b"` keeps its comma, `""` is a quote. */
export function splitCsvLine(line: string, separator: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === separator) {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

export type RundownImport = { ok: true; items: RundownEntry[] } | { ok: false; errors: string[] };

/** Parses the file's text; `sites` (when known) are the event's site ids, so a misspelt site is caught here. */
export function parseRundownCsv(text: string, sites?: readonly string[]): RundownImport {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return { ok: false, errors: [t('rundownCsv.empty')] };
  const header = lines[headerAt]!;
  const separator = header.split(';').length > header.split(',').length ? ';' : ',';
  const names = splitCsvLine(header, separator).map((name) => COLUMNS[name.toLowerCase()] ?? null);
  const missing = (['title', 'site', 'minutes'] as const).filter((c) => !names.includes(c));
  if (missing.length) return { ok: false, errors: [t('rundownCsv.header', { line: headerAt + 1, missing: missing.join(', ') })] };
  const items: RundownEntry[] = [];
  const errors: string[] = [];
  lines.forEach((line, index) => {
    if (index <= headerAt || line.trim() === '' || line.trimStart().startsWith('#')) return;
    const n = index + 1;
    const fields = splitCsvLine(line, separator);
    const raw: Record<string, unknown> = {};
    names.forEach((name, i) => {
      if (name) raw[name] = fields[i] ?? '';
    });
    const minutes = String(raw['minutes'] ?? '').replace(',', '.');
    raw['minutes'] = minutes === '' ? undefined : Number(minutes);
    if (Number.isNaN(raw['minutes'])) return errors.push(t('rundownCsv.minutes', { line: n, value: String(fields[names.indexOf('minutes')] ?? '') }));
    const parsed = rundownEntrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return errors.push(t('rundownCsv.field', { line: n, field: String(issue.path[0] ?? '?'), reason: issue.code === 'invalid_type' ? t('rundownCsv.missing') : issue.message }));
    }
    if (sites && !sites.includes(parsed.data.site)) return errors.push(t('rundownCsv.site', { line: n, site: parsed.data.site, sites: sites.join(', ') }));
    items.push(parsed.data);
  });
  if (errors.length) return { ok: false, errors };
  if (items.length === 0) return { ok: false, errors: [t('rundownCsv.empty')] };
  return { ok: true, items };
}
