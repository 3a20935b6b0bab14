/**
 * The demo's switchers: one simulated switcher per site, as venues have them:
 * an ATEM and an OBS Studio read by the site's box over the network, and a
 * switcher with only GPI tally contacts wired to the third box's inputs (the
 * simulated driver's contacts). They cut between camera 1 and camera 2 every
 * few seconds, and on the `c` key, so the dashboard shows program and
 * preview moving per camera.
 */
import type { Feature } from '../appliance/feature.js';
import { TallyInFeature } from '../appliance/tally-in.js';
import { tallyInConfigSchema } from '../appliance/tally-in-config.js';
import { ioConfigSchema } from '../hardware/config.js';
import { SimulatedDriver } from '../hardware/simulated.js';
import { AtemEmulator } from '../sim/atem.js';
import { ObsEmulator } from '../sim/obs.js';
import { VmixEmulator } from '../sim/vmix.js';
import { tallySourceConfigSchema, type TallySourceConfig } from '../tally/config.js';
import { SwitcherTallyFeature } from '../tally/feature.js';
import type { DemoExtension } from './demo.js';

interface DemoSwitcher {
  describe: string;
  /** The box's tally feature reading this switcher, on the box's own driver. */
  feature(driver: SimulatedDriver): Feature;
  cut(): void;
  stop(): Promise<void>;
}

/** A box reading a network switcher; no lamps of its own in the demo (the dashboard shows the cameras from the state). */
function networkReader(config: unknown): (driver: SimulatedDriver) => Feature {
  const source: TallySourceConfig = tallySourceConfigSchema.parse(config);
  return (driver) => new SwitcherTallyFeature({ sources: [source], driver, io: ioConfigSchema.parse(undefined) });
}

async function atem(): Promise<DemoSwitcher> {
  const sim = new AtemEmulator();
  await sim.start();
  return { feature: networkReader({ kind: 'atem', host: '127.0.0.1', port: sim.address.port, cameras: { cam1: 1, cam2: 2 } }), describe: `ATEM udp/${sim.address.port}`, cut: () => sim.cut(), stop: () => sim.stop() };
}

async function vmix(): Promise<DemoSwitcher> {
  const sim = new VmixEmulator();
  await sim.start();
  return {
    feature: networkReader({ kind: 'vmix', host: '127.0.0.1', port: sim.address.port, cameras: { cam1: 1, cam2: 2 } }),
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
    feature: networkReader({ kind: 'obs', host: '127.0.0.1', port: sim.port, cameras: { cam1: 'Caméra 1', cam2: 'Caméra 2' } }),
    describe: `OBS ws/${sim.port}`,
    cut: () => {
      const [program, preview] = [sim.preview, sim.program];
      sim.setPreview(preview);
      sim.setProgram(program);
    },
    stop: () => sim.stop(),
  };
}

/**
 * A switcher with tally contacts only: its program/preview relays close the
 * box's `cam1Program`... inputs (the default pin names, active-low through an
 * optocoupler on a real box). Camera 1 starts on program, camera 2 on preview.
 */
export function gpiSwitcher(): DemoSwitcher {
  const cameras = tallyInConfigSchema.parse({ cam1: { program: 'cam1Program', preview: 'cam1Preview' }, cam2: { program: 'cam2Program', preview: 'cam2Preview' } });
  let program: 'cam1' | 'cam2' = 'cam1';
  let box: SimulatedDriver | null = null;
  const close = (): void => {
    if (!box) return;
    const order = program === 'cam1' ? (['cam2', 'cam1'] as const) : (['cam1', 'cam2'] as const);
    // Break before make, as a switcher's relays do: the camera leaving program opens first.
    for (const camera of order) {
      const onProgram = camera === program;
      box.inputs.get(cameras[camera]!.program)?.setLevel(onProgram);
      box.inputs.get(cameras[camera]!.preview!)?.setLevel(!onProgram);
    }
  };
  return {
    describe: 'GPI (contacts cam1/cam2)',
    feature(driver) {
      box = driver;
      const contacts = new TallyInFeature({ driver, io: ioConfigSchema.parse(undefined), cameras });
      return {
        name: contacts.name,
        async start(ctx) {
          await contacts.start(ctx);
          close();
        },
        stop: () => contacts.stop(),
      };
    },
    cut() {
      program = program === 'cam1' ? 'cam2' : 'cam1';
      close();
    },
    async stop() {
      box = null;
    },
  };
}

const MAKERS = { atem, obs, vmix, gpi: async () => gpiSwitcher() } satisfies Record<string, () => Promise<DemoSwitcher>>;
export type DemoSwitcherKind = keyof typeof MAKERS;

/** One switcher per site, in site order: by default an ATEM, an OBS Studio and GPI contacts. */
export function tallyDemoExtension(cutEveryMs = 6000, kinds: readonly DemoSwitcherKind[] = ['atem', 'obs', 'gpi']): DemoExtension {
  const switchers = new Map<string, DemoSwitcher>();
  let timer: NodeJS.Timeout | null = null;
  return {
    name: 'switchers',
    async start(ctx) {
      for (const [i, site] of ctx.sites.entries()) switchers.set(site.id, await MAKERS[kinds[i % kinds.length]!]());
      const cutAll = (): void => {
        for (const s of switchers.values()) s.cut();
      };
      timer = setInterval(cutAll, cutEveryMs);
      return {
        lines: [`switchers: ${[...switchers.entries()].map(([site, s]) => `${site} ${s.describe}`).join(', ')} (a cut every ${cutEveryMs / 1000} s, key c)`],
        keys: { c: cutAll },
        stop: async () => {
          if (timer) clearInterval(timer);
          await Promise.allSettled([...switchers.values()].map((s) => s.stop()));
        },
      };
    },
    siteFeatures(site, _ctx, driver) {
      const s = switchers.get(site);
      return s ? [s.feature(driver)] : [];
    },
  };
}
