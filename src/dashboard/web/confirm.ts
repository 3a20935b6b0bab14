/**
 * Two presses for the controls that take a live site off air (Revoke, Next):
 * the first arms the control for a few seconds, the second sends it. A stray
 * key or click only arms; a deliberate operator presses twice (`R R`) and
 * loses no time. Pure: the time comes in as an argument.
 */

/** How long an armed control waits for its second press. */
export const CONFIRM_WINDOW_MS = 4000;

export type ConfirmedAction = 'revoke' | 'next';

export class ConfirmGate<A extends string = ConfirmedAction> {
  private armed: { action: A; until: number } | null = null;

  constructor(private readonly windowMs = CONFIRM_WINDOW_MS) {}

  /** A press: true when it confirms an armed action (send it now), false when it only armed it. */
  press(action: A, now: number): boolean {
    if (this.armed && this.armed.action === action && now < this.armed.until) {
      this.armed = null;
      return true;
    }
    this.armed = { action, until: now + this.windowMs };
    return false;
  }

  /** The action waiting for its second press, if still in its window. */
  armedAction(now: number): A | null {
    if (this.armed && now >= this.armed.until) this.armed = null;
    return this.armed?.action ?? null;
  }

  cancel(): void {
    this.armed = null;
  }
}
