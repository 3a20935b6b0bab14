/**
 * Switcher change → camera lamp output changed, per tally source, through the
 * real client library and the emulator on loopback: the emulator cuts camera 1
 * on and off program, the SwitcherTallyFeature (site on air, link up) drives a
 * simulated red lamp, and each sample is the time from the cut to the lamp's
 * write. Then a bounded soak on vMix: many changes, heap and latency compared
 * between the first and the last thousand.
 *
 *   npx tsx bench/tally.ts [samples-per-source] [soak-changes]
 *
 * Target: p99 < 20 ms for every source.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { FeatureBus, type ApplianceEvents, type FeatureContext } from '../src/appliance/feature.js';
import { validateConfig } from '../src/config/load.js';
import { SimulatedDriver } from '../src/hardware/simulated.js';
import { AtemEmulator } from '../src/sim/atem.js';
import { ObsEmulator } from '../src/sim/obs.js';
import { TslEmulator } from '../src/sim/tsl.js';
import { VmixEmulator } from '../src/sim/vmix.js';
import { SwitcherTallyFeature } from '../src/tally/feature.js';
import { createLogger, setLogLevel } from '../src/util/log.js';
import { summary } from './stats.js';

setLogLevel('error');
const samples = Number(process.argv[2] ?? 300);
const soakChanges = Number(process.argv[3] ?? 20_000);

interface Rig {
  source: Record<string, unknown>;
  /** Puts camera 1 on program (true) or another input (false). */
  cut(on: boolean): void;
  stop(): Promise<void>;
}

function context(): FeatureContext {
  return {
    event: 'bench',
    site: 'saint-camille',
    log: createLogger('bench'),
    bus: new FeatureBus(new EventEmitter<ApplianceEvents>()),
    floor: () => null,
    role: () => 'on-air',
    linkUp: () => true,
    reportState: () => {},
    subscribe: async () => {},
    publish: async () => {},
  };
}

async function measure(name: string, rig: Rig, n: number): Promise<{ latencies: number[]; heapMb: number }> {
  const config = validateConfig('site', { site: 'saint-camille', tallySources: [{ ...rig.source, cameras: { cam1: { input: rig.source.kind === 'obs' ? 'Caméra 1' : 1, red: 'cam1Red' } } }] }, 'bench');
  const driver = new SimulatedDriver();
  const feature = new SwitcherTallyFeature({ sources: config.tallySources, driver, io: config.io });
  await feature.start(context());
  const red = driver.output('cam1Red');
  const lamp = (level: boolean): Promise<number> => new Promise((resolve) => {
    if (red.level === level) return resolve(performance.now());
    const on = (l: boolean): void => {
      if (l !== level) return;
      red.off('write', on);
      resolve(performance.now());
    };
    red.on('write', on);
  });
  await lamp(true); // connected and camera 1 on program
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const level = i % 2 === 1;
    const done = lamp(level);
    const t0 = performance.now();
    rig.cut(level);
    latencies.push((await done) - t0);
  }
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  await feature.stop();
  await rig.stop();
  if (name) console.log(JSON.stringify({ bench: 'tally', source: name, ...summary(latencies) }));
  return { latencies, heapMb };
}

async function atemRig(): Promise<Rig> {
  const atem = new AtemEmulator();
  await atem.start();
  return { source: { kind: 'atem', host: '127.0.0.1', port: atem.address.port }, cut: (on) => atem.setProgram(on ? 1 : 2), stop: () => atem.stop() };
}

async function vmixRig(): Promise<Rig> {
  const vmix = new VmixEmulator();
  await vmix.start();
  return { source: { kind: 'vmix', host: '127.0.0.1', port: vmix.address.port }, cut: (on) => vmix.cut(on ? 1 : 3), stop: () => vmix.stop() };
}

async function obsRig(): Promise<Rig> {
  const obs = new ObsEmulator({ password: 'bench' });
  await obs.start();
  return { source: { kind: 'obs', host: '127.0.0.1', port: obs.port, password: 'bench' }, cut: (on) => obs.setProgram(on ? 'Caméra 1' : 'Caméra 2'), stop: () => obs.stop() };
}

async function tslRig(version: '3.1' | '5.0', transport: 'udp' | 'tcp'): Promise<Rig> {
  // The listener's port is fixed up front: the sender needs it before the source exists.
  const { freePort } = await import('./ports.js');
  const port = transport === 'udp' ? await freePort('udp') : await freePort('tcp');
  const tsl = new TslEmulator({ version, to: [{ host: '127.0.0.1', port, transport }], refreshMs: 1000 });
  tsl.start();
  return {
    source: { kind: 'tsl', version, host: '127.0.0.1', ...(transport === 'udp' ? { udpPort: port } : { tcpPort: port }) },
    cut: (on) => tsl.cut(on ? 1 : 2),
    stop: () => tsl.stop(),
  };
}

await measure('atem', await atemRig(), samples);
await measure('obs', await obsRig(), samples);
await measure('vmix', await vmixRig(), samples);
await measure('tsl 3.1 udp', await tslRig('3.1', 'udp'), samples);
await measure('tsl 5.0 udp', await tslRig('5.0', 'udp'), samples);
await measure('tsl 5.0 tcp', await tslRig('5.0', 'tcp'), samples);

const soak = await measure('', await vmixRig(), soakChanges);
const first = summary(soak.latencies.slice(0, 1000));
const last = summary(soak.latencies.slice(-1000));
console.log(JSON.stringify({ bench: 'tally-soak', source: 'vmix', changes: soakChanges, firstThousand: first, lastThousand: last, heapMbAtEnd: +soak.heapMb.toFixed(1) }));
