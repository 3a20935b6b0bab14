/** The timer tools in English: the same keys as fr/timer.ts. */
import type { reason as frReason, report as frReport } from '../fr/timer.js';
import type { Translation } from './shape.js';

export const report: Translation<typeof frReport> = {
  title: 'The day\'s report: planned and actual',
  empty: 'The rundown is empty: nothing to report.',
  none: 'no rundown published (is a conductor running for this event?)',
  yes: 'yes',
  print: 'Report (print)',
  printNow: 'Print',
  close: 'Close',
  csv: 'Report CSV',
  column: { number: 'no.', title: 'title', speaker: 'speaker', site: 'site', scheduledStart: 'planned start', plannedMinutes: 'planned (min)', addedMinutes: 'added (min)', actualStart: 'actual start', actualEnd: 'actual end', actualMinutes: 'actual (min)', startOffset: 'start offset (min)', over: 'over (min)', skipped: 'skipped' },
};

export const reason: Translation<typeof frReason> = {
  'unknown-site': 'unknown site "{{site}}" (this event has: {{sites}})',
  'unknown-site-long': 'unknown site (a name of {{length}} characters; this event has: {{sites}})',
  'already-on-air': '{{site}} is already on air',
  'already-queued': '{{site}} is already in the queue (position {{position}})',
  'not-queued': '{{site}} is not in the queue',
  'release-not-on-air': '{{site}} is not on air, so it cannot release the floor',
  'pass-not-on-air': '{{site}} is not on air, so it cannot pass the floor',
  'nobody-to-pass-to': 'nobody to pass to: the queue is empty and the rundown is over',
  'pass-to-self': '{{site}} cannot pass the floor to itself',
  'nobody-on-air': 'nobody is on air',
  'other-on-air': '{{site}} is not on air ({{onAir}} is)',
  'nothing-next': 'nothing next: the queue is empty and the rundown is over',
  'queued-twice': '{{site}} appears twice in the new queue',
  'on-air-not-queueable': '{{site}} is on air and cannot be queued',
  'no-item-on-air': 'no rundown item is on air: only the current item\'s time can be adjusted',
  'adjust-out-of-range': '{{minutes}} min would take the item out of its bounds ({{planned}} planned minutes; {{min}} to +{{max}} min in all)',
  'item-unknown': 'there is no item {{item}} (the rundown has {{count}})',
  'item-started': 'item {{item}} has already started: only items not yet played can be skipped or moved',
  'item-skipped': 'item {{item}} is already skipped',
  'item-not-skipped': 'item {{item}} is not skipped',
  'position-out-of-range': 'position {{to}} is outside the items not yet played ({{first}} to {{last}})',
  'feed-missing': 'warning: {{site}} is on air but no feed reaches the relay; the other rooms may see a slate or a frozen picture',
  'feed-reconnecting': 'warning: {{site}} is on air but its feed dropped and is reconnecting; the other rooms may see a slate or a frozen picture',
  'feed-bad': 'warning: {{site}} is on air but its feed is {{verdict}} at the relay{{why}}; the other rooms may see a slate or a frozen picture',
  verdict: { down: 'down', unwatchable: 'unwatchable', late: 'late', good: 'good' },
};
