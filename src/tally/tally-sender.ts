/**
 * relais's own tally out: each configured camera's lamps, as the truth table
 * gives them (red only when this site has the floor and the camera is on the
 * local program), sent as TSL UMD so a multiviewer or a hardware tally system
 * in the room follows the event's truth. A camera whose tally is unknown goes
 * out dark.
 */
import type { CameraLamps } from '../appliance/camera-tally.js';
import type { TallyOutConfig } from './config.js';
import type { SourceTimers } from './source.js';
import { TslSender, type TslDisplayState } from './tsl-out.js';

export class TallySender {
  private readonly sender: TslSender;

  constructor(private readonly config: TallyOutConfig, timers: SourceTimers) {
    this.sender = new TslSender({ version: config.version, destinations: config.destinations, screen: config.screen, refreshMs: config.refreshMs, timers });
  }

  start(): void {
    this.sender.start();
  }

  set(lamps: Readonly<Record<string, CameraLamps>>): void {
    const displays: TslDisplayState[] = [];
    for (const [camera, index] of Object.entries(this.config.cameras)) {
      const l = lamps[camera];
      displays.push({ index, program: l?.red === 'on', preview: l !== undefined && (l.green === 'on' || l.green === 'slow-blink'), label: camera });
    }
    this.sender.set(displays);
  }

  stop(): Promise<void> {
    return this.sender.stop();
  }
}
