/**
 * One feed's way out to the other sites' displays over SRT, shared by the
 * relay's hub (the feed came in over SRT) and by a box that serves its own
 * feed straight to the displays (srt-direct.ts):
 *
 *   MPEG-TS datagrams ─UDP─> fan (loopback) ─┬─> local port (anything: the hub's remux, the box's uplink)
 *                                             └─> srt-live-transmit (listener) ─SRT─> display of site j
 *
 * The fan is a loopback UDP socket that copies each datagram to the local
 * ports it was given; SRT stays srt-live-transmit's, each process supervised.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import type { Logger } from '../util/log.js';
import { t } from '../i18n/index.js';
import type { EncoderProcess } from './ffmpeg.js';
import { redactSign } from './sign.js';
import { srtEgressPort, srtTransmitUri, type SrtEndpoint, type SrtPortPlan, type SrtStatsSample } from './srt.js';
import { freeUdpPort, launchSrtTransmit } from './srt-transmit.js';
import { EncoderSupervisor } from './supervisor.js';

export class SrtFan {
  /** Local UDP ports each datagram is copied to. */
  readonly targets: number[] = [];

  private constructor(private readonly socket: UdpSocket) {
    socket.on('message', (msg) => {
      for (const port of this.targets) socket.send(msg, port, '127.0.0.1');
    });
  }

  /** A fan bound to a free loopback port. */
  static async open(log: Logger): Promise<SrtFan> {
    const socket = createSocket('udp4');
    socket.on('error', (err) => log.warn(t('logs.srtFanError'), { error: err.message }));
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new SrtFan(socket);
  }

  /** Where a sender writes into the fan. */
  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * A supervisor for one srt-live-transmit: it waits for its peer and
 * reconnects on its own, so only a crash restarts it (never a silence).
 */
export function superviseSrt(log: Logger, what: string, launch: () => Promise<EncoderProcess>): EncoderSupervisor {
  const supervisor = new EncoderSupervisor({ encoder: 'srt-live-transmit', launch, stallTimeoutMs: 24 * 3600_000, maxDelayMs: 5000 });
  supervisor.on('crash', (_info, reason) => log.warn(t('logs.srtEnded', { what }), { reason: redactSign(reason) }));
  supervisor.on('state', (state, previous) => log.debug(`SRT ${what} ${previous} -> ${state}`));
  return supervisor;
}

export interface SrtEgressOptions {
  /** The feed's site, and the sites whose displays get it (the feed's own site is skipped). */
  site: string;
  viewers: readonly string[];
  plan: SrtPortPlan;
  /** The listeners' address, latency and passphrase (the port comes from the plan). */
  endpoint: Omit<SrtEndpoint, 'port' | 'mode'>;
  statsEveryPackets: number;
  srtTransmit?: string;
  log: Logger;
  /** Each viewer's sender statistics. */
  onStats?: (viewer: string, sample: SrtStatsSample) => void;
}

/**
 * One SRT listener per viewer, at the plan's egress port for (site, viewer),
 * each fed by the fan. Not started: the caller starts the supervisors.
 */
export async function srtEgress(fan: SrtFan, o: SrtEgressOptions): Promise<EncoderSupervisor[]> {
  const supervisors: EncoderSupervisor[] = [];
  for (const viewer of o.viewers) {
    if (viewer === o.site) continue;
    const local = await freeUdpPort();
    fan.targets.push(local);
    const output = srtTransmitUri({ ...o.endpoint, mode: 'listener', port: srtEgressPort(o.plan, o.site, viewer) });
    supervisors.push(
      superviseSrt(o.log, `egress to ${viewer}`, () =>
        launchSrtTransmit({
          ...(o.srtTransmit ? { binary: o.srtTransmit } : {}),
          input: `udp://127.0.0.1:${local}`,
          output,
          statsEveryPackets: o.statsEveryPackets,
          ...(o.onStats ? { onStats: (sample: SrtStatsSample) => o.onStats!(viewer, sample) } : {}),
        }),
      ),
    );
  }
  return supervisors;
}
