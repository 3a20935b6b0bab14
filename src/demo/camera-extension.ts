/**
 * The demo's PTZ cameras: one simulated VISCA-over-IP camera per site, bound
 * so that the podium preset is recalled when the site goes on air and the wide
 * shot when it goes back to idle.
 */
import { startCameraSim, type CameraSim } from '../sim/runner.js';
import { PtzFeature } from '../ptz/feature.js';
import { parsePtzConfig } from '../ptz/config.js';
import type { DemoExtension } from './demo.js';

export function cameraDemoExtension(): DemoExtension {
  const sims = new Map<string, CameraSim>();
  return {
    name: 'cameras',
    async start(ctx) {
      for (const site of ctx.sites) // Preset 1: the wide shot of the room; preset 2: the podium.
        sims.set(site.id, await startCameraSim({ udp: 0, host: '127.0.0.1', presets: { 1: { pan: 0, tilt: 0, zoom: 0 }, 2: { pan: -400, tilt: 60, zoom: 1800 } } }));
      const ports = [...sims.entries()].map(([site, sim]) => `${site} udp/${sim.udp?.address.port ?? '?'}`);
      return {
        lines: [`cameras: one simulated VISCA-over-IP camera per site (${ports.join(', ')})`],
        stop: async () => {
          await Promise.allSettled([...sims.values()].map((s) => s.stop()));
        },
      };
    },
    siteFeatures(site) {
      const sim = sims.get(site);
      if (!sim?.udp) return [];
      const cameras = parsePtzConfig([
        {
          name: 'cam1',
          transport: { type: 'visca-ip', host: '127.0.0.1', port: sim.udp.address.port },
          presets: { wide: 1, podium: 2 },
          tally: true,
          bindings: { 'on-air': 'podium', idle: 'wide' },
        },
      ], `demo.${site}.cameras`);
      return [new PtzFeature({ cameras, reopenMs: 2000 })];
    },
  };
}
