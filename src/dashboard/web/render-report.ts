/**
 * The day's planned-vs-actual report on the dashboard: a CSV download link
 * and a printable page (a document of its own, with print CSS), both built
 * from the retained rundown the page already holds. Pure: strings out.
 */
import { t } from '../../i18n/index.js';
import { reportCells, reportCsv, reportHeader, reportRows } from '../../floor/report.js';
import { attrs, esc } from './html.js';
import type { DashboardModel } from './model.js';

/** The links under the rundown: CSV download and the printable page. */
export function reportLinks(model: DashboardModel): string {
  if (!model.rundown || model.rundown.items.length === 0) return '';
  const csv = reportCsv(reportRows(model.rundown, (s) => model.siteName(s)));
  const href = `data:text/csv;charset=utf-8,${encodeURIComponent(`\ufeff${csv}`)}`;
  return `<p class="report-links"><a${attrs({ href, download: `rapport-${model.event}.csv`, 'data-report-csv': 'true' })}>${esc(t('report.csv'))}</a> · <button type="button" class="small" data-action="report-print">${esc(t('report.print'))}</button></p>`;
}

/** The printable report (shown over the page; print CSS in style.css prints it alone). */
export function reportView(model: DashboardModel): string {
  const rows = model.rundown ? reportRows(model.rundown, (s) => model.siteName(s)) : [];
  const numeric = new Set([0, 5, 6, 9, 10, 11]);
  const body = rows.length
    ? `<table class="report-table"><thead><tr>${reportHeader().map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr${attrs({ class: row.skipped ? 'skipped' : null, 'data-number': row.number })}>${reportCells(row).map((c, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
    : `<p>${esc(t('report.empty'))}</p>`;
  return `<h1>${esc(t('report.title'))} · ${esc(model.event)}</h1>${body}
    <p class="report-buttons"><button type="button" data-action="report-window-print">${esc(t('report.printNow'))}</button> <button type="button" data-action="report-close">${esc(t('report.close'))}</button></p>`;
}
