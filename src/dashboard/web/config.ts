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
  /** relais version of the server, for the footer. */
  version: string;
}
