/**
 * What `/config.json` tells the page. Served by the dashboard server; shared
 * by the server and the page (types only, no runtime code).
 */
export interface DashboardPageConfig {
  /** The broker's MQTT-over-WebSockets URL, e.g. `ws://127.0.0.1:9001`. */
  brokerWsUrl: string;
  /** Event id: the topics live below `relais/v1/<event>/`. */
  event: string;
  /** Shown in the header and the tab title. */
  title: string;
  /** The relay's HTTP-FLV base (`http://host:8000`), or null when there is no relay: previews say "no feed". */
  relayHttpBase: string | null;
  /** The relay's WHEP base (`http://host:8889`): previews over WebRTC first; null: HTTP-FLV only. */
  relayWhepBase: string | null;
  /** relais version of the server, for the footer. */
  version: string;
  /** The event's language (`fr` by default); a browser's own choice wins. */
  lang: 'fr' | 'en';
}

/** What `/stage/<site>/config.json` tells a speaker screen. */
export interface StagePageConfig {
  brokerWsUrl: string;
  event: string;
  site: string;
  title: string;
  version: string;
  lang: 'fr' | 'en';
  /** Seconds left at which the countdown turns to the wrap-up colour, then to the danger colour. */
  wrapUpS: number;
  dangerS: number;
  /** The watch-only login a valid link carries; null: the screen asks for one. */
  login: { username: string; password: string } | null;
}

/** One site's speaker-screen link, as `/stage-links.json` hands them to a logged-in page. */
export interface StageLink {
  site: string;
  url: string;
  /** PNG data URL of the link's QR code. */
  qr: string;
}
