/**
 * The checker: pure functions over a recorded history (history.ts). Each
 * check returns its violations (empty when it holds) and its figures; the
 * run prints them and asserts that every list is empty.
 *
 * The ordering key of a floor is (term, epoch); a floor without `term`
 * counts as term 0. Which term a box follows is its `tally.term` when it
 * reports one; else the term of the floor it reports (`tally.epoch`), where a
 * floor without `term` takes the term its conductor claimed last: every
 * "became primary" a conductor logged opens a new term, numbered in order.
 */
import type { Entry, MessageEntry, OpEntry, RoleEntry } from './history.js';

export interface CheckOptions {
  /** The sites whose boxes run. */
  sites: readonly string[];
  /** The conductors the harness runs; a floor from any other id is forged. */
  conductors: readonly string[];
  /** Longest time two connected boxes may both report ON AIR during a hand-off. */
  handoffOverlapMs: number;
  /** The boxes' `link.leaseMs`: how long a box cut off may keep its lamp red (rule 3). */
  leaseMs: number;
  /** How long after a newer term is seen a box may still report an older term's floor. */
  followDelayMs: number;
}

export interface FloorSeen {
  t: number;
  /** The term the floor states (`term`), 0 without one: the key of check (a). */
  statedTerm: number;
  /** The term it was published in: stated, else its conductor's last claim. */
  term: number;
  epoch: number;
  onAir: string | null;
  next: string | null;
  queue: string[];
  conductor: string;
}

