/**
 * The words relais shows a person, in Quebec French first and English on
 * request: one i18next instance over one catalogue per language
 * ({@link fr}, {@link en}). Environment-neutral: the CLI, the demo's screen,
 * the dashboard and the speaker screen (in the browser) all translate with it.
 */
import i18next, { type i18n } from 'i18next';
import { en } from './en.js';
import { fr, type Catalogue } from './fr.js';

export const LANGS = ['fr', 'en'] as const;
/** A language relais speaks: `fr` (Quebec French, the default) or `en`. */
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'fr';

/** Every catalogue, by language; both have the keys of {@link Catalogue}. */
export const CATALOGUES: Record<Lang, Catalogue> = { fr, en };

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
/** A message's key: `floor.next`, `stage.link.lost`. A key missing from the catalogue is a compile error. */
export type MessageKey = Leaves<Catalogue>;
export type MessageVars = Record<string, string | number>;

/**
 * The language a setting names: `fr`, `en`, `fr_CA.UTF-8`, `en-CA`; anything
 * else (unset, `C`, `POSIX`, a language relais does not speak) gives French.
 */
export function resolveLang(value: string | null | undefined): Lang {
  const code = (value ?? '').trim().toLowerCase().slice(0, 2);
  return (LANGS as readonly string[]).includes(code) ? (code as Lang) : DEFAULT_LANG;
}

/** The language of the command line: `--lang` first, then `RELAIS_LANG`, then `LANG`; an empty variable counts as unset, as for the C library. */
export function cliLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  return resolveLang(flag || env['RELAIS_LANG'] || env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG']);
}

function newInstance(lang: Lang): i18n {
  const instance = i18next.createInstance();
  // Inline resources and initAsync false: t() works as soon as init returns, in Node and the browser alike.
  void instance.init({
    lng: lang,
    fallbackLng: DEFAULT_LANG,
    resources: { fr: { translation: fr }, en: { translation: en } },
    initAsync: false,
    // The renderers escape what they put in HTML; the terminal needs raw text.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

/** One language's words, and its way of writing times. */
export interface Translator {
  readonly lang: Lang;
  t(key: MessageKey, vars?: MessageVars): string;
}

export function createTranslator(lang: Lang): Translator {
  const instance = newInstance(lang);
  return { lang, t: (key, vars) => instance.t(key, vars ?? {}) };
}

let current: Translator = createTranslator(DEFAULT_LANG);

/** Switches the process's (or the page's) language; the next render speaks it. */
export function setLang(lang: Lang): void {
  if (lang !== current.lang) current = createTranslator(lang);
}

export function currentLang(): Lang {
  return current.lang;
}

/** A message in the current language. */
export function t(key: MessageKey, vars?: MessageVars): string {
  return current.t(key, vars);
}

/** Every key of a catalogue, flattened (`floor.next`), sorted: the catalogues must agree on them. */
export function catalogueKeys(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue)
    .flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : catalogueKeys(value as object, `${prefix}${key}.`)))
    .sort();
}
