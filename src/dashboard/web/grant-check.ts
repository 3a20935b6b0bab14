/**
 * "Grant anyway?": a grant (or a queue row's grant) to a site whose feed the
 * relay reports missing, reconnecting, down or unwatchable is not sent on the
 * first press. The press arms it for a few seconds and the card says what is
 * wrong; a second press sends it (the conductor still applies it and warns on
 * `events`: a site can speak by phone). A site with a good feed, or a page
 * that hears no relay at all, is granted at once. Pure: time comes in.
 */
import type { DashboardModel } from './model.js';
import { ConfirmGate } from './confirm.js';

/** How long an armed "grant anyway?" waits: long enough to read why. */
export const GRANT_ANYWAY_WINDOW_MS = 10_000;

export type FeedTrouble = 'noFeed' | 'reconnecting' | 'down' | 'unwatchable';

/** What is wrong with a site's feed at the relay (`relay/streams`); null when fine or when no relay reports. */
export function feedTroubleOf(model: DashboardModel, site: string): FeedTrouble | null {
  if (!model.relayReported) return null;
  const view = model.sites.get(site);
  const status = view?.relayStatus ?? 'idle';
  if (status === 'idle') return 'noFeed';
  if (status === 'reconnecting') return 'reconnecting';
  const verdict = view?.relayLink?.verdict;
  return verdict === 'down' || verdict === 'unwatchable' ? verdict : null;
}

export class GrantCheck {
  private readonly gate: ConfirmGate<string>;

  constructor(windowMs = GRANT_ANYWAY_WINDOW_MS) {
    this.gate = new ConfirmGate<string>(windowMs);
  }

  /** A press on a site's grant: true when the grant goes out now. */
  press(model: DashboardModel, site: string, now: number): boolean {
    if (feedTroubleOf(model, site) === null) {
      this.gate.cancel();
      return true;
    }
    return this.gate.press(site, now);
  }

  /** The site whose grant waits for its confirming press, if any. */
  armedSite(now: number): string | null {
    return this.gate.armedAction(now);
  }

  cancel(): void {
    this.gate.cancel();
  }
}
