/**
 * A simulated VISCA daisy chain on a byte stream: answers AddressSet and
 * IF_Clear broadcasts, routes `8x` messages to the camera holding address x,
 * and tags each answer with its sender's `z0` header. Also serves a single
 * camera over raw TCP (a chain of one).
 */
import { ViscaFramer } from '../ptz/parser.js';
import { SimCamera, type SimCameraOptions } from './camera.js';

export class SimChain {
  readonly cameras: SimCamera[];
  private readonly framer = new ViscaFramer();
  /** Whether cameras hold their addresses (true at power-up: they remember the last AddressSet). */
  private addressed = true;
  /** Packets the chain could not route (bad header, unaddressed chain). */
  dropped = 0;

  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    cameras: number | SimCamera[] = 1,
    options: SimCameraOptions = {},
  ) {
    this.cameras = typeof cameras === 'number' ? Array.from({ length: cameras }, () => new SimCamera(options)) : cameras;
  }

  /** Camera at address 1-7, or undefined. */
  camera(address: number): SimCamera | undefined {
    return this.cameras[address - 1];
  }

  /** Feeds bytes from the controller. */
  push(chunk: Uint8Array): void {
    for (const item of this.framer.push(chunk)) {
      if ('packet' in item) this.route(item.packet);
      else this.dropped++;
    }
  }

  /**
   * Simulates a camera joining or leaving: the first camera reports
   * `z0 38 FF` and the chain ignores addressed messages until the next AddressSet.
   */
  networkChange(cameras?: number, options: SimCameraOptions = {}): void {
    if (cameras !== undefined) {
      while (this.cameras.length > cameras) this.cameras.pop()?.clear();
      while (this.cameras.length < cameras) this.cameras.push(new SimCamera(options));
    }
    this.addressed = false;
    this.write(Uint8Array.of(0x90, 0x38, 0xff));
  }

  close(): void {
    for (const camera of this.cameras) camera.clear();
  }

  private route(packet: Uint8Array): void {
    const header = packet[0] ?? 0;
    if (header === 0x88) return this.broadcast(packet);
    const address = header & 0x0f;
    if ((header & 0xf8) !== 0x80 || address < 1 || address > 7 || packet.length < 3) {
      this.dropped++;
      return;
    }
    const camera = this.addressed ? this.camera(address) : undefined;
    if (!camera) {
      this.dropped++; // nobody holds that address: the message falls off the end of the chain
      return;
    }
    const z = (address + 8) << 4;
    camera.handle(packet.slice(1), (body) => this.write(Uint8Array.from([z, ...body])));
  }

  private broadcast(packet: Uint8Array): void {
    const p = Array.from(packet);
    if (p.length === 4 && p[1] === 0x30 && p[2] === 0x01) {
      this.addressed = true;
      this.write(Uint8Array.of(0x88, 0x30, this.cameras.length + 1, 0xff));
      return;
    }
    if (p.length === 5 && p[1] === 0x01 && p[2] === 0x00 && p[3] === 0x01) {
      for (const camera of this.cameras) camera.clear();
      this.write(packet);
      return;
    }
    this.dropped++;
  }
}
