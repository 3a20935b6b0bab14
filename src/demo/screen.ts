/**
 * The demo's live terminal screen: one line per site, the floor, the latest
 * log lines, and the keys that press the sites' buttons.
 */
import type { ApplianceRuntime } from '../appliance/runtime.js';
import type { Conductor } from '../conductor/conductor.js';

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
  extraLines: () => string[];
  logLines: () => string[];
}

export function renderScreen(input: ScreenInput, width = 100): string {
  const floor = input.conductor.floor();
  const lines: string[] = [];
  lines.push(`relais demo: ${input.title}   conductor ${input.conductor.id} (${input.conductor.role})   epoch ${floor.epoch}`);
  const item = floor.item ? `${floor.item.title} (${floor.item.speaker})` : floor.onAir ? 'unscheduled' : '-';
  let clock = '';
  if (floor.since && floor.plannedEnd) {
    const now = Date.now();
    const elapsed = Math.floor((now - Date.parse(floor.since)) / 1000);
    const remaining = Math.floor((Date.parse(floor.plannedEnd) - now) / 1000);
    const mmss = (s: number): string => `${s < 0 ? '-' : ''}${Math.floor(Math.abs(s) / 60)}:${String(Math.abs(s) % 60).padStart(2, '0')}`;
    clock = `  elapsed ${mmss(elapsed)}  remaining ${mmss(remaining)}${remaining < 0 ? ' OVERTIME' : ''}`;
  }
  lines.push(`on air: ${floor.onAir ?? '-'}   item: ${item}${clock}`);
  lines.push(`next: ${floor.next ?? '-'}${floor.nextItem ? ` (${floor.nextItem.title})` : ''}   queue: ${floor.queue.join(', ') || '-'}`);
  lines.push('');
  input.boxes.forEach((box, i) => {
    const lamps = box.lampPatterns();
    const row = lamps
      ? `${lamp('ON AIR', lamps.onAir.pattern, lamps.onAir.level, RED)} ${lamp('NEXT', lamps.next.pattern, lamps.next.level, AMBER)} ${lamp('BUTTON', lamps.button.pattern, lamps.button.level, AMBER)}`
      : '';
    lines.push(`${i + 1}  ${box.site.padEnd(17)} ${box.linkUp ? 'online ' : 'LINK LOST'.padEnd(7)} ${box.role.padEnd(7)} ${row}`);
  });
  lines.push('', ...input.extraLines());
  lines.push(`${DIM}keys: 1-${input.boxes.length} press a site's podium button   n next   r revoke   q quit${RESET}`);
  lines.push('');
  for (const log of input.logLines()) lines.push(`${DIM}${log.slice(0, width)}${RESET}`);
  return lines.join('\n');
}
