/**
 * The event log in this browser's storage: the log is made of non-retained
 * messages (events, links lost and back), so no broker can give it back after
 * a reload; the page keeps it per event for a day.
 */
import { LOG_LIMIT, type DashboardModel, type LogEntry } from './model.js';

const KEEP_MS = 24 * 3600_000;
const key = (event: string): string => `relais.dashboard.log.${event}`;

function isEntry(value: unknown): value is LogEntry {
  const e = value as Partial<LogEntry> | null;
  return !!e && typeof e.at === 'number' && typeof e.text === 'string' && typeof e.kind === 'string' && typeof e.tone === 'string';
}

/** One event's log in this browser: restored into a fresh model, saved when it changed. */
export class LogStore {
  private savedHead: string | null = null;

  constructor(private readonly event: string) {}

  /** Puts the saved entries (newest first, at most a day old) back into a fresh model's log. */
  restore(model: DashboardModel, now: number): void {
    try {
      const saved = JSON.parse(localStorage.getItem(key(this.event)) ?? '[]') as unknown;
      if (!Array.isArray(saved)) return;
      model.log.push(...saved.filter(isEntry).filter((e) => now - e.at < KEEP_MS).slice(0, LOG_LIMIT));
    } catch {
      // Unreadable or refused storage: the log starts empty, as before.
    }
  }

  save(model: DashboardModel): void {
    const head = model.log[0] ? `${model.log[0].at}:${model.log.length}` : null;
    if (head === this.savedHead) return;
    this.savedHead = head;
    try {
      localStorage.setItem(key(this.event), JSON.stringify(model.log));
    } catch {
      // Storage full or refused: the log lives on in the page.
    }
  }
}
