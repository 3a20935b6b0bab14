/** The demo's terminal screen speaks the process's language, with display names, numbered like the dashboard. */
import assert from 'node:assert/strict';
import type { ApplianceRuntime } from '../../src/appliance/runtime.js';
import type { Conductor } from '../../src/conductor/conductor.js';
import { keyOrder, renderScreen } from '../../src/demo/screen.js';
import { setLang } from '../../src/i18n/index.js';
import type { Floor } from '../../src/protocol/schemas.js';

const floor: Floor = {
  epoch: 4, onAir: 'riviere-du-loup', next: 'saint-camille', queue: ['saint-camille'], since: '2026-06-12T18:00:00.000Z',
  item: { index: 2, title: 'Un fleuve', speaker: 'Julie Pelletier', site: 'riviere-du-loup', plannedMinutes: 15 }, plannedEnd: '2026-06-12T18:15:00.000Z',
  nextItem: null, conductor: 'c', updatedAt: '2026-06-12T18:00:00.000Z',
};
// The screen reads only these members of the conductor and the boxes.
const conductor = { id: 'c', role: 'primary', floor: () => floor } as unknown as Conductor;
const box = (site: string, role: string): ApplianceRuntime => ({ site, role, linkUp: site !== 'rouyn-noranda', lampPatterns: () => null }) as unknown as ApplianceRuntime;
const boxes = [box('saint-camille', 'next'), box('rouyn-noranda', 'idle'), box('riviere-du-loup', 'on-air')];
const names = { 'saint-camille': 'Saint-Camille', 'rouyn-noranda': 'Rouyn-Noranda', 'riviere-du-loup': 'Rivière-du-Loup' };
const plain = (text: string): string => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('demo terminal screen', () => {
  after(() => setLang('fr'));

  it('is in French by default, with accented names, numbered in the dashboard\'s order', () => {
    setLang('fr');
    const text = plain(renderScreen({ title: 'Journée des régions', conductor, boxes, names, extraLines: () => [], logLines: () => [] }, 100, Date.parse('2026-06-12T18:16:05.000Z')));
    assert.match(text, /en ondes : Rivière-du-Loup {3}point : Un fleuve \(Julie Pelletier\) {2}écoulé 16:05 {2}restant -1:05 DÉPASSEMENT/);
    assert.match(text, /suivant : Saint-Camille {3}file : Saint-Camille/);
    const rows = text.split('\n').filter((l) => /^\d {2}/.test(l));
    assert.deepEqual(rows.map((r) => r.slice(0, 20).trim()), ['1  Rivière-du-Loup', '2  Rouyn-Noranda', '3  Saint-Camille']);
    assert.match(rows[1]!, /LIEN PERDU/);
    assert.match(text, /touches : 1-3 bouton du podium/);
    assert.deepEqual(keyOrder(boxes).map((b) => b.site), ['riviere-du-loup', 'rouyn-noranda', 'saint-camille']);
  });

  it('speaks English on request', () => {
    setLang('en');
    const text = plain(renderScreen({ title: 'x', conductor, boxes, names, extraLines: () => [], logLines: () => [] }, 100, Date.parse('2026-06-12T18:05:00.000Z')));
    assert.match(text, /on air: Rivière-du-Loup {3}item: Un fleuve/);
    assert.match(text, /remaining 10:00/);
  });
});
