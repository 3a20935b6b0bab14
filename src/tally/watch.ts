/**
 * What `relais tally watch` prints: one line per connection change and per
 * tally change, with the cameras the site config maps when there is one, so
 * a technician wiring a venue sees at once what relais reads.
 */
import type { SourceConnection, SwitcherSnapshot } from './source.js';
import { camerasFromSnapshot, type InputRef } from './trust.js';

const clock = (at: number): string => new Date(at).toISOString().slice(11, 23);

export function connectionLine(describe: string, c: SourceConnection, at: number): string {
  return c.connected ? `${clock(at)} ${describe}: connecté` : `${clock(at)} ${describe}: non connecté — ${c.error ?? 'en attente'}`;
}

export function tallyLine(snapshot: SwitcherSnapshot, mapping: Readonly<Record<string, InputRef>> | null, at: number): string {
  const label = (i: { id: string; name?: string }): string => (i.name && i.name !== i.id ? `${i.id} (${i.name})` : i.id);
  const program = snapshot.inputs.filter((i) => i.program).map(label).join(', ') || '—';
  const preview = snapshot.inputs.filter((i) => i.preview).map(label).join(', ') || '—';
  let line = `${clock(at)} programme: ${program} | aperçu: ${preview}`;
  if (mapping && Object.keys(mapping).length > 0) {
    const cams = Object.entries(camerasFromSnapshot(snapshot, mapping)).map(([camera, t]) => `${camera}=${t?.program ? 'PGM' : t?.preview ? 'PVW' : '-'}`);
    line += ` | caméras: ${cams.join(' ')}`;
  }
  return line;
}
