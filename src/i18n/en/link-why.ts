/** Why a feed's link is not good, in English: the same keys as fr/link-why.ts. */
import type { linkWhy as fr } from '../fr/link-why.js';
import type { Translation } from './shape.js';

export const linkWhy: Translation<typeof fr> = {
  'no-packets': 'no packets in the last interval',
  silent: 'no packets for {{seconds}} s',
  'too-late-share': '{{percent}} % of packets came too late to be shown',
  loss: '{{percent}} % loss',
  'one-way': 'about {{ms}} ms one way',
  'short-buffer': 'buffer {{latency}} ms is short for an RTT of {{rtt}} ms',
  'too-late': '{{packets}} packets came too late to be shown',
};
