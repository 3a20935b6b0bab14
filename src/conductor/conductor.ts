/**
 * The conductor: the floor's only writer. It applies intents and controls to
 * the pure floor machine, saves the new state, then publishes it. Who may do
 * that is decided by the pure role machine (./roles.ts): this file is its I/O
 * shell (MQTT, the state file, one timer), feeding it events stamped with a
 * monotonic clock and carrying out its decisions.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { ConductorConfig } from '../config/schema.js';
import { fitState, initialFloorState, step, type FloorCommand, type FloorRules, type FloorState } from '../floor/machine.js';
import { floorView, playedFromRundown } from '../floor/view.js';
import { compareFence, fenceKey } from '../protocol/fencing.js';
import type { ConductorState, Floor, RelayStreams, RundownList } from '../protocol/schemas.js';
import { matchTopic, routeMessage, type TopicHandlers } from '../protocol/topics.js';
import { createLogger, type Logger } from '../util/log.js';
import { realClock } from '../appliance/clock.js';
import { answerFor, feedWarning, rememberAnswer, rememberRetained, retainedAnswers, rundownView, unknownSiteAnswer } from './answers.js';
import { DisplayReadiness, withHold } from './hold.js';
import type { ConductorEvents, ConductorOptions } from './options.js';
import { ConductorLink } from './link.js';
import { initialRoleState, roleStep, type Decision, type Role, type RoleConfig, type RoleInput, type RoleState } from './roles.js';
import { heartbeatOf, HeldCommands, statusOf } from './status.js';
import { StateStore, StateFileError } from './store.js';
import { believableFloor, RepublishLimit, rulesFromConfig, stateForTerm } from './terms.js';
import { t } from '../i18n/index.js';

export type ConductorRole = Role;

/**
 * The retained answer window goes this long after the last answer, once for a
 * burst of commands: the floor's copies are then still reaching the boxes
 * (the window is kilobytes of JSON to encode and send), and a standby hears
 * each answer live on `events` anyway; the window is for one that was not there.
 */
export const ANSWER_WINDOW_MS = 20;

export type { ConductorEvents, ConductorOptions } from './options.js';