export interface CheckResult {
  name: string;
  violations: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const messages = (h: readonly Entry[], name: string): MessageEntry[] => h.filter((e): e is MessageEntry => e.kind === 'msg' && e.name === name);

/** Term claims from the conductors' logs, numbered 1, 2, ... in order. */
function claims(h: readonly Entry[]): Array<{ t: number; conductor: string; term: number }> {
  return h.filter((e): e is RoleEntry => e.kind === 'role' && e.role === 'primary').map((e, i) => ({ t: e.t, conductor: e.conductor, term: i + 1 }));
}

/** Every well-formed floor heard, with its term (given, or inferred from the claims). */
export function floorsOf(h: readonly Entry[]): FloorSeen[] {
  const claimed = claims(h);
  const out: FloorSeen[] = [];
  for (const m of messages(h, 'floor')) {
    const p = m.payload;
    if (!isRecord(p) || typeof p.epoch !== 'number' || !Array.isArray(p.queue)) continue;
    const conductor = typeof p.conductor === 'string' ? p.conductor : '';
    const statedTerm = typeof p.term === 'number' ? p.term : 0;
    const term = typeof p.term === 'number' ? p.term : (claimed.filter((c) => c.conductor === conductor && c.t <= m.t).at(-1)?.term ?? 0);
    out.push({ t: m.t, statedTerm, term, epoch: p.epoch, onAir: (p.onAir as string | null) ?? null, next: (p.next as string | null) ?? null, queue: p.queue as string[], conductor });
  }
  return out;
}

const content = (f: FloorSeen): string => JSON.stringify([f.onAir, f.next, f.queue, f.conductor]);

/** (a) Never two different floors (onAir, next, queue, conductor) for the same (term, epoch). */
export function checkFloorKeys(h: readonly Entry[]): CheckResult {
  const byKey = new Map<string, FloorSeen>();
  const violations: string[] = [];
  for (const f of floorsOf(h)) {
    const key = `${f.statedTerm}/${f.epoch}`;
    const first = byKey.get(key);
    if (!first) byKey.set(key, f);
    else if (content(first) !== content(f)) {
      violations.push(`two floors for (term, epoch) ${key}: ${content(first)} at ${first.t.toFixed(0)} ms and ${content(f)} at ${f.t.toFixed(0)} ms`);
      byKey.set(key, f);
    }
  }
  return { name: 'floor keys', violations };
}

interface BoxReport {
  t: number;
  site: string;
  onAir: boolean;
  link: 'ok' | 'lost';
  epoch: number;
  term: number | null;
}

function boxReports(h: readonly Entry[], sites: readonly string[]): BoxReport[] {
  const out: BoxReport[] = [];
  for (const m of messages(h, 'siteState')) {
    if (!m.site || !sites.includes(m.site) || !isRecord(m.payload)) continue;
    const tally = m.payload.tally;
    const lamps = m.payload.lamps;
    if (!isRecord(tally) || typeof tally.epoch !== 'number') continue;
    const onAirLamp = isRecord(lamps) && isRecord(lamps.onAir) ? lamps.onAir : null;
    out.push({ t: m.t, site: m.site, onAir: onAirLamp?.pattern === 'on', link: tally.link === 'ok' ? 'ok' : 'lost', epoch: tally.epoch, term: typeof tally.term === 'number' ? tally.term : null });
  }
  return out;
}

interface Interval {
  site: string;
  from: number;
  to: number;
  /** True when the end is the box's lease running out while it was cut off, not a report. */
  byLease: boolean;
}

/** When each box was cut off from the broker (a partition of it started), from the nemesis's log. */
function cutOffs(h: readonly Entry[], site: string): number[] {
  return h.filter((e): e is OpEntry => e.kind === 'op' && e.actor === 'nemesis' && e.phase === 'start' && e.op.startsWith('partition') && e.detail.target === site).map((e) => e.t);
}

/**
 * Each box's ON AIR intervals as it reports them (steady red). One ends at the
 * box's next report that is not steady red, at its `offline` availability, or,
 * when the box was cut off meanwhile, a lease (plus a tick) after the cut: the
 * most its lamp may stay red by rule 3 while nobody can hear it.
 */
function onAirIntervals(h: readonly Entry[], o: CheckOptions): Interval[] {
  const end = h.length ? h[h.length - 1]!.t : 0;
  const reports = boxReports(h, o.sites);
  const out: Interval[] = [];
  for (const site of o.sites) {
    const mine = reports.filter((r) => r.site === site);
    const offline = messages(h, 'siteAvailability').filter((m) => m.site === site && m.payload === 'offline').map((m) => m.t);
    const cuts = cutOffs(h, site);
    let open: number | null = null;
    const close = (at: number): void => {
      if (open === null) return;
      const cut = cuts.find((c) => c >= open! && c + o.leaseMs + 250 < at);
      const down = offline.find((t) => t >= open! && t < at);
      const candidates = [{ at, byLease: false }, ...(cut !== undefined ? [{ at: cut + o.leaseMs + 250, byLease: true }] : []), ...(down !== undefined ? [{ at: down, byLease: false }] : [])];
      const first = candidates.reduce((a, b) => (b.at < a.at ? b : a));
      out.push({ site, from: open, to: first.at, byLease: first.byLease });
      open = null;
    };
    for (const r of mine) {
      if (r.onAir && open === null) open = r.t;
      else if (!r.onAir) close(r.t);
    }
    close(end);
  }
  return out;
}

/** (b) Never two sites on air beyond the hand-off overlap (a box cut off: beyond its lease). */
export function checkOnAirOverlap(h: readonly Entry[], o: CheckOptions): CheckResult & { maxOverlapMs: number } {
  const intervals = onAirIntervals(h, o);
  const violations: string[] = [];
  let maxOverlapMs = 0;
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i]!;
      const b = intervals[j]!;
      if (a.site === b.site) continue;
      const overlap = Math.min(a.to, b.to) - Math.max(a.from, b.from);
      if (overlap <= 0) continue;
      const byLease = a.byLease || b.byLease;
      if (!byLease) maxOverlapMs = Math.max(maxOverlapMs, overlap);
      const bound = byLease ? o.leaseMs + o.handoffOverlapMs : o.handoffOverlapMs;
      if (overlap > bound) violations.push(`${a.site} and ${b.site} both ON AIR for ${overlap.toFixed(0)} ms from ${Math.max(a.from, b.from).toFixed(0)} ms (bound ${bound} ms)`);
    }
  }
  return { name: 'one on air', violations, maxOverlapMs };
}

/** What a client sent, by id, from its own log (the answer on `events` does not carry `to` or `queue`). */
function sentCommands(h: readonly Entry[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const e of h) if (e.kind === 'op' && e.actor === 'client' && typeof e.detail.id === 'string' && !out.has(e.detail.id)) out.set(e.detail.id, e.detail);
  return out;
}

interface Answer {
  t: number;
  kind: string;
  id: string;
  action: string;
  site: string | null;
  result: string;
  duplicate: boolean;
  epoch: number;
}

function answers(h: readonly Entry[]): Answer[] {
  const out: Answer[] = [];
  for (const m of messages(h, 'events')) {
    const p = m.payload;
    if (!isRecord(p) || (p.kind !== 'intent' && p.kind !== 'control') || typeof p.id !== 'string' || typeof p.epoch !== 'number') continue;
    out.push({ t: m.t, kind: p.kind, id: p.id, action: String(p.action), site: typeof p.site === 'string' ? p.site : null, result: String(p.result), duplicate: p.duplicate === true, epoch: p.epoch });
  }
  return out;
}

