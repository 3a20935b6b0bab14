/** Words of the protocol a person reads, in the current language. */
import { t } from './index.js';

const ACTIONS = ['grant', 'revoke', 'next', 'reorder', 'request', 'release', 'pass', 'cancel'] as const;

/** An intent's or a control's action (`grant` → « donner la parole »); an unknown one (a newer conductor) as it came. */
export function actionWord(action: string): string {
  const known = ACTIONS.find((a) => a === action);
  return known ? t(`log.action.${known}`) : action;
}
