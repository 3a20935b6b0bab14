/** The demo's event: three rural venues, a sample rundown, and the accounts of its broker. */
import { randomBytes } from 'node:crypto';
import type { BrokerUser } from '../broker/acl.js';

export const DEMO_EVENT = 'demo';
export const DEMO_TITLE = 'Journée des régions';

export const DEMO_SITES = [
  { id: 'saint-camille', name: 'Saint-Camille' },
  { id: 'rouyn-noranda', name: 'Rouyn-Noranda' },
  { id: 'riviere-du-loup', name: 'Rivière-du-Loup' },
];

export const DEMO_RUNDOWN = [
  { title: 'Mot de bienvenue et ouverture', speaker: 'Hélène Gagnon', site: 'saint-camille', minutes: 5 },
  { title: 'Les villes minières après le boom', speaker: 'Marc Trudel', site: 'rouyn-noranda', minutes: 15 },
  { title: 'Un fleuve, un traversier, un marché', speaker: 'Julie Pelletier', site: 'riviere-du-loup', minutes: 15 },
  { title: 'Questions de la salle', speaker: 'Tous les sites', site: 'saint-camille', minutes: 10 },
  { title: 'Mot de la fin', speaker: 'Hélène Gagnon', site: 'saint-camille', minutes: 5 },
];

/** Dashboard logins of the demo (printed at start). Loopback clients without a login act as admin. */
export const DEMO_LOGINS = {
  operator: { username: 'operator', password: 'relais-operator' },
  viewer: { username: 'viewer', password: 'relais-viewer' },
};

export function demoUsers(): BrokerUser[] {
  const internal = randomBytes(12).toString('hex');
  return [
    { ...DEMO_LOGINS.operator, role: 'operator' },
    { ...DEMO_LOGINS.viewer, role: 'viewer' },
    { username: 'relais-conductor', password: internal, role: 'conductor' },
    ...DEMO_SITES.map((s) => ({ username: `site-${s.id}`, password: internal, role: 'site' as const, site: s.id })),
  ];
}
