/**
 * What operator input may do to a running dashboard: the one contract between
 * the listeners (dom-wiring.ts, operator-input.ts) and the dashboard
 * (dashboard.ts), so neither imports the other.
 */
import type { Control } from '../../protocol/schemas.js';
import type { UiState } from './html.js';
import type { DashboardModel } from './model.js';

export interface DashboardActions {
  readonly model: DashboardModel;
  readonly ui: UiState;
  /** Press-and-hold PTZ: drive while held, stop on release. */
  readonly jog: { start(el: HTMLElement): void; stop(): void };
  /** Sends an operator control; returns its id. */
  sendControl(control: Omit<Control, 'id' | 'origin'>): string;
  /** Sends a PTZ command to a site's camera; returns its id. */
  sendPtz(site: string, camera: string, command: Record<string, unknown>): string;
  scheduleRender(): void;
  select(site: string | null): void;
  setPtzTarget(value: string): void;
  setSpeed(value: number): void;
  setDragging(site: string | null): void;
  draggingSite(): string | null;
  /** Grant a site; to a site whose feed is not watchable, the first press asks "grant anyway?" (grant-check.ts). */
  requestGrant(site: string): void;
  /** Revoke or Next: the first press arms, the second (within a few seconds) sends. */
  confirmControl(action: 'revoke' | 'next'): void;
  cancelConfirm(): void;
  /** Opens the dialog with a site's speaker-screen link and QR code. */
  showStageQr(site: string): void;
  /** The operator's message to a site's speaker screen (`*`: every site). */
  sendMessage(site: string, text: string): void;
  clearMessage(site: string): void;
  /** Marks a site's technician message to the operator read. */
  ackInbox(site: string): void;
}
