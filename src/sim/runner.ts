/**
 * Starts the camera simulator's front ends together, for `relais sim camera`
 * and the demo: a daisy chain on a pty pair, and single cameras on UDP and TCP.
 */
import type { SimCameraOptions } from './camera.js';
import { openPtyPair, type PtyPair } from './pty.js';
import { SerialSim, TcpSim, UdpSim } from './servers.js';
import { t } from '../i18n/index.js';

export interface CameraSimOptions extends SimCameraOptions {
  /** Path of the controller's pty link (e.g. `/tmp/visca`); a temp path when `true`. */
  pty?: string | boolean;
  /** UDP port for VISCA over IP (0: any free port). */
  udp?: number;
  /** TCP port for raw VISCA over TCP (0: any free port). */
  tcp?: number;
  /** Cameras on the serial chain, 1-7. Default 1. */
  cameras?: number;
  /** Listen address for UDP and TCP. Default 127.0.0.1. */
  host?: string;
}

export interface CameraSim {
  readonly serial: SerialSim | null;
  readonly udp: UdpSim | null;
  readonly tcp: TcpSim | null;
  /** The controller's serial path, when a pty is open. */
  readonly ptyPath: string | null;
  /** One line per front end: where it listens. */
  describe(): string[];
  stop(): Promise<void>;
}

export async function startCameraSim(options: CameraSimOptions): Promise<CameraSim> {
  const cameras = options.cameras ?? 1;
  if (!Number.isInteger(cameras) || cameras < 1 || cameras > 7) throw new RangeError(t('tools.simCameras', { n: cameras }));
  const host = options.host ?? '127.0.0.1';
  let pty: PtyPair | null = null;
  let serial: SerialSim | null = null;
  let udp: UdpSim | null = null;
  let tcp: TcpSim | null = null;
  const stop = async (): Promise<void> => {
    await Promise.allSettled([serial?.stop(), udp?.stop(), tcp?.stop()]);
    await pty?.close();
  };
  try {
    if (options.pty) {
      pty = await openPtyPair(typeof options.pty === 'string' ? options.pty : undefined);
      serial = new SerialSim(pty.b, cameras, options);
      await serial.start();
    }
    if (options.udp !== undefined) {
      udp = new UdpSim(options.udp, host, options);
      await udp.start();
    }
    if (options.tcp !== undefined) {
      tcp = new TcpSim(options.tcp, host, options);
      await tcp.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    serial,
    udp,
    tcp,
    ptyPath: pty?.a ?? null,
    describe() {
      const lines: string[] = [];
      if (pty) lines.push(t('tools.simCameraSerial', { n: cameras, path: pty.a }));
      if (udp) lines.push(t('tools.simCameraUdp', { ...udp.address }));
      if (tcp) lines.push(t('tools.simCameraTcp', { ...tcp.address }));
      return lines;
    },
    stop,
  };
}
