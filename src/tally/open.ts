/** Builds the source a `tallySources` entry describes (for the feature, `relais tally watch` and doctor). */
import type { TallySourceConfig } from './config.js';
import type { SourceTimers, TallySource } from './source.js';
import { realSourceTimers } from './source.js';
import { AtemSource } from './atem.js';
import { ObsSource } from './obs.js';
import { TslSource } from './tsl-in.js';
import { VmixSource } from './vmix.js';

export function openTallySource(config: TallySourceConfig, timers: SourceTimers = realSourceTimers): TallySource {
  switch (config.kind) {
    case 'atem':
      return new AtemSource({ host: config.host, port: config.port, timers });
    case 'obs':
      return new ObsSource({ host: config.host, port: config.port, password: config.password, reconnect: config.reconnect, timers });
    case 'vmix':
      return new VmixSource({ host: config.host, port: config.port, pollMs: config.pollMs, reconnect: config.reconnect, timers });
    case 'tsl':
      return new TslSource({ version: config.version, host: config.host, udpPort: config.udpPort, tcpPort: config.tcpPort, silenceMs: config.silenceMs, programTally: config.programTally, previewTally: config.previewTally, timers });
  }
}

/** Camera name to switcher input, without the lamps. */
export function inputMapping(config: TallySourceConfig): Record<string, string | number> {
  return Object.fromEntries(Object.entries(config.cameras).map(([camera, m]) => [camera, m.input]));
}
