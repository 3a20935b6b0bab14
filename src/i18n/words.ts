/** Words of the protocol a person reads, in the current language. */
import { fr } from './fr.js';
import { t, type MessageKey } from './index.js';
import { decimal } from './numbers.js';

const ACTIONS = ['grant', 'revoke', 'next', 'reorder', 'request', 'release', 'pass', 'cancel', 'adjust', 'skip', 'unskip', 'move'] as const;

/** An intent's or a control's action (`grant` → « donner la parole »); an unknown one (a newer conductor) as it came. */
export function actionWord(action: string): string {
  const known = ACTIONS.find((a) => a === action);
  return known ? t(`log.action.${known}`) : action;
}

/** What an answer on `events` says of its reason: the code, its parameters, and the English sentence. */
export interface ReasonLike {
  reason: string | null;
  code?: string | null;
  params?: Record<string, string | number>;
}

/** Parameters that hold a 0-based rundown index or position: a person counts from 1. */
const COUNTED = new Set(['item', 'to', 'first', 'last']);
const SITES = new Set(['site', 'onAir']);

/**
 * An answer's reason in the current language: from its code and parameters
 * when the catalogues know the code (sites by `name`, items counted from 1),
 * else the conductor's own sentence (a newer conductor's code), else null.
 */
export function reasonText(answer: ReasonLike, name: (site: string) => string = (site) => site): string | null {
  const code = answer.code;
  if (!code || !Object.hasOwn(fr.reason, code) || code === 'verdict') return answer.reason;
  const vars: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(answer.params ?? {})) {
    if (COUNTED.has(key) && typeof value === 'number') vars[key] = value + 1;
    else if (SITES.has(key) && typeof value === 'string') vars[key] = name(value);
    else vars[key] = value;
  }
  if (code === 'feed-bad') {
    const verdict = String(vars['verdict'] ?? '');
    if (Object.hasOwn(fr.reason.verdict, verdict)) vars['verdict'] = t(`reason.verdict.${verdict}` as MessageKey);
    const figures = Object.fromEntries(Object.entries(answer.params ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
    const why = linkWhyText({ why: String(vars['why'] ?? ''), whyCode: typeof vars['whyCode'] === 'string' ? vars['whyCode'] : null, whyParams: figures });
    vars['why'] = why ? ` (${why})` : '';
  }
  return t(`reason.${code}` as MessageKey, vars);
}

/** A link statistics' cause as it travels (`linkStats`, or the `feed-bad` params). */
export interface LinkWhyLike {
  why?: string | null;
  whyCode?: string | null;
  whyParams?: Record<string, number>;
}

/**
 * Why a link's verdict is not good, in the current language: from its code
 * and figures when the catalogues know the code (percentages with the
 * language's decimal mark), else the relay's English words, else null.
 */
export function linkWhyText(link: LinkWhyLike): string | null {
  const code = link.whyCode;
  if (!code || !Object.hasOwn(fr.linkWhy, code)) return link.why || null;
  const vars = Object.fromEntries(Object.entries(link.whyParams ?? {}).map(([key, value]) => [key, key === 'percent' ? decimal(value, 1) : value]));
  return t(`linkWhy.${code}` as MessageKey, vars);
}

/** « +7 min », « −3 min » or « à l’heure »: how late the day runs. */
export function delayLabel(minutes: number): string {
  if (minutes > 0) return t('rundown.late', { n: minutes });
  if (minutes < 0) return t('rundown.early', { n: -minutes });
  return t('rundown.onTime');
}
