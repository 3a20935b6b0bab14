/**
 * The catalogues agree on their keys and placeholders, French is the default,
 * and times follow each language's 24-hour style.
 */
import assert from 'node:assert/strict';
import { CATALOGUES, catalogueKeys, cliLang, createTranslator, resolveLang, type MessageKey } from '../../src/i18n/index.js';
import { formatLogTime, formatTimeOfDay } from '../../src/i18n/time.js';

function leaf(catalogue: object, key: string): string {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue) as string;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();

describe('i18n catalogues', () => {
  it('French and English have the same keys', () => {
    const fr = catalogueKeys(CATALOGUES.fr);
    assert.ok(fr.length > 100, `the French catalogue lists ${fr.length} messages`);
    assert.deepEqual(catalogueKeys(CATALOGUES.en), fr);
  });

  it('each message has the same placeholders in both languages, and no empty text', () => {
    for (const key of catalogueKeys(CATALOGUES.fr)) {
      const [fr, en] = [leaf(CATALOGUES.fr, key), leaf(CATALOGUES.en, key)];
      assert.ok(fr.length > 0 && en.length > 0, `${key} is empty`);
      assert.deepEqual(placeholders(en), placeholders(fr), `${key}: placeholders differ`);
    }
  });

  it('the areas of config check, refused payloads, start-up faults and VISCA resets keep French typography', () => {
    const areas = catalogueKeys(CATALOGUES.fr).filter((key) => /^(config|payload|setup|visca\.(reset|result|arg)|cli\.config[A-Z])/.test(key));
    assert.ok(areas.length > 100, `${areas.length} messages`);
    const faults = areas.flatMap((key) => {
      const text = leaf(CATALOGUES.fr, key).replace(/`[^`]*`|\{[^}]*\}/g, '');
      return / :|«(?!\u00a0)|(?<!\u00a0)»|[^\u00a0]:\s/.test(text) ? [`${key}: ${text}`] : [];
    });
    assert.deepEqual(faults, [], 'a no-break space before a colon and inside « »');
  });

  it('speaks Quebec French unless English is asked for', () => {
    assert.equal(resolveLang(undefined), 'fr');
    assert.equal(resolveLang('C.UTF-8'), 'fr');
    assert.equal(resolveLang('de_DE.UTF-8'), 'fr');
    assert.equal(resolveLang('en_CA.UTF-8'), 'en');
    assert.equal(resolveLang('fr-CA'), 'fr');
    assert.equal(cliLang(undefined, { LANG: 'en_US.UTF-8' }), 'en');
    assert.equal(cliLang('fr', { LANG: 'en_US.UTF-8' }), 'fr', '--lang wins over LANG');
    assert.equal(cliLang(undefined, { RELAIS_LANG: 'en', LANG: 'fr_CA.UTF-8' }), 'en');
    assert.equal(cliLang(undefined, { RELAIS_LANG: '', LC_ALL: '', LANG: 'en_CA.UTF-8' }), 'en', 'an empty variable is unset');
  });

  it('fills placeholders without escaping (the renderers escape for HTML)', () => {
    const key: MessageKey = 'stage.waitSub';
    assert.equal(createTranslator('fr').t(key, { site: 'Rivière-du-Loup & <co>' }), 'En ondes : Rivière-du-Loup & <co>');
    assert.equal(createTranslator('en').t('tally.queued', { position: 2 }), 'QUEUED #2');
  });

  it('writes times of day the OQLF way in French, 14:05 in English', () => {
    const at = new Date(2026, 5, 12, 14, 5, 9);
    assert.equal(formatTimeOfDay(at, 'fr'), '14\u00a0h\u00a005');
    assert.equal(formatTimeOfDay(new Date(2026, 5, 12, 9, 0), 'fr'), '9\u00a0h', 'an exact hour has no zeros');
    assert.equal(formatTimeOfDay(new Date(2026, 5, 12, 0, 4), 'fr'), '0\u00a0h\u00a004');
    assert.equal(formatTimeOfDay(at, 'en'), '14:05');
    assert.equal(formatTimeOfDay(null, 'fr'), '-');
    assert.equal(formatTimeOfDay('not a time', 'fr'), '-');
    assert.equal(formatLogTime(at, 'fr'), '14:05:09');
  });
});
