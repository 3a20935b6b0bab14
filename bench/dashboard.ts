/**
 * Dashboard figures: page build time (esbuild), model throughput on site
 * states, and the cost of rendering one frame (floor + 3 site cards + PTZ + log).
 * `npx tsx bench/dashboard.ts`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../scripts/build-web.mjs';
import { DashboardModel } from '../src/dashboard/web/model.js';
import { PendingActions } from '../src/dashboard/web/pending.js';
import { renderFloor } from '../src/dashboard/web/render-floor.js';
import { renderRundown } from '../src/dashboard/web/render-rundown.js';
import { renderLog } from '../src/dashboard/web/render-log.js';
import { renderPtz, renderSiteBody } from '../src/dashboard/web/render-sites.js';

function stats(samples: number[]): { median: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: +s[Math.floor(s.length / 2)]!.toFixed(3), p99: +s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!.toFixed(3) };
}

const dir = await mkdtemp(join(tmpdir(), 'relais-bench-web-'));
const builds: number[] = [];
for (let i = 0; i < 3; i += 1) builds.push((await buildWeb({ outdir: dir })).ms);
await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'dashboard.build', runs: builds.length, ms: stats(builds) }));

const enc = new TextEncoder();
const model = new DashboardModel('demo');
const sites = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];
const state = (i: number): Uint8Array => enc.encode(JSON.stringify({
  version: '0.1.0', tally: { role: 'idle', link: 'ok', epoch: 3, cameras: { cam1: { program: true, preview: false } } }, lamps: {},
  encoder: { state: 'live', encoder: 'libx264', fps: 25, bitrateKbps: 2400 + (i % 100), restarts: 0 },
  cameras: [{ name: 'cam1', online: true, preset: 1 }, { name: 'cam2', online: true, preset: null }],
  system: { temperatureC: 50, load1: 0.5, cpus: 4 }, counters: { badPayloads: 0, droppedPresses: 0 }, updatedAt: new Date().toISOString(),
}));
model.apply('relais/v1/demo/floor', enc.encode(JSON.stringify({ epoch: 5, onAir: 'saint-camille', next: 'rouyn-noranda', queue: ['riviere-du-loup'], since: new Date().toISOString(), item: null, plannedEnd: null, nextItem: null, conductor: 'c', updatedAt: new Date().toISOString() })), 0);
const payloads = Array.from({ length: 300 }, (_, i) => state(i));
const applyMs: number[] = [];
for (let round = 0; round < 20; round += 1) {
  const t0 = performance.now();
  for (let i = 0; i < payloads.length; i += 1) model.apply(`relais/v1/demo/site/${sites[i % 3]}/state`, payloads[i]!, round * 300_000 + i * 1000);
  applyMs.push((performance.now() - t0) / payloads.length);
}
const perMessage = stats(applyMs);
console.log(JSON.stringify({ bench: 'dashboard.model.apply(site state)', msPerMessage: perMessage, messagesPerSecond: Math.round(1000 / perMessage.median) }));

const ui = { role: 'operator' as const, canAct: true, connected: true, selected: 'saint-camille', ptzSpeed: 8, ptzTarget: null };
const pending = new PendingActions();
const frames: number[] = [];
for (let i = 0; i < 500; i += 1) {
  const t0 = performance.now();
  renderFloor(model, ui, pending);
  renderRundown(model, ui, pending);
  renderPtz(model, ui, pending);
  renderLog(model);
  for (const site of model.sortedSites()) renderSiteBody(model, site, ui, pending);
  frames.push(performance.now() - t0);
}
console.log(JSON.stringify({ bench: 'dashboard.render(frame, 3 sites)', ms: stats(frames) }));