const sameList = (a: readonly string[], b: unknown): boolean => Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether a floor shows the effect of an accepted command. */
export function reflects(f: FloorSeen, a: Answer, sent: Record<string, unknown> | undefined): boolean {
  const site = a.site;
  switch (a.action) {
    case 'grant':
      return f.onAir === site;
    case 'revoke':
      return site ? f.onAir !== site : f.onAir === null;
    case 'reorder':
      return sent ? sameList(f.queue, sent.queue) : true;
    case 'request':
      return f.onAir === site || (site !== null && f.queue.includes(site));
    case 'cancel':
      return site !== null && !f.queue.includes(site);
    case 'release':
      return f.onAir !== site;
    case 'pass':
      return f.onAir !== site && (typeof sent?.to !== 'string' || f.onAir === sent.to);
    default:
      // `next`: who goes on air depends on the floor before; its floor existing is the check.
      return true;
  }
}

/**
 * (c) Every accepted command shows in the floor of its answer's epoch. When
 * no floor of that epoch was heard at all, a later floor must show it, or a
 * later accepted command must have superseded it.
 */
export function checkAcceptedReflected(h: readonly Entry[]): CheckResult & { accepted: number } {
  const floors = floorsOf(h);
  const sent = sentCommands(h);
  const all = answers(h);
  const accepted = all.filter((a) => a.result === 'accepted' && !a.duplicate);
  const violations: string[] = [];
  for (const a of accepted) {
    const cmd = sent.get(a.id);
    const own = floors.filter((f) => f.epoch === a.epoch);
    if (own.length > 0) {
      if (!own.some((f) => reflects(f, a, cmd))) violations.push(`${a.kind} ${a.action} ${a.id} accepted at epoch ${a.epoch}, but no floor of epoch ${a.epoch} shows it (${own.map(content).join(' / ')})`);
      continue;
    }
    const later = floors.some((f) => f.t > a.t && reflects(f, a, cmd));
    const superseded = accepted.some((b) => b.t > a.t && b.id !== a.id);
    if (!later && !superseded) violations.push(`${a.kind} ${a.action} ${a.id} accepted at epoch ${a.epoch}, never shown in a floor`);
  }
  return { name: 'accepted reflected', violations, accepted: accepted.length };
}

/**
 * (c') Idempotence: an id (per site for intents) is applied once; a repeat is
 * answered `duplicate: true` with the first answer's result and epoch.
 */
export function checkIdempotent(h: readonly Entry[]): CheckResult {
  const first = new Map<string, Answer>();
  const violations: string[] = [];
  for (const a of answers(h)) {
    const key = a.kind === 'intent' ? `intent:${a.site ?? ''}:${a.id}` : `control:${a.id}`;
    const seen = first.get(key);
    if (!seen) {
      first.set(key, a);
      continue;
    }
    if (!a.duplicate) violations.push(`${key} applied twice (epochs ${seen.epoch} and ${a.epoch})`);
    else if (a.result !== seen.result || a.epoch !== seen.epoch) violations.push(`${key} repeat answered ${a.result} at epoch ${a.epoch}, first answer was ${seen.result} at epoch ${seen.epoch}`);
  }
  return { name: 'idempotent ids', violations };
}

/** The newest floor from one of our conductors heard by time `t`, by (term, epoch). */
function newestFloor(floors: readonly FloorSeen[], conductors: readonly string[], t: number): FloorSeen | null {
  let best: FloorSeen | null = null;
  for (const f of floors) {
    if (f.t > t) break;
    if (conductors.includes(f.conductor) && (!best || outranks(f, best))) best = f;
  }
  return best;
}

/** `a` comes after `b` in the (term, epoch) order. */
const outranks = (a: FloorSeen, b: FloorSeen): boolean => a.term > b.term || (a.term === b.term && a.epoch > b.epoch);

/**
 * (d) Boxes never follow a deposed primary: a box's report at time t must not
 * follow a floor of a term older than the newest term heard by t minus
 * `followDelayMs`.
 */
export function checkNoDeposedFollowed(h: readonly Entry[], o: CheckOptions): CheckResult {
  const floors = floorsOf(h);
  const violations: string[] = [];
  const told = new Set<string>();
  for (const r of boxReports(h, o.sites)) {
    const followed = r.term ?? floors.find((f) => f.epoch === r.epoch && f.t <= r.t)?.term;
    if (followed === undefined) continue;
    const newest = newestFloor(floors, o.conductors, r.t - o.followDelayMs);
    if (!newest || followed >= newest.term) continue;
    const key = `${r.site}/${r.epoch}`;
    if (told.has(key)) continue;
    told.add(key);
    violations.push(`${r.site} at ${r.t.toFixed(0)} ms follows epoch ${r.epoch} of term ${followed}, while term ${newest.term} (epoch ${newest.epoch}, ${newest.conductor}) was heard ${o.followDelayMs} ms or more before`);
  }
  return { name: 'no deposed primary followed', violations };
}

