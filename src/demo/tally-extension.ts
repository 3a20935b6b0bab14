/**
 * The demo's switchers: one simulated switcher per site, each read by the
 * site's box over the network exactly as in a venue (an ATEM, a vMix, an OBS
 * Studio), cutting between camera 1 and camera 2 every few seconds so the
 * dashboard shows program and preview moving per camera.
 */
import { ioConfigSchema } from '../hardware/config.js';
import { SimulatedDriver } from '../hardware/simulated.js';
import { AtemEmulator } from '../sim/atem.js';
import { ObsEmulator } from '../sim/obs.js';
import { VmixEmulator } from '../sim/vmix.js';
import { tallySourceConfigSchema, type TallySourceConfig } from '../tally/config.js';
import { SwitcherTallyFeature } from '../tally/feature.js';
import type { DemoExtension } from './demo.js';

interface DemoSwitcher {
  source: TallySourceConfig;
  describe: string;
  cut(): void;
  stop(): Promise<void>;
}

async function atem(): Promise<DemoSwitcher> {
  const sim = new AtemEmulator();
  await sim.start();
  return { source: tallySourceConfigSchema.parse({ kind: 'atem', host: '127.0.0.1', port: sim.address.port, cameras: { cam1: 1, cam2: 2 } }), describe: `ATEM udp/${sim.address.port}`, cut: () => sim.cut(), stop: () => sim.stop() };
}

async function vmix(): Promise<DemoSwitcher> {
  const sim = new VmixEmulator();
  await sim.start();
  return {
    source: tallySourceConfigSchema.parse({ kind: 'vmix', host: '127.0.0.1', port: sim.address.port, cameras: { cam1: 1, cam2: 2 } }),
    describe: `vMix tcp/${sim.address.port}`,
    cut: () => {
      const [program, preview] = [sim.preview, sim.program];
      sim.setPreview(preview);
      sim.cut(program);
    },
    stop: () => sim.stop(),
  };
}

async function obs(): Promise<DemoSwitcher> {
  const sim = new ObsEmulator();
  await sim.start();
  sim.studioMode = true;
  return {
    source: tallySourceConfigSchema.parse({ kind: 'obs', host: '127.0.0.1', port: sim.port, cameras: { cam1: 'Caméra 1', cam2: 'Caméra 2' } }),
    describe: `OBS ws/${sim.port}`,
    cut: () => {
      const [program, preview] = [sim.preview, sim.program];
      sim.setPreview(preview);
      sim.setProgram(program);
    },
    stop: () => sim.stop(),
  };
}

export function tallyDemoExtension(cutEveryMs = 6000): DemoExtension {
  const switchers = new Map<string, DemoSwitcher>();
  let timer: NodeJS.Timeout | null = null;
  return {
    name: 'switchers',
    async start(ctx) {
      const makers = [atem, vmix, obs];
      for (const [i, site] of ctx.sites.entries()) switchers.set(site.id, await makers[i % makers.length]!());
      timer = setInterval(() => {
        for (const s of switchers.values()) s.cut();
      }, cutEveryMs);
      return {
        lines: [`switchers: ${[...switchers.entries()].map(([site, s]) => `${site} ${s.describe}`).join(', ')} (a cut every ${cutEveryMs / 1000} s)`],
        stop: async () => {
          if (timer) clearInterval(timer);
          await Promise.allSettled([...switchers.values()].map((s) => s.stop()));
        },
      };
    },
    siteFeatures(site) {
      const s = switchers.get(site);
      if (!s) return [];
      // No lamps of their own in the demo: the dashboard shows the cameras from the state.
      return [new SwitcherTallyFeature({ sources: [s.source], driver: new SimulatedDriver(), io: ioConfigSchema.parse(undefined) })];
    },
  };
}
