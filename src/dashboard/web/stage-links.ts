/**
 * The speaker-screen links of the sites, as the dashboard server hands them
 * to a login the broker accepts (`/stage-links.json`), and the dialog that
 * shows one with its QR code.
 */
import { t } from '../../i18n/index.js';
import type { StageLink } from './config.js';

export class StageLinks {
  private links = new Map<string, StageLink>();
  /** The sites the links were last asked for (ids joined): asked again when sites appear. */
  private askedFor: string | null = null;

  constructor(private readonly username: string | null, private readonly password: string | null) {}

  url(site: string): string | null {
    return this.links.get(site)?.url ?? null;
  }

  /** Asks once per set of sites; `changed` runs when links arrive. */
  ask(sites: string[], changed: () => void): void {
    const key = sites.join(',');
    if (key === '' || key === this.askedFor) return;
    this.askedFor = key;
    const auth = btoa(unescape(encodeURIComponent(`${this.username ?? ''}:${this.password ?? ''}`)));
    fetch(`stage-links.json?sites=${encodeURIComponent(key)}`, { cache: 'no-store', headers: { authorization: `Basic ${auth}` } })
      .then(async (response) => {
        if (!response.ok) return;
        this.links = new Map(((await response.json()) as StageLink[]).map((link) => [link.site, link]));
        changed();
      })
      .catch(() => undefined); // No links: the cards just do not offer them.
  }

  showQr(site: string, name: string): void {
    const link = this.links.get(site);
    const dialog = document.querySelector<HTMLDialogElement>('#qr-dialog');
    if (!link || !dialog) return;
    dialog.querySelector('#qr-caption')!.textContent = t('stage.scan', { site: name });
    const img = document.createElement('img');
    img.src = link.qr;
    img.alt = link.url;
    dialog.querySelector('#qr-image')!.replaceChildren(img);
    const anchor = dialog.querySelector<HTMLAnchorElement>('#qr-link')!;
    anchor.href = link.url;
    anchor.textContent = link.url;
    dialog.showModal();
  }
}