export interface Convergence {
  fault: string;
  healAt: number;
  /** Time from the heal until every box reported the newest floor with its link ok; null: not within the run. */
  ms: number | null;
}

/**
 * When, after `since`, every box's latest report shows the newest floor's
 * epoch with its link ok (null if that never happens by `until`). Newest is
 * by the key the floor states, among floors of the run's conductors (a forged
 * floor is never the target).
 */
export function convergedAt(h: readonly Entry[], o: CheckOptions, since: number, until = Infinity): number | null {
  const floors = floorsOf(h);
  const reports = boxReports(h, o.sites);
  const latest = new Map<string, BoxReport>();
  let newest: FloorSeen | null = null;
  let i = 0;
  let j = 0;
  while (i < floors.length || j < reports.length) {
    const f = floors[i];
    const r = reports[j];
    const t = Math.min(f?.t ?? Infinity, r?.t ?? Infinity);
    if (t > until) break;
    if (f && f.t === t) {
      // By the key boxes order floors by (stated term, epoch), so that this measures liveness
      // apart from check (d)'s judgement of which term should have won.
      if (o.conductors.includes(f.conductor) && (!newest || f.statedTerm > newest.statedTerm || (f.statedTerm === newest.statedTerm && f.epoch > newest.epoch))) newest = f;
      i++;
    } else if (r) {
      latest.set(r.site, r);
      j++;
    }
    const target = newest;
    if (t >= since && target && o.sites.every((s) => latest.get(s)?.link === 'ok' && latest.get(s)?.epoch === target.epoch)) return t;
  }
  return null;
}

/** (e) Convergence after each heal, until the next fault starts. */
export function convergenceAfterHeals(h: readonly Entry[], o: CheckOptions): CheckResult & { times: Convergence[] } {
  const ops = h.filter((e): e is OpEntry => e.kind === 'op' && e.actor === 'nemesis');
  const times: Convergence[] = [];
  const violations: string[] = [];
  ops.forEach((op, i) => {
    if (op.phase !== 'heal') return;
    const nextStart = ops.slice(i + 1).find((n) => n.phase === 'start')?.t ?? Infinity;
    const at = convergedAt(h, o, op.t, nextStart);
    times.push({ fault: op.op, healAt: op.t, ms: at === null ? null : at - op.t });
    if (at === null) violations.push(`after ${op.op} healed at ${op.t.toFixed(0)} ms the boxes never all showed the newest floor with their link ok`);
  });
  return { name: 'convergence', violations, times };
}

/** Every check over one history, and the one-line summary of the run. */
export interface Verdict {
  checks: CheckResult[];
  maxOverlapMs: number;
  convergence: Convergence[];
  summary: string;
}

const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};

export function checkHistory(h: readonly Entry[], o: CheckOptions, seed: number): Verdict {
  const overlap = checkOnAirOverlap(h, o);
  const accepted = checkAcceptedReflected(h);
  const convergence = convergenceAfterHeals(h, o);
  const checks = [checkFloorKeys(h), overlap, accepted, checkIdempotent(h), checkNoDeposedFollowed(h, o), convergence];
  const faults = new Map<string, number>();
  for (const e of h) if (e.kind === 'op' && e.actor === 'nemesis' && e.phase === 'start') faults.set(e.op, (faults.get(e.op) ?? 0) + 1);
  const ops = h.filter((e) => e.kind === 'op' && e.actor === 'client').length;
  const ms = convergence.times.flatMap((c) => (c.ms === null ? [] : [c.ms]));
  const notConverged = convergence.times.length - ms.length;
  const failed = checks.filter((c) => c.violations.length > 0).map((c) => `${c.name} (${c.violations.length})`);
  const summary = [
    `seed ${seed}`,
    `faults ${[...faults].map(([k, n]) => `${k}×${n}`).join(' ') || 'none'}`,
    `ops ${ops} (${accepted.accepted} accepted)`,
    `max overlap ${overlap.maxOverlapMs.toFixed(0)} ms`,
    `convergence p50 ${percentile(ms, 0.5).toFixed(0)} ms max ${ms.length ? Math.max(...ms).toFixed(0) : 'NaN'} ms${notConverged ? `, ${notConverged} never` : ''}`,
    failed.length ? `FAILED: ${failed.join(', ')}` : 'all checks hold',
  ].join(' | ');
  return { checks, maxOverlapMs: overlap.maxOverlapMs, convergence: convergence.times, summary };
}
