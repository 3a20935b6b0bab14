/**
 * The relay and one test-pattern feed per site, with the demo's encoder
 * settings, for the media and dashboard tests.
 */
import { parseEncoderConfig } from '../../src/media/config.js';
import { demoEncoderSettings } from '../../src/media/demo.js';
import { createFeed } from '../../src/media/feed.js';
import { ffmpegBinary, resolveBinary } from '../../src/media/ffmpeg.js';
import { Relay } from '../../src/media/relay.js';
import type { EncoderSupervisor } from '../../src/media/supervisor.js';
import type { Logger } from '../../src/util/log.js';

export interface DemoMediaOptions {
  sites: string[];
  event: string;
  host: string;
  rtmpPort: number;
  httpPort: number;
  secret: string;
  log: Logger;
}

export interface DemoMedia {
  stop(): Promise<void>;
  /** HTTP-FLV URL of each site's feed on the relay. */
  urls: Record<string, string>;
  relay: Relay;
}

/**
 * Starts the relay and a 640x360, 15 fps libx264 (ultrafast) test pattern per
 * site. Resolves with a one-line reason instead when ffmpeg is missing (the
 * rest of the demo runs without pictures).
 */
export async function startDemoMedia(o: DemoMediaOptions): Promise<DemoMedia | string> {
  const binary = ffmpegBinary();
  if (!resolveBinary(binary)) return `no room feeds: ffmpeg not found ("${binary}"); install ffmpeg (apt install ffmpeg) or set RELAIS_FFMPEG`;
  const relay = new Relay({ bind: o.host, rtmpPort: o.rtmpPort, httpPort: o.httpPort, secret: o.secret, log: o.log.child('relay') });
  await relay.start();
  const feeds: EncoderSupervisor[] = [];
  const urls: Record<string, string> = {};
  try {
    for (const site of o.sites) {
      const config = parseEncoderConfig(demoEncoderSettings(`${o.event} · ${site}`, { kind: 'rtmp', url: relay.rtmpUrl, secret: o.secret }), 'demo.encoder');
      const feed = createFeed({ config, site, encoder: 'libx264', binary, log: o.log.child(`feed:${site}`) });
      feeds.push(feed);
      await feed.start();
      urls[site] = relay.playUrl(site);
    }
  } catch (err) {
    await Promise.allSettled(feeds.map((f) => f.stop()));
    await relay.stop();
    throw err;
  }
  return {
    relay,
    urls,
    stop: async () => {
      await Promise.allSettled(feeds.map((f) => f.stop()));
      await relay.stop();
    },
  };
}
