/**
 * A box's SRT uplink held by srt-live-transmit (`output.uplink:
 * srt-live-transmit`): the encoder sends MPEG-TS to a loopback UDP port, and
 * srt-live-transmit carries it to the relay and prints SRT's sender
 * statistics. The connection outlives an encoder restart (a new bitrate).
 */
import type { z } from 'zod';
import type { LinkStats } from '../protocol/schemas.js';
import type { Logger } from '../util/log.js';
import type { srtOutputSchema } from './config.js';
import { redactSign } from './sign.js';
import { srtTransmitUri, statsEveryPackets, toLinkStats } from './srt.js';
import { freeUdpPort, launchSrtTransmit } from './srt-transmit.js';
import { EncoderSupervisor } from './supervisor.js';
import { t } from '../i18n/index.js';

export interface SrtUplink {
  /** Where the encoder sends (`udp://127.0.0.1:PORT?pkt_size=1316`). */
  encoderTarget: string;
  /** That loopback port (a box serving its feed directly copies its datagrams there). */
  localPort: number;
  supervisor: EncoderSupervisor;
}

/** Starts nothing: `supervisor.start()` does. `onStats` gets each interval's sender statistics. */
export async function createSrtUplink(out: z.infer<typeof srtOutputSchema>, expectedKbps: number, log: Logger, onStats: (stats: LinkStats) => void): Promise<SrtUplink> {
  const url = new URL(out.url);
  const port = Number(url.port);
  if (!port) throw new Error(t('setup.srtNoPort', { url: out.url }));
  const local = await freeUdpPort();
  const uri = srtTransmitUri({ host: url.hostname, port, mode: out.mode, ...srtOutputSettings(out), streamId: url.searchParams.get('streamid') ?? undefined });
  const supervisor = new EncoderSupervisor({
    encoder: 'srt-live-transmit',
    // It reconnects to the relay by itself: only a crash restarts it.
    stallTimeoutMs: 24 * 3600_000,
    maxDelayMs: 5000,
    launch: () =>
      launchSrtTransmit({
        input: `udp://127.0.0.1:${local}`,
        output: uri,
        statsEveryPackets: statsEveryPackets(expectedKbps),
        onStats: (sample) => onStats(toLinkStats('sender', 'relay', sample, new Date())),
      }),
  });
  supervisor.on('crash', (_info, reason) => log.warn(t('logs.srtUplinkEnded'), { reason: redactSign(reason) }));
  return { encoderTarget: `udp://127.0.0.1:${local}?pkt_size=1316`, localPort: local, supervisor };
}

/** The SRT latency (ms) and passphrase of a box's output: the structured settings, else the URL's (latency in microseconds there). */
export function srtOutputSettings(out: z.infer<typeof srtOutputSchema>): { latencyMs: number; passphrase: string | undefined } {
  const url = new URL(out.url);
  return {
    latencyMs: out.latencyMs ?? (Number(url.searchParams.get('latency') ?? 0) / 1000 || 200),
    passphrase: out.passphrase ?? url.searchParams.get('passphrase') ?? undefined,
  };
}
