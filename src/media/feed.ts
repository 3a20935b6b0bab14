/**
 * The room feed: a supervisor whose every (re)start builds a fresh command
 * (with a freshly signed publish URL) and launches it through fluent-ffmpeg.
 */
import type { Logger } from '../util/log.js';
import { buildEncoderPlan, findFont, planArgs } from './command.js';
import type { EncoderConfig, EncoderName } from './config.js';
import { launchEncoder } from './ffmpeg.js';
import { redactSign, signPublishUrl } from './sign.js';
import { encoderSrtUrl } from './srt.js';
import { EncoderSupervisor } from './supervisor.js';
import { t } from '../i18n/index.js';

export interface FeedOptions {
  config: EncoderConfig;
  site: string;
  /** The encoder to use (already chosen: see probe.ts). */
  encoder: EncoderName;
  binary: string;
  log: Logger;
  /** Font for the drawn text; found automatically when left out, `null` for none. */
  fontFile?: string | null;
  /** Where the encoder sends instead of the configured output (the local SRT uplink). */
  target?: string;
  /** The bitrate of the next start, when it follows the link. */
  bitrateKbps?: () => number;
}

/** The output URL of one start: RTMP signed now, or the SRT URL as configured. */
export function feedTarget(config: EncoderConfig, site: string): string {
  const out = config.output;
  if (out.kind === 'srt') return encoderSrtUrl(out.url, out);
  return signPublishUrl({ base: out.url, site, secret: out.secret, ttlSeconds: out.ttlSeconds });
}

/** Builds the supervisor of a site's feed; call `start()` on it. */
export function createFeed(o: FeedOptions): EncoderSupervisor {
  let fontFile = o.fontFile;
  if (fontFile === undefined) {
    fontFile = findFont();
    if (!fontFile && o.config.input.kind === 'test-pattern') {
      o.log.warn(t('logs.noFontPattern'));
    }
  }
  const font = fontFile;
  const r = o.config.restart;
  const supervisor = new EncoderSupervisor({
    encoder: o.encoder,
    initialDelayMs: r.initialDelayMs,
    maxDelayMs: r.maxDelayMs,
    stableAfterMs: r.stableAfterMs,
    stallTimeoutMs: r.stallTimeoutMs,
    killTimeoutMs: r.killTimeoutMs,
    launch: () => {
      const config = o.bitrateKbps ? { ...o.config, bitrateKbps: o.bitrateKbps() } : o.config;
      const plan = buildEncoderPlan({ config, site: o.site, encoder: o.encoder, target: o.target ?? feedTarget(o.config, o.site), fontFile: font });
      o.log.debug('starting encoder', { argv: redactSign([o.binary, ...planArgs(plan)].join(' ')) });
      return launchEncoder(o.binary, plan);
    },
  });
  supervisor.on('state', (state, previous) => o.log.info(`encoder ${previous} -> ${state}`, { encoder: o.encoder }));
  supervisor.on('crash', (_info, reason) => o.log.warn(t('logs.encoderEnded'), { reason: redactSign(reason) }));
  supervisor.on('stall', (silentMs) => o.log.warn(t('logs.encoderStalled'), { silentMs }));
  return supervisor;
}
