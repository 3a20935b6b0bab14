/**
 * Numbers a person reads, in the current language: French writes the decimal
 * comma (48,3 °C), English the point.
 */
import { currentLang } from './index.js';

/** `n` with `digits` decimals: `48,3` in French, `48.3` in English. */
export function decimal(n: number, digits: number): string {
  const text = n.toFixed(digits);
  return currentLang() === 'fr' ? text.replace('.', ',') : text;
}
