/**
 * The demo's live terminal screen: one line per site, the floor, the latest
 * log lines, and the keys that press the sites' buttons. In the process's
 * language (French unless `--lang en` / `LANG=en_*`), with the sites'
 * display names; sites are numbered in id order, like the dashboard's 1-9 keys.
 */
import type { ApplianceRuntime } from '../appliance/runtime.js';
import type { Conductor } from '../conductor/conductor.js';
import { t } from '../i18n/index.js';

const ESC = '\u001b[';
const RED = `${ESC}41;97m`;
const AMBER = `${ESC}43;30m`;
const DIM = `${ESC}2m`;
const RESET = `${ESC}0m`;

function lamp(label: string, pattern: string, level: boolean, colour: string): string {
  if (pattern === 'off') return `${DIM}[${label.padEnd(7)}]${RESET}`;
  const text = `[${(pattern === 'on' ? label : `${label}~`).padEnd(7)}]`;
  return level ? `${colour}${text}${RESET}` : text;
}

export interface ScreenInput {
  title: string;
  conductor: Conductor;
  boxes: ApplianceRuntime[];
  /** Display names by site id ("Rivière-du-Loup"); a missing one shows the id. */
  names?: Record<string, string>;
  extraLines: () => string[];
  logLines: () => string[];
}

/** The boxes in the order the keys 1-9 press them: by site id, as the dashboard numbers its cards. */
export function keyOrder<T extends { site: string }>(boxes: readonly T[]): T[] {
  return [...boxes].sort((a, b) => a.site.localeCompare(b.site));
}

const mmss = (s: number): string => `${s < 0 ? '-' : ''}${Math.floor(Math.abs(s) / 60)}:${String(Math.abs(s) % 60).padStart(2, '0')}`;

export function renderScreen(input: ScreenInput, width = 100, now = Date.now()): string {
  const floor = input.conductor.floor();
  const name = (site: string | null): string => (site ? input.names?.[site] ?? site : '-');
  const lines: string[] = [];
  lines.push(t('demo.title', { title: input.title, id: input.conductor.id, role: input.conductor.role, epoch: floor.epoch }));
  const item = floor.item ? `${floor.item.title} (${floor.item.speaker})` : floor.onAir ? t('demo.unscheduled') : '-';
  let clock = '';
  if (floor.since && floor.plannedEnd) {
    const elapsed = Math.floor((now - Date.parse(floor.since)) / 1000);
    const remaining = Math.floor((Date.parse(floor.plannedEnd) - now) / 1000);
    clock = t('demo.clock', { elapsed: mmss(elapsed), remaining: mmss(remaining), over: remaining < 0 ? t('demo.overtime') : '' });
  }
  lines.push(t('demo.onAir', { site: name(floor.onAir), item, clock }));
  lines.push(t('demo.next', { site: name(floor.next), item: floor.nextItem ? ` (${floor.nextItem.title})` : '', queue: floor.queue.map(name).join(', ') || '-' }));
  lines.push('');
  const linkWidth = Math.max(t('demo.online').length, t('demo.linkLost').length);
  keyOrder(input.boxes).forEach((box, i) => {
    const lamps = box.lampPatterns();
    const row = lamps
      ? `${lamp(t('demo.lampOnAir'), lamps.onAir.pattern, lamps.onAir.level, RED)} ${lamp(t('demo.lampNext'), lamps.next.pattern, lamps.next.level, AMBER)} ${lamp(t('demo.lampButton'), lamps.button.pattern, lamps.button.level, AMBER)}`
      : '';
    const link = (box.linkUp ? t('demo.online') : t('demo.linkLost')).padEnd(linkWidth);
    lines.push(`${i + 1}  ${name(box.site).padEnd(17)} ${link} ${t(`demo.role.${box.role}`).padEnd(9)} ${row}`);
  });
  lines.push('', ...input.extraLines());
  lines.push(`${DIM}${t('demo.keys', { n: input.boxes.length })}${RESET}`);
  lines.push('');
  for (const log of input.logLines()) lines.push(`${DIM}${log.slice(0, width)}${RESET}`);
  return lines.join('\n');
}
