/**
 * The timer tools' cost in the conductor's hot path: one `adjust` through the
 * floor machine, then the floor and rundown payloads it publishes, for the
 * demo's 5-item rundown and a 500-item one (the rundown topic's bound); and,
 * for the ratio, a queue `reorder` (no plan change) on the same state.
 * `npx tsx bench/timer.ts`
 */
import { initialFloorState, step, type FloorRules, type FloorState } from '../src/floor/machine.js';
import { floorView } from '../src/floor/view.js';
import { rundownView } from '../src/conductor/answers.js';
import { summary } from './stats.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];

function rulesOf(items: number): FloorRules {
  return {
    sites: SITES,
    rundown: Array.from({ length: items }, (_, i) => ({ title: `Point ${i + 1}`, speaker: 'X', site: SITES[i % 3]!, plannedMinutes: 5 + (i % 4) * 5 })),
    autoGrant: false,
    nextPolicy: 'rundown',
    idWindow: 1000,
  };
}

function measure(rules: FloorRules, action: 'adjust' | 'reorder'): number[] {
  let state: FloorState = step(initialFloorState(rules.rundown.length), { kind: 'control', control: { id: 'start', action: 'next' } }, rules, 1_000).state;
  const samples: number[] = [];
  for (let i = 0; i < 2000; i += 1) {
    const control = action === 'adjust'
      ? { id: `a${i}`, action: 'adjust' as const, minutes: i % 2 === 0 ? 1 : -1 }
      : { id: `r${i}`, action: 'reorder' as const, queue: i % 2 === 0 ? ['rouyn-noranda'] : [] };
    const t0 = performance.now();
    state = step(state, { kind: 'control', control }, rules, 2_000 + i).state;
    floorView(state, rules, 'main', 2_000 + i);
    rundownView(state, rules);
    samples.push(performance.now() - t0);
  }
  return samples.slice(200);
}

for (const items of [5, 500]) {
  const rules = rulesOf(items);
  const adjust = summary(measure(rules, 'adjust'));
  const reorder = summary(measure(rules, 'reorder'));
  console.log(JSON.stringify({ bench: 'timer.adjust+floor+rundown', items, ms: adjust, reorderMs: reorder, ratio: +(adjust.p50 / reorder.p50).toFixed(2) }));
}
