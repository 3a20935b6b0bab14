/**
 * Sony VISCA over IP on UDP (port 52381): each VISCA message travels in a
 * datagram behind an 8-byte header whose sequence number ties the camera's
 * replies to the command. Opening sends a control RESET so both sides start
 * counting from 0; a resend keeps its sequence number; replies whose number
 * matches nothing in flight (late, duplicated, from before a reset) are ignored.
 * A control error from the camera resets the sequence again, at a bounded
 * rate ({@link ResetGuard}): beyond it the link cools down and refuses commands.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { frame, type ViscaCommand } from './commands.js';
import { CameraChannel, type Outbound, type ViscaResult } from './channel.js';
import { ViscaError } from './errors.js';
import { CONTROL, DEFAULT_VISCA_IP_PORT, PAYLOAD_TYPE, decodeIp, encodeIp } from './ip-header.js';
import type { LinkTimeouts, ViscaLink, ViscaLinkEvents } from './link.js';
import { classify } from './parser.js';
import { ResetGuard } from './reset-guard.js';
import { t } from '../i18n/index.js';

export interface IpLinkOptions extends LinkTimeouts {
  /** Wait for the RESET to be acknowledged. Default 1000 ms, one retry. */
  controlTimeoutMs?: number;
}

export class ViscaIpLink extends EventEmitter<ViscaLinkEvents> implements ViscaLink {
  private socket: dgram.Socket | null = null;
  private readonly channel: CameraChannel;
  private nextSeq = 0;
  private up = false;
  private resetWaiter: ((seq: number) => void) | null = null;
  private readonly guard: ResetGuard;
  /** Replies dropped because their sequence number matched nothing in flight. */
  stale = 0;

  constructor(
    readonly host: string,
    readonly port: number = DEFAULT_VISCA_IP_PORT,
    private readonly options: IpLinkOptions = {},
  ) {
    super();
    this.channel = new CameraChannel((out) => this.writeCommand(out), { where: t('visca.cameraAt', { host: this.description }), ...options });
    this.guard = new ResetGuard(options, 'resets', () => {
      if (this.socket) this.reset(t('visca.reset.cooledResets')).catch((error: Error) => this.emit('problem', error));
    });
  }

  get description(): string {
    return `${net.isIPv6(this.host) ? `[${this.host}]` : this.host}:${this.port} (VISCA over IP)`;
  }

  get online(): boolean {
    return this.up;
  }

  async open(): Promise<void> {
    if (!this.socket) {
      const socket = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
      this.socket = socket;
      socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
      socket.on('error', (error) => this.emit('problem', new Error(`${this.description}: ${error.message}`)));
      await new Promise<void>((resolve) => socket.bind(0, resolve));
    }
    await this.reset();
  }

  async close(): Promise<void> {
    this.guard.stop();
    this.channel.failAll('link-closed', t('visca.detail.closedByRelais'));
    const socket = this.socket;
    this.socket = null;
    this.setOnline(false);
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  send<T>(address: number, cmd: ViscaCommand<T>): Promise<ViscaResult<T>> {
    if (address !== 1) return Promise.reject(new RangeError(`VISCA over IP reaches one camera per address, always as camera 1; got ${address} for ${this.description}`));
    if (!this.socket) return Promise.reject(new ViscaError('link-closed', t('visca.cameraAt', { host: this.description }), cmd.name, t('visca.detail.notOpen')));
    if (this.guard.cooling) return Promise.reject(new ViscaError('link-unstable', t('visca.cameraAt', { host: this.description }), cmd.name, this.guard.detail));
    return this.channel.send(cmd);
  }

  cancel(address: number): Promise<string[]> {
    if (address !== 1 || !this.socket) return Promise.resolve([]);
    return this.channel.cancelRunning();
  }

  /**
   * Sends control RESET and waits for its acknowledgement (one retry); sequence
   * numbers restart at 0. A reset already under way answers for this one too.
   * Beyond the reset rate, the link cools down: what waits fails with
   * `link-unstable`, and so does this call.
   */
  reset(why = t('visca.reset.opened')): Promise<void> {
    return this.guard.run(why, () => this.runReset(why), () => {
      this.setOnline(false);
      this.channel.failAll('link-unstable', this.guard.detail);
      this.channel.pause();
      return new Error(`${this.description}${t('punct.colon')}${this.guard.detail}`);
    });
  }

  private async runReset(why: string): Promise<void> {
    const timeoutMs = this.options.controlTimeoutMs ?? 1000;
    this.channel.pause(why);
    for (let attempt = 1; attempt <= 2; attempt++) {
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.resetWaiter = null;
          resolve(false);
        }, timeoutMs);
        this.resetWaiter = () => {
          clearTimeout(timer);
          this.resetWaiter = null;
          resolve(true);
        };
        this.sendDatagram(encodeIp(PAYLOAD_TYPE.control, 0, Uint8Array.of(CONTROL.reset)));
      });
      if (ok) {
        this.nextSeq = 0;
        this.setOnline(true);
        this.channel.resume();
        return;
      }
      if (!this.socket) break;
    }
    this.setOnline(false);
    this.channel.failAll('link-reset', t('visca.reset.noIpAck'));
    throw new Error(t('visca.reset.noIpAnswer', { link: this.description, ms: timeoutMs, port: this.port }));
  }

  private writeCommand(out: Outbound): void {
    // A resend keeps the sequence number the camera has already seen.
    if (out.seq === undefined) {
      out.seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) >>> 0;
    }
    const type = out.cmd.kind === 'inquiry' ? PAYLOAD_TYPE.inquiry : PAYLOAD_TYPE.command;
    this.sendDatagram(encodeIp(type, out.seq, frame(1, out.cmd)));
  }

  private sendDatagram(bytes: Buffer): void {
    if (!this.socket) throw new Error(`${this.description} is closed`);
    this.socket.send(bytes, this.port, this.host);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (rinfo.port !== this.port) return; // only the camera's own port answers
    const message = decodeIp(msg);
    if (!message) {
      this.emit('garbage', msg);
      return;
    }
    if (message.type === PAYLOAD_TYPE.controlReply) {
      const payload = message.payload;
      if (payload.length === 1 && payload[0] === CONTROL.reset) {
        this.resetWaiter?.(message.seq);
        return;
      }
      if (payload.length === 2 && payload[0] === 0x0f) {
        const what = payload[1] === 0x01 ? t('visca.reset.abnormalSeq') : t('visca.reset.abnormalType');
        if (!this.channel.failBySeq(message.seq, 'link-reset', t('visca.reset.resendSeq', { what }))) this.stale++;
        // While cooling down nothing was sent, so nothing is answered: such an error is stray.
        if (!this.guard.cooling) this.reset(what).catch((error: Error) => this.emit('problem', error));
      }
      return;
    }
    if (message.type !== PAYLOAD_TYPE.reply) {
      this.emit('garbage', msg);
      return;
    }
    const reply = classify(message.payload);
    if (reply.type === 'garbage') {
      this.emit('garbage', reply.bytes);
      return;
    }
    if (!this.channel.handle(reply, message.seq)) this.stale++;
  }

  private setOnline(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.emit('online', up);
  }
}
