/**
 * The day's planned-vs-actual report, from the retained `rundown` (which
 * carries each item's slot, added minutes, and actual start and end): rows,
 * a CSV with a header, and a table for a terminal, in the current language
 * with 24-hour Quebec times (14 h 05) and durations in minutes. Pure.
 */
import { currentLang, t } from '../i18n/index.js';
import { formatTimeOfDay } from '../i18n/time.js';
import type { RundownList } from '../protocol/schemas.js';

export interface ReportRow {
  /** The item's number in the rundown (1 is the first). */
  number: number;
  title: string;
  speaker: string;
  site: string;
  scheduledStart: string | null;
  plannedMinutes: number;
  addedMinutes: number;
  actualStart: string | null;
  actualEnd: string | null;
  /** Minutes the item took; null until it ended. */
  actualMinutes: number | null;
  /** Actual start minus scheduled start, in minutes. */
  startOffsetMinutes: number | null;
  /** Actual minutes minus planned minutes. */
  overMinutes: number | null;
  skipped: boolean;
}

const minutesBetween = (from: string | null | undefined, to: string | null | undefined): number | null => {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / 60_000) + 0 : null;
};

/** One row per item, in play order; `name` gives a site's display name. */
export function reportRows(rundown: RundownList, name: (site: string) => string = (s) => s): ReportRow[] {
  return rundown.items.map((item) => {
    const actualMinutes = minutesBetween(item.actualStart, item.actualEnd);
    return {
      number: item.index + 1,
      title: item.title,
      speaker: item.speaker,
      site: name(item.site),
      scheduledStart: item.scheduledStart ?? null,
      plannedMinutes: item.plannedMinutes,
      addedMinutes: item.addedMinutes ?? 0,
      actualStart: item.actualStart ?? null,
      actualEnd: item.actualEnd ?? null,
      actualMinutes,
      startOffsetMinutes: minutesBetween(item.scheduledStart, item.actualStart),
      overMinutes: actualMinutes === null ? null : actualMinutes - item.plannedMinutes,
      skipped: Boolean(item.skipped) && !item.actualStart,
    };
  });
}

/** The column titles, in the current language. */
export function reportHeader(): string[] {
  return (['number', 'title', 'speaker', 'site', 'scheduledStart', 'plannedMinutes', 'addedMinutes', 'actualStart', 'actualEnd', 'actualMinutes', 'startOffset', 'over', 'skipped'] as const).map((k) => t(`report.column.${k}`));
}

const signed = (n: number | null): string => (n === null ? '' : n > 0 ? `+${n}` : String(n));

/** A row's cells as a person reads them: times `14 h 05`, minutes signed where they are a difference. */
export function reportCells(row: ReportRow): string[] {
  const lang = currentLang();
  const time = (at: string | null): string => (at ? formatTimeOfDay(at, lang).replace(/\u00a0/g, ' ') : '');
  return [
    String(row.number), row.title, row.speaker, row.site, time(row.scheduledStart), String(row.plannedMinutes), row.addedMinutes ? signed(row.addedMinutes) : '',
    time(row.actualStart), time(row.actualEnd), row.actualMinutes === null ? '' : String(row.actualMinutes), signed(row.startOffsetMinutes), signed(row.overMinutes),
    row.skipped ? t('report.yes') : '',
  ];
}

function csvField(value: string): string {
  return /[",;\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The report as CSV: a header line, then one line per item (comma-separated, quoted where needed). */
export function reportCsv(rows: readonly ReportRow[]): string {
  return [reportHeader(), ...rows.map(reportCells)].map((cells) => cells.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The report as a table for a terminal, columns padded. */
export function reportTable(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return t('report.empty');
  const lines = [reportHeader(), ...rows.map(reportCells)];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => [...l[c]!].length)));
  return lines.map((cells) => cells.map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}
