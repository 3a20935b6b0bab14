/**
 * A TSL UMD sender for tests and `relais sim tsl`: what a multiviewer or a
 * router sends, in 3.1 or 5.0, over UDP or TCP, to a relais listening for it.
 */
import { TslSender, type TslDestination, type TslDisplayState } from '../tally/tsl-out.js';

export interface TslEmulatorOptions {
  version: '3.1' | '5.0';
  to: TslDestination[];
  /** Displays 1..n named "CAM n". Default 4. */
  displays?: number;
  refreshMs?: number;
}

export class TslEmulator {
  private readonly sender: TslSender;
  private readonly displays: TslDisplayState[];

  constructor(options: TslEmulatorOptions) {
    this.sender = new TslSender({ version: options.version, destinations: options.to, refreshMs: options.refreshMs ?? 1000, reconnect: { initialDelayMs: 50, maxDelayMs: 1000 } });
    this.displays = Array.from({ length: options.displays ?? 4 }, (_, i) => ({ index: i + 1, program: i === 0, preview: i === 1, label: `CAM ${i + 1}` }));
  }

  start(): void {
    this.sender.start();
    this.sender.set(this.displays);
  }

  /** Puts one display on program (the others off program); sent at once. */
  cut(index: number): void {
    for (const d of this.displays) d.program = d.index === index;
    this.sender.set(this.displays);
  }

  setPreview(index: number): void {
    for (const d of this.displays) d.preview = d.index === index;
    this.sender.set(this.displays);
  }

  rename(index: number, label: string): void {
    for (const d of this.displays) if (d.index === index) d.label = label;
    this.sender.set(this.displays);
  }

  sendRaw(bytes: Uint8Array): void {
    this.sender.sendRaw(bytes);
  }

  stop(): Promise<void> {
    return this.sender.stop();
  }
}
