/**
 * VISCA over a byte stream: an RS-232/RS-422 daisy chain of up to seven
 * cameras, or one camera over raw TCP. One {@link CameraChannel} (and so one
 * queue) per camera address; replies are routed by their sender address.
 *
 * With `addressing` on (serial), opening broadcasts AddressSet and IF_Clear,
 * and a network-change message (`z0 38 FF`) re-addresses the chain while the
 * camera queues wait, at a bounded rate ({@link ResetGuard}): beyond it the
 * link cools down and refuses commands.
 */
import { EventEmitter } from 'node:events';
import { BROADCAST, frame, hex, type ViscaCommand } from './commands.js';
import { CameraChannel, type ViscaResult } from './channel.js';
import { ViscaError } from './errors.js';
import type { LinkTimeouts, ViscaLink, ViscaLinkEvents } from './link.js';
import { ViscaReplyParser, type ViscaReply } from './parser.js';
import { ResetGuard } from './reset-guard.js';
import type { ByteTransport } from './transport.js';
import { t } from '../i18n/index.js';

export interface StreamLinkOptions extends LinkTimeouts {
  /** Broadcast AddressSet and IF_Clear at start and on network change (serial chains). */
  addressing: boolean;
  /** How long to wait for the AddressSet / IF_Clear broadcast to come back. Default 1000 ms. */
  broadcastTimeoutMs?: number;
}

export const MAX_CHAIN = 7;

