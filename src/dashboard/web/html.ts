/** Tiny HTML helpers for the renderers: every text that came over MQTT goes through `esc`. */
import { t } from '../../i18n/index.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Attribute list from an object; `false`/`null`/`undefined` leave the attribute out, `true` writes it bare. */
export function attrs(map: Record<string, string | number | boolean | null | undefined>): string {
  let out = '';
  for (const [name, value] of Object.entries(map)) {
    if (value === false || value === null || value === undefined) continue;
    out += value === true ? ` ${name}` : ` ${name}="${esc(value)}"`;
  }
  return out;
}

/** What the renderers need besides the model. */
export interface UiState {
  role: 'operator' | 'viewer';
  /** Operator and the broker link is up. */
  canAct: boolean;
  connected: boolean;
  selected: string | null;
  /** Pan/tilt speed of the jog pad (1-24). */
  ptzSpeed: number;
  /** `site/camera` the PTZ panel drives, or null: the selected site's first camera. */
  ptzTarget: string | null;
  /** Revoke or Next pressed once and waiting for the confirming press (confirm.ts). */
  armed?: 'revoke' | 'next' | null;
  /** The site whose grant waits for a second press: its feed is not watchable at the relay (grant-check.ts). */
  grantAnyway?: string | null;
}

export type TallyRole = { kind: 'on-air' } | { kind: 'next' } | { kind: 'queued'; position: number } | { kind: 'idle' };

/** Tally by colour and by shape and text, so it reads without colour vision. */
export function tallyBadge(role: TallyRole, large = false): string {
  const size = large ? ' tally-large' : '';
  switch (role.kind) {
    case 'on-air':
      return `<span class="tally tally-onair${size}"><span class="shape shape-filled" aria-hidden="true"></span>${esc(t('tally.onAir'))}</span>`;
    case 'next':
      return `<span class="tally tally-next${size}"><span class="shape shape-ring" aria-hidden="true"></span>${esc(t('tally.next'))}</span>`;
    case 'queued':
      return `<span class="tally tally-queued${size}"><span class="shape shape-square" aria-hidden="true"></span>${esc(t('tally.queued', { position: role.position }))}</span>`;
    case 'idle':
      return `<span class="tally tally-idle${size}"><span class="shape shape-dash" aria-hidden="true"></span>${esc(t('tally.idle'))}</span>`;
  }
}