export class Conductor extends EventEmitter<ConductorEvents> {
  readonly id: string;
  readonly rules: FloorRules;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private readonly store: StateStore;
  private readonly roleConfig: RoleConfig;
  private readonly behind: RepublishLimit;
  private roles: RoleState;
  private readonly link: ConductorLink;
  private state: FloorState;
  /** True once the term of the current primary role is saved and announced. */
  private ready = false;
  private readonly held = new HeldCommands();
  private tickTimer: NodeJS.Timeout | null = null;
  private answersTimer: NodeJS.Timeout | null = null;
  /** New answers the retained window does not carry yet. */
  private answersPending = false;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Newest believable floor seen on the broker (ours or another conductor's). */
  private lastFloor: Floor | null = null;
  /** The newest retained `rundown` heard while not primary: its report carries over a takeover. */
  private lastRundown: RundownList | null = null;
  private streams: RelayStreams | null = null;
  /** The displays' ready feeds, for `holdUntilBuffered` (hold.ts). */
  private readonly displays: DisplayReadiness;
  private readonly startedAt = new Date().toISOString();
  readonly counters = { badPayloads: 0, accepted: 0, rejected: 0, duplicates: 0 };

  constructor(private readonly options: ConductorOptions) {
    super();
    const { config } = options;
    this.id = config.conductor.id ?? hostname();
    this.rules = rulesFromConfig(config);
    this.state = initialFloorState(this.rules.rundown.length);
    this.log = options.log ?? createLogger(`conductor:${this.id}`);
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.link = new ConductorLink(config, this.id, this.log);
    this.store = new StateStore(config.conductor.stateFile, config.event);
    this.displays = new DisplayReadiness(options.clock ?? realClock);
    const { leaseMs, heartbeatMs, peers } = config.conductor;
    this.roleConfig = { id: this.id, leaseMs, heartbeatMs, peers };
    this.behind = new RepublishLimit(heartbeatMs, this.now);
    this.roles = initialRoleState(this.monotonic(), { standby: Boolean(options.standby), term: 0, holder: null, leaseMs: config.conductor.leaseMs });
  }

  get role(): ConductorRole { return this.roles.role; }
  get epoch(): number { return this.state.epoch; }
  get term(): number { return this.state.term; }

  floor(): Floor {
    return floorView(this.state, this.rules, this.id, this.now());
  }

  /** Resolves once the role is known: primary, or standby (never while unsure). */
  async start(): Promise<void> {
    const orphans = await this.store.removeOrphans();
    if (orphans > 0) this.log.info('removed temp files a killed save left behind', { count: orphans });
    const saved = await this.store.load().catch((err: unknown) => {
      if (err instanceof StateFileError) this.log.error(err.message);
      throw err;
    });
    if (saved) this.state = fitState(saved, this.rules);
    this.roles = initialRoleState(this.monotonic(), { standby: Boolean(this.options.standby), term: this.state.term, holder: saved ? this.id : null, leaseMs: this.roleConfig.leaseMs }); // our file: we held its term
    const known = new Promise<void>((resolve) => this.on('role', function check(this: Conductor, role) {
      if (role !== 'unsure') resolve(void this.off('role', check));
    }));
    await this.connect(!this.options.standby);
    const { heartbeatMs, leaseMs } = this.options.config.conductor;
    this.tickTimer = setInterval(() => this.feed({ kind: 'tick', at: this.monotonic() }), Math.max(25, Math.floor(heartbeatMs / 4)));
    if (this.options.standby) {
      this.log.info('standing by', { lease: leaseMs });
      this.emit('role', 'standby');
    } else {
      this.log.info('learning the role: waiting one lease for a newer term', { lease: leaseMs, term: this.state.term });
    }
    await known;
  }

  private async connect(withWill: boolean): Promise<void> {
    await this.link.open(withWill, {
      message: (t, payload) => this.onMessage(t, payload),
      link: (up) => {
        this.feed({ kind: 'link', at: this.monotonic(), up });
        if (up && this.roles.role === 'primary' && this.ready) this.enqueue(() => this.publishPresence());
      },
    });
  }

  /** Runs one input through the role machine and carries out what it decides. */
  private feed(input: RoleInput): Decision[] {
    if (this.stopped) return [];
    const { state, decisions } = roleStep(this.roles, input, this.roleConfig);
    this.roles = state;
    for (const decision of decisions) this.carryOut(decision);
    return decisions;
  }

  private carryOut(d: Decision): void {
    switch (d.kind) {
      case 'become-primary':
        this.ready = false;
        this.enqueue(() => this.takeTerm(d.term, d.why));
        return;
      case 'step-down':
        this.ready = false;
        this.displays.wake();
        this.log.warn(t('logs.fenced'), { holder: d.holder, theirs: d.term, ours: this.state.term });
        this.enqueue(() => this.becomeStandby());
        return;
      case 'doubt':
        this.displays.wake();
        this.log.warn(t('logs.roleUnsure', { why: d.why }), { term: this.state.term });
        this.emit('role', 'unsure');
        return;
      case 'beat':
        if (this.ready) this.beat();
        return;
      case 'republish-floor':
        this.log.info(`publishing the floor again: ${d.why}`, { epoch: this.state.epoch, term: this.state.term });
        this.republishNow();
        return;
      case 'reassert-availability':
        if (this.ready) void this.link.publish('conductorAvailability', 'online');
        return;
      case 'refresh-floor':
        this.link.refreshFloor();
        return;
      case 'release-held':
        for (const cmd of this.held.take()) this.enqueue(() => this.apply(cmd));
        return;
      case 'drop-held':
        if (this.held.size > 0) this.log.warn(t('logs.heldDropped'), { count: this.held.take().length });
        return;
      case 'ignore':
        this.log.debug(d.why);
        return;
      default:
        // apply, hold and drop answer the caller that asked (mayAct, apply).
        return;
    }
  }

  /** Asks the role machine whether a primary may apply or publish right now (it checks the lease on the monotonic clock). */
  private mayAct(): boolean {
    return this.ready && this.feed({ kind: 'command', at: this.monotonic() }).some((d) => d.kind === 'apply');
  }

  private conductorState(): ConductorState {
    return statusOf(this.id, this.roles.role === 'primary', this.state, this.counters, this.startedAt, this.now());
  }

  private beat(): void {
    void this.link.publish('conductorHeartbeat', heartbeatOf(this.id, this.state, this.now()));
    void this.link.publish('conductorState', this.conductorState());
  }

  private async publishPresence(): Promise<void> {
    if (!this.mayAct()) return;
    await this.link.publish('conductorAvailability', 'online');
    await this.link.publish('floor', this.floor());
    await this.link.publish('conductorState', this.conductorState());
    await this.link.publish('rundown', this.rundownList());
  }

  rundownList(): RundownList {
    return rundownView(this.state, this.rules);
  }

  /** Becomes primary in `term`: the newest believable floor carries over, the epoch grows, and it is on disk before anyone hears of it. */
  private async takeTerm(term: number, why: string): Promise<void> {
    if (this.roles.role !== 'primary' || this.roles.term !== term) return;
    this.state = stateForTerm(this.state, this.lastFloor, term, this.rules, playedFromRundown(this.lastRundown, this.rules));
    this.behind.changed();
    await this.store.save(this.state, this.id);
    if (!this.link.hasWill) await this.connect(true);
    this.ready = true;
    // The heartbeat of the new term first: boxes follow a newer term only once it has one.
    this.beat();
    await this.publishPresence();
    await this.link.publish('conductorAnswers', retainedAnswers(this.state, this.id));
    this.log.info(`primary: ${why}`, { term, epoch: this.state.epoch, onAir: this.state.onAir ?? '-' });
    // Anything that arrived while the term was being taken goes now, in it.
    this.carryOut({ kind: 'release-held' });
    this.emit('role', 'primary');
    this.emit('floor', this.floor());
  }

  private async becomeStandby(): Promise<void> {
    if (this.roles.role !== 'standby') return;
    // Without our Last Will: a standby that dies must not announce the primary as offline.
    await this.connect(false);
    this.emit('role', 'standby');
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: Error) => this.log.error(t('logs.conductorTaskFailed'), { error: err.message }));
  }

  private command(id: string, cmd: FloorCommand): void {
    this.emit('received', id);
    this.enqueue(() => this.apply(cmd));
  }

  private bad(fullTopic: string, reason: string): void {
    this.counters.badPayloads += 1;
    this.log.warn(t('logs.badPayload'), { topic: fullTopic.slice(0, 200), reason });
    // A forged floor the boxes drop must not stay the retained copy a new box receives.
    if (matchTopic(this.options.config.event, fullTopic)?.name === 'floor') this.feed({ kind: 'bad-floor', at: this.monotonic() });
  }

  private readonly handlers: TopicHandlers = {
    floor: (floor) => this.onFloorSeen(floor),
    rundown: (list) => {
      if (this.roles.role !== 'primary') this.lastRundown = list;
    },
    conductorHeartbeat: (beat) => this.feed({ kind: 'heartbeat', at: this.monotonic(), from: beat.conductor, term: beat.term ?? 0 }),
    conductorAvailability: (value) => this.feed({ kind: 'availability', at: this.monotonic(), value }),
    relayStreams: (streams) => void (this.streams = streams),
    siteIntent: (intent, site) => this.command(intent.id, { kind: 'intent', site: site!, intent }),
    control: (control) => this.command(control.id, { kind: 'control', control }),
    siteState: (state, site) => {
      if (this.rules.sites.includes(site!)) this.displays.update(site!, state.display);
      if (this.roles.role === 'primary' && compareFence({ term: state.tally.term ?? 0, epoch: state.tally.epoch }, this.state) < 0) this.republishFloor(site!, state.tally.epoch);
    },
    // A standby learns the primary's answers, so a retry after a takeover is still applied once;
    // the retained window gives one that (re)started the answers it was not there to hear.
    events: (event) => {
      if (this.roles.role !== 'primary') this.state = rememberAnswer(this.state, event, this.rules);
    },
    conductorAnswers: (retained) => {
      if (this.roles.role !== 'primary') this.state = rememberRetained(this.state, retained, this.rules);
    },
  };

  /** A primary's own rundown, answers and answer window come back from the broker: only a standby learns from them, so a primary does not even decode them. */
  private readonly primaryHandlers: TopicHandlers = (({ rundown: _rundown, events: _events, conductorAnswers: _answers, ...rest }) => rest)(this.handlers);

  /** A box reports an older floor than ours (it missed one, and the retained copy did not help it): publish it again, live, within the limit. */
  private republishFloor(site: string, seen: number): void {
    if (!this.behind.allow()) return;
    this.log.info('a site is behind the floor: publishing it again', { site, seen, epoch: this.state.epoch });
    this.republishNow();
  }

  /** Through the queue (never between a new state and its save), and only while the lease holds. */
  private republishNow(): void {
    this.enqueue(async () => {
      if (this.mayAct()) await this.link.publish('floor', this.floor());
    });
  }

  private onMessage(fullTopic: string, payload: Buffer): void {
    if (this.stopped) return;
    routeMessage(this.options.config.event, fullTopic, payload, this.roles.role === 'primary' ? this.primaryHandlers : this.handlers, (t, reason) => this.bad(t, reason));
  }

  private onFloorSeen(floor: Floor): void {
    const key = fenceKey(floor);
    if (believableFloor(floor, this.state, this.roles, this.roleConfig) && (!this.lastFloor || compareFence(key, fenceKey(this.lastFloor)) > 0)) this.lastFloor = floor;
    this.feed({ kind: 'floor', at: this.monotonic(), from: floor.conductor, term: key.term, epoch: floor.epoch, ownEpoch: this.state.epoch });
  }

  private async apply(cmd: FloorCommand): Promise<void> {
    // A hand-off may wait for the displays first (bounded); the role checks below then see a role lost meanwhile.
    const { holdUntilBuffered, holdMs } = this.options.config.conductor;
    const holding = holdUntilBuffered && this.ready && this.roles.role === 'primary' ? this.displays.holdFor(cmd, this.state, this.rules, holdMs, () => this.stopped || this.roles.role !== 'primary') : null;
    if (holding) this.emit('holding', holding.site);
    const hold = holding && (await holding.done);
    const decisions = this.feed({ kind: 'command', at: this.monotonic() });
    // Not sure yet that we are the primary in a saved term: the command waits for the answer.
    if (decisions.some((d) => d.kind === 'hold') || (decisions.some((d) => d.kind === 'apply') && !this.ready)) {
      this.held.hold(cmd);
      return;
    }
    if (!decisions.some((d) => d.kind === 'apply')) return;
    const at = new Date(this.now());
    const unknown = unknownSiteAnswer(cmd, this.rules, this.state.epoch, at);
    if (unknown) {
      // Answered without touching the state: nothing of the name reaches the file.
      this.counters.rejected += 1;
      await this.link.publish('events', unknown);
      this.emit('result', unknown);
      return;
    }
    const result = step(this.state, cmd, this.rules, this.now());
    this.state = result.state;
    // Saved before anything is published: what the sites see is always on disk. What they will hear
    // is made and encoded while the state is written (the write waits on the disk, not on us).
    const saving = this.store.save(this.state, this.id);
    const floor = result.changed ? this.floor() : null;
    const event = withHold(answerFor(cmd, result, at), hold);
    const outcome = this.link.prepareOutcome(floor && { floor, rundown: this.rundownList() }, event, feedWarning(event, this.state.onAir, this.streams));
    await saving;
    this.emit('saved', this.state.epoch);
    this.counters[result.duplicate ? 'duplicates' : result.accepted ? 'accepted' : 'rejected'] += 1;
    // Saving may have taken long (a pause): check the lease again before anyone hears of it.
    if (!this.mayAct()) return;
    if (floor) this.behind.changed();
    const sent = this.link.sendOutcome(outcome);
    if (floor) this.emit('floor', floor);
    await sent;
    if (!result.duplicate) this.answersSoon();
    this.emit('result', event);
    this.log.info(`${event.kind} ${event.action} ${event.result}`, { id: event.id, site: event.site ?? undefined, reason: event.reason ?? undefined, duplicate: event.duplicate || undefined, epoch: event.epoch, heldMs: hold?.waitedMs });
  }

  /** The answer window, retained, after the answer itself and off the hand-off's path ({@link ANSWER_WINDOW_MS}). */
  private answersSoon(): void {
    this.answersPending = true;
    if (this.answersTimer || this.stopped) return;
    this.answersTimer = setTimeout(() => {
      this.answersTimer = null;
      this.enqueue(() => this.publishAnswers(this.mayAct()));
    }, ANSWER_WINDOW_MS);
  }

  /** Through the queue, so the window never carries an answer whose state is not saved yet. */
  private async publishAnswers(mayAct: boolean): Promise<void> {
    if (!this.answersPending) return;
    this.answersPending = false;
    if (mayAct) await this.link.publish('conductorAnswers', retainedAnswers(this.state, this.id));
  }

  /** Waits until every queued message is applied (tests and clean shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  async stop(): Promise<void> {
    // Asked before stopping: a stopped conductor acts no more.
    const primary = this.mayAct();
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    await this.queue;
    // A window still to go goes now: a clean restart finds every answer retained.
    if (this.answersTimer) clearTimeout(this.answersTimer);
    this.answersTimer = null;
    await this.publishAnswers(primary);
    await this.link.close(this.roles.role === 'primary');
  }
}
