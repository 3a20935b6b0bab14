/**
 * What `relais tally watch` prints: one line per connection change and per
 * tally change, with the cameras the site config maps when there is one, so
 * a technician wiring a venue sees at once what relais reads.
 */
import type { SourceConnection, SwitcherSnapshot } from './source.js';
import { camerasFromSnapshot, type InputRef } from './trust.js';
import { t } from '../i18n/index.js';

const clock = (at: number): string => new Date(at).toISOString().slice(11, 23);

export function connectionLine(describe: string, c: SourceConnection, at: number): string {
  const vars = { clock: clock(at), source: describe };
  return c.connected ? t('tools.tallyConnected', vars) : t('tools.tallyDisconnected', { ...vars, error: c.error ?? t('tools.tallyWaiting') });
}

export function tallyLine(snapshot: SwitcherSnapshot, mapping: Readonly<Record<string, InputRef>> | null, at: number): string {
  const label = (i: { id: string; name?: string }): string => (i.name && i.name !== i.id ? `${i.id} (${i.name})` : i.id);
  const program = snapshot.inputs.filter((i) => i.program).map(label).join(', ') || '—';
  const preview = snapshot.inputs.filter((i) => i.preview).map(label).join(', ') || '—';
  let line = t('tools.tallyLine', { clock: clock(at), program, preview });
  if (mapping && Object.keys(mapping).length > 0) {
    const cams = Object.entries(camerasFromSnapshot(snapshot, mapping)).map(([camera, tally]) => `${camera}=${tally?.program ? 'PGM' : tally?.preview ? 'PVW' : '-'}`);
    line += t('tools.tallyCameras', { cameras: cams.join(' ') });
  }
  return line;
}