export class ViscaStreamLink extends EventEmitter<ViscaLinkEvents> implements ViscaLink {
  private readonly parser = new ViscaReplyParser();
  private readonly channels = new Map<number, CameraChannel>();
  /** Cameras found by the last AddressSet (7 until then, or always without addressing). */
  private chainLength = MAX_CHAIN;
  private broadcastWaiter: ((reply: ViscaReply) => boolean) | null = null;
  private closing = false;
  private readonly guard: ResetGuard;
  private up = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: StreamLinkOptions,
  ) {
    super();
    this.guard = new ResetGuard(options, 'addressings', () => {
      if (!this.closing && this.transport.isOpen) this.readdress(t('visca.reset.cooledAddressings')).catch((error: Error) => this.emit('problem', error));
    });
    transport.on('data', (chunk) => this.onData(chunk));
    transport.on('close', (error) => this.onTransportClose(error));
    transport.on('open', () => this.onTransportOpen());
  }

  get description(): string {
    return this.transport.description;
  }

  get online(): boolean {
    return this.up;
  }

  /** Cameras on the chain after the last AddressSet. */
  get cameraCount(): number {
    return this.chainLength;
  }

  async open(): Promise<void> {
    this.closing = false;
    await this.transport.open();
    if (this.options.addressing) await this.readdress();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.guard.stop();
    for (const channel of this.channels.values()) channel.failAll('link-closed', t('visca.detail.closedByRelais'));
    await this.transport.close();
    this.setOnline(false);
  }

  send<T>(address: number, cmd: ViscaCommand<T>): Promise<ViscaResult<T>> {
    if (!Number.isInteger(address) || address < 1 || address > MAX_CHAIN) {
      return Promise.reject(new RangeError(t('visca.arg.address', { max: MAX_CHAIN, got: String(address) })));
    }
    if (address > this.chainLength) {
      return Promise.reject(
        new ViscaError('no-camera', this.where(address), cmd.name, t('visca.detail.chainHolds', { count: this.chainLength, address })),
      );
    }
    if (!this.transport.isOpen) {
      return Promise.reject(new ViscaError('link-closed', this.where(address), cmd.name, t('visca.detail.notConnected')));
    }
    if (this.guard.cooling) return Promise.reject(new ViscaError('link-unstable', this.where(address), cmd.name, this.guard.detail));
    return this.channel(address).send(cmd);
  }

  cancel(address: number): Promise<string[]> {
    return this.channels.get(address)?.cancelRunning() ?? Promise.resolve([]);
  }

  /**
   * Re-runs AddressSet and IF_Clear; camera queues wait meanwhile. An
   * addressing under way answers for this one too. Beyond the addressing
   * rate, the link cools down: what waits fails with `link-unstable`, and so
   * does this call.
   */
  readdress(why = t('visca.reset.opened')): Promise<void> {
    return this.guard.run(why, () => this.runAddressing(why), () => {
      this.setOnline(false);
      for (const channel of this.channels.values()) {
        channel.failAll('link-unstable', this.guard.detail);
        channel.pause();
      }
      return new Error(`${this.description}${t('punct.colon')}${this.guard.detail}`);
    });
  }

  private where(address: number): string {
    return t('visca.cameraOn', { address, path: this.description });
  }

  private channel(address: number): CameraChannel {
    let channel = this.channels.get(address);
    if (!channel) {
      channel = new CameraChannel((out) => this.transport.write(frame(address, out.cmd)), { where: this.where(address), ...this.options });
      if (this.guard.busy || this.guard.cooling) channel.pause();
      this.channels.set(address, channel);
    }
    return channel;
  }

  private async runAddressing(why: string): Promise<void> {
    for (const channel of this.channels.values()) channel.pause(why);
    try {
      const set = await this.broadcast(BROADCAST.addressSet, 'address set', (r) => r.type === 'address-set');
      const next = set.type === 'address-set' ? set.next : 1;
      const count = next - 1;
      if (count < 1 || count > MAX_CHAIN) throw new Error(t('visca.reset.chainCount', { link: this.description, next, count }));
      this.chainLength = count;
      await this.broadcast(BROADCAST.ifClear, 'interface clear', (r) => r.type === 'if-clear');
      this.setOnline(true);
      this.emit('addressed', count);
      for (const [address, channel] of this.channels) {
        if (address > count) channel.failAll('no-camera', t('visca.detail.chainNow', { count }));
        else channel.resume();
      }
    } catch (error) {
      for (const channel of this.channels.values()) channel.failAll('link-reset', (error as Error).message);
      this.setOnline(false);
      throw error;
    }
  }

  /** Writes a broadcast frame and waits for its echo; one retry. */
  private async broadcast(bytes: Uint8Array, what: string, accept: (r: ViscaReply) => boolean): Promise<ViscaReply> {
    const timeoutMs = this.options.broadcastTimeoutMs ?? 1000;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const reply = await new Promise<ViscaReply | null>((resolve) => {
        const timer = setTimeout(() => {
          this.broadcastWaiter = null;
          resolve(null);
        }, timeoutMs);
        this.broadcastWaiter = (r) => {
          if (!accept(r)) return false;
          clearTimeout(timer);
          this.broadcastWaiter = null;
          resolve(r);
          return true;
        };
        try {
          this.transport.write(bytes);
        } catch (error) {
          clearTimeout(timer);
          this.broadcastWaiter = null;
          resolve(null);
        }
      });
      if (reply) return reply;
      if (this.closing) break;
    }
    throw new Error(t('visca.reset.noBroadcast', { what, bytes: hex(bytes), link: this.description, ms: timeoutMs }));
  }

  private onData(chunk: Buffer): void {
    for (const reply of this.parser.push(chunk)) {
      if (this.broadcastWaiter?.(reply)) continue;
      switch (reply.type) {
        case 'garbage':
          this.emit('garbage', reply.bytes);
          break;
        case 'network-change':
          // While cooling down, the chain is addressed once the cool-down is over, whatever it reported meanwhile.
          if (this.options.addressing && !this.guard.cooling) {
            this.readdress(t('visca.reset.networkChange', { from: reply.from, bytes: hex([(reply.from + 8) << 4, 0x38, 0xff]) })).catch((error: Error) => this.emit('problem', error));
          }
          break;
        case 'address-set':
        case 'if-clear':
          break; // late echo of a broadcast that already timed out
        default:
          this.channels.get(reply.from)?.handle(reply);
      }
    }
  }

  private onTransportOpen(): void {
    this.parser.reset();
    if (this.options.addressing) {
      // A reconnect after the first open: the chain may have changed while away.
      if (this.up || this.chainLength !== MAX_CHAIN) this.readdress(t('visca.reset.connectionBack')).catch((error: Error) => this.emit('problem', error));
      return;
    }
    this.setOnline(true);
    for (const channel of this.channels.values()) channel.resume();
  }

  private onTransportClose(error?: Error): void {
    for (const channel of this.channels.values()) {
      channel.failAll('link-closed', error ? t('visca.detail.connectionLostBecause', { error: error.message }) : t('visca.detail.connectionLost'));
    }
    this.setOnline(false);
    if (!this.closing && error) this.emit('problem', new Error(`${this.description}: ${error.message}`));
  }

  private setOnline(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.emit('online', up);
  }
}
