/** What a box says about itself, in English: the same keys as fr/box.ts. */
import type { box as fr } from '../fr/box.js';
import type { Translation } from './shape.js';

export const box: Translation<typeof fr> = {
  doctorTakenOver: 'two boxes use site "{{site}}": the site\'s retained state says the broker gave its session to another box {{count}} times since {{since}}',
  doctorTakenOverFix: 'find the other box configured with site: {{site}} (the same file copied?) and give it its own site, or switch it off',
  siteTakenOver: 'two boxes use site "{{site}}": the broker gave client id {{clientId}} to the other one {{count}} times; give each box its own site (site: in its config) or switch the duplicate off',
  siteTakenOverYield: 'two boxes use site "{{site}}": the broker gave client id {{clientId}} to the other one {{count}} times; this box yields and reconnects only every {{backoff}} s; give each box its own site (site: in its config) or switch the duplicate off',
  siteTakenOverEnded: 'site "{{site}}" is no longer used by another box: reconnecting as usual',
  encoderFallback: 'encoder {{from}} keeps failing to start ({{reason}}): the room feed moves to {{to}}; the cached choice is forgotten, the next start tries the hardware again',
  encoderNoFallback: 'encoder {{from}} keeps failing to start ({{reason}}) and no other encoder works: {{why}}',
  encoderStillEncodes: 'encoder {{encoder}} still encodes on a trial: the failures come from elsewhere (relay, network); keeping {{encoder}}',
};
