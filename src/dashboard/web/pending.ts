/**
 * The fate of every action the page sends (floor controls, PTZ commands),
 * matched by id: sending -> sent (broker acknowledged) -> accepted/rejected
 * (the conductor's `events`, or the box's `ptz/result`). Pure: time comes in
 * as an argument.
 *
 * An action the broker did not acknowledge before the link closed is dropped,
 * not sent again on reconnect: a "grant" replayed minutes later would put the
 * wrong site on air. The embedded broker answers a refused publish by closing
 * the link, so this is also how a viewer's attempt shows up.
 */
import { t } from '../../i18n/index.js';
export type ActionPhase = 'sending' | 'sent' | 'accepted' | 'rejected' | 'unconfirmed' | 'no-answer';

export interface ActionStatus {
  id: string;
  /** Which control it belongs to (`grant:saint-camille`, `next`, `ptz:site:camera`): its result is shown there. */
  key: string;
  label: string;
  phase: ActionPhase;
  reason: string | null;
  sentAt: number;
  /** MQTT packet id while the broker has not acknowledged it. */
  messageId: number | null;
  /** The conductor's warning after it accepted (the site's feed is down or unwatchable). */
  warning?: string | null;
}

export const ANSWER_TIMEOUT_MS = 5000;
const KEEP = 100;

export class PendingActions {
  private readonly byId = new Map<string, ActionStatus>();
  private readonly latest = new Map<string, string>();

  constructor(private readonly answerTimeoutMs = ANSWER_TIMEOUT_MS) {}

  start(id: string, key: string, label: string, now: number, messageId: number | null = null): ActionStatus {
    const status: ActionStatus = { id, key, label, phase: 'sending', reason: null, sentAt: now, messageId };
    this.byId.set(id, status);
    this.latest.set(key, id);
    if (this.byId.size > KEEP) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    return status;
  }

  get(id: string): ActionStatus | undefined {
    return this.byId.get(id);
  }

  /** The newest action of a control, for the result shown beside it. */
  statusFor(key: string): ActionStatus | null {
    const id = this.latest.get(key);
    return id === undefined ? null : this.byId.get(id) ?? null;
  }

  /** The broker acknowledged the publish (PUBACK). */
  acknowledged(id: string): void {
    const status = this.byId.get(id);
    if (status && status.phase === 'sending') {
      status.phase = 'sent';
      status.messageId = null;
    }
  }

  /** The publish failed locally (client closed, message removed). */
  failed(id: string, reason: string): void {
    const status = this.byId.get(id);
    if (status && (status.phase === 'sending' || status.phase === 'sent')) {
      status.phase = 'unconfirmed';
      status.reason = reason;
      status.messageId = null;
    }
  }

  /** The answer arrived (conductor event or PTZ result). Returns false when the id is not ours. */
  answered(id: string, accepted: boolean, reason: string | null): boolean {
    const status = this.byId.get(id);
    if (!status) return false;
    status.phase = accepted ? 'accepted' : 'rejected';
    status.reason = reason;
    status.messageId = null;
    return true;
  }

  /** The conductor's warning (`result: "info"`, same id) after its answer. */
  warned(id: string, warning: string | null): void {
    const status = this.byId.get(id);
    if (status) status.warning = warning;
  }

  /**
   * The broker link closed. Actions it had not acknowledged are given up;
   * their packet ids come back so the caller removes them from the client's
   * outgoing store.
   */
  linkClosed(): ActionStatus[] {
    const dropped: ActionStatus[] = [];
    for (const status of this.byId.values()) {
      if (status.phase !== 'sending') continue;
      dropped.push({ ...status });
      status.phase = 'unconfirmed';
      status.reason = t('pending.closedBeforeConfirm');
      status.messageId = null;
    }
    return dropped;
  }

  /** Marks actions without an answer after the timeout; returns those that just timed out. */
  expire(now: number): ActionStatus[] {
    const expired: ActionStatus[] = [];
    for (const status of this.byId.values()) {
      if ((status.phase === 'sending' || status.phase === 'sent') && now - status.sentAt >= this.answerTimeoutMs) {
        status.phase = 'no-answer';
        status.reason = t('pending.noAnswerIn', { s: Math.round(this.answerTimeoutMs / 1000) });
        expired.push(status);
      }
    }
    return expired;
  }
}

/** Short text for the result slot beside a control. */
export function describeStatus(status: ActionStatus): string {
  switch (status.phase) {
    case 'sending':
      return t('pending.sending');
    case 'sent':
      return t('pending.sent');
    case 'accepted':
      return status.warning ? t('pending.acceptedWarning', { warning: status.warning }) : t('pending.accepted');
    case 'rejected':
      return t('pending.rejected', { reason: status.reason ?? t('log.noReason') });
    case 'unconfirmed':
      return t('pending.unconfirmed', { reason: status.reason ?? '' });
    case 'no-answer':
      return status.reason ?? t('pending.noAnswer');
  }
}
