/**
 * The page's language: the browser's choice (remembered in localStorage) over
 * the event's (`lang` in /config.json), French when neither says. Shared by
 * the dashboard and the speaker screen.
 */
import { resolveLang, setLang, t, type Lang, type MessageKey } from '../../i18n/index.js';

const LANG_KEY = 'relais.lang';

export function pageLang(eventLang: string | null | undefined): Lang {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(LANG_KEY);
  } catch {
    // Storage refused (private mode): the event's language it is.
  }
  return resolveLang(saved ?? eventLang);
}

/** Speaks `lang` from now on: the document's own words (`data-i18n`) at once, the rest at the next render. */
export function applyLang(lang: Lang): void {
  setLang(lang);
  document.documentElement.lang = lang === 'fr' ? 'fr-CA' : 'en-CA';
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset['i18n'] as MessageKey);
  for (const el of document.querySelectorAll<HTMLElement>('[data-lang-switch]')) el.setAttribute('aria-label', t('lang.switchLabel'));
}

/** The language switch: every `[data-lang-switch]` button toggles French and English and remembers it. */
export function wireLangSwitch(onChange: (lang: Lang) => void): void {
  document.addEventListener('click', (event) => {
    const el = (event.target as HTMLElement).closest('[data-lang-switch]');
    if (!el) return;
    const next: Lang = document.documentElement.lang.startsWith('fr') ? 'en' : 'fr';
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // Not remembered; switched anyway.
    }
    applyLang(next);
    onChange(next);
  });
}
