/**
 * The conductor's reasons on every surface: each code has its words in the
 * catalogues, a person reads sites by name and items counted from 1, and a
 * code this build does not know falls back to the conductor's sentence.
 */
import assert from 'node:assert/strict';
import { fr } from '../../src/i18n/fr.js';
import { setLang } from '../../src/i18n/index.js';
import { reasonText } from '../../src/i18n/words.js';
import { reason, reasonMessage, REASON_CODES } from '../../src/protocol/reasons.js';

describe('reason codes', () => {
  after(() => setLang('fr'));

  it('every code the conductor sends has its words in the catalogues', () => {
    const missing = REASON_CODES.filter((code) => !Object.hasOwn(fr.reason, code));
    assert.deepEqual(missing, []);
  });

  it('reads a reason in French from its code, sites by name and items counted from 1', () => {
    setLang('fr');
    const names = (site: string): string => (site === 'riviere-du-loup' ? 'Rivière-du-Loup' : site);
    const queued = reason('already-queued', { site: 'riviere-du-loup', position: 2 });
    assert.equal(reasonText({ reason: reasonMessage(queued), ...queued }, names), 'Rivière-du-Loup est déjà dans la file (position 2)');
    const started = reason('item-started', { item: 0 });
    assert.equal(reasonText({ reason: reasonMessage(started), ...started }), 'le point 1 a déjà commencé : seuls les points pas encore joués peuvent être sautés ou déplacés');
    assert.match(reasonMessage(started), /^item 1 has already started/, 'the English sentence counts from 1 too');
    const feed = reason('feed-bad', { site: 'riviere-du-loup', verdict: 'unwatchable', why: '9 % perdus' });
    assert.match(reasonText({ reason: '', ...feed }, names) ?? '', /^attention : Rivière-du-Loup est en ondes mais son flux est inregardable au relais \(9 % perdus\);/);
    // The relay's cause as a code: its words from the catalogue, the figure with a decimal comma.
    const coded = reason('feed-bad', { site: 'riviere-du-loup', verdict: 'unwatchable', why: '4.7 % of packets came too late to be shown', whyCode: 'too-late-share', percent: 4.7 });
    assert.match(reasonText({ reason: reasonMessage(coded), ...coded }, names) ?? '', /au relais \(4,7 % des paquets sont arrivés trop tard pour être affichés\);/);
    setLang('en');
    assert.match(reasonText({ reason: reasonMessage(coded), ...coded }, names) ?? '', /unwatchable at the relay \(4\.7 % of packets came too late to be shown\);/);
    setLang('fr');
    const newer = reason('feed-bad', { site: 'riviere-du-loup', verdict: 'down', why: 'the cable is cut', whyCode: 'cable-cut' });
    assert.match(reasonText({ reason: reasonMessage(newer), ...newer }, names) ?? '', /coupé au relais \(the cable is cut\)/, 'a cause this build does not know: the relay\'s words');
  });

  it('in English on request; an unknown code (a newer conductor) shows its sentence, no code its reason', () => {
    setLang('en');
    const none = reason('nobody-on-air');
    assert.equal(reasonText({ reason: reasonMessage(none), ...none }), 'nobody is on air');
    assert.equal(reasonText({ reason: 'the hall is closed', code: 'hall-closed', params: {} }), 'the hall is closed');
    assert.equal(reasonText({ reason: 'older conductor' }), 'older conductor');
    assert.equal(reasonText({ reason: null }), null);
  });
});
