/** Why a message on the broker is refused, in English: the same keys as fr/payload.ts. */
import type { payload as fr } from '../fr/payload.js';
import type { Translation } from './shape.js';

export const payload: Translation<typeof fr> = {
  notZero: 'must not be 0',
  needs: '{{action}} needs {{what}}',
  needSite: 'a site',
  needQueue: 'a queue',
  needMinutes: 'minutes (-{{max}} to {{max}}, not 0)',
  needItem: 'an item (its rundown index)',
  needTo: 'a position (to)',
  belongs: '{{field}} belongs to {{actions}}, not {{action}}',
  tooBig: 'payload of {{size}} bytes is over the {{limit}}-byte limit',
  notJson: 'not JSON',
  invalid: 'invalid payload',
};
