/**
 * A feature's context without a broker: subscriptions go through the box's own
 * TopicRouter (so payloads are decoded and validated as on a real box), the
 * bus is the read-only view the runtime hands out, and what the feature
 * publishes and reports is recorded.
 */
import { EventEmitter } from 'node:events';
import { FeatureBus, type ApplianceEvents, type FeatureContext, type SiteRole, type TopicParams } from '../../src/appliance/feature.js';
import { TopicRouter } from '../../src/appliance/topic-router.js';
import type { Floor } from '../../src/protocol/schemas.js';
import { topicOf, type PayloadOf, type TopicName } from '../../src/protocol/topics.js';
import { quietLogger } from './log.js';

export interface Published {
  name: TopicName;
  params: TopicParams;
  payload: unknown;
}

export interface FakeFeatureContext {
  ctx: FeatureContext;
  /** The emitter behind the read-only bus, for the test to emit on and count listeners of. */
  emitter: EventEmitter<ApplianceEvents>;
  /** Every `reportState` and `publish`, as events to wait on. */
  seen: EventEmitter<{ report: [key: string, value: unknown]; publish: [message: Published] }>;
  published: Published[];
  bad: Array<{ topic: string; reason: string }>;
  router: TopicRouter;
  /** Delivers a raw payload on a named topic, as the broker would. */
  deliver(name: TopicName, params: TopicParams, payload: string): void;
  setRole(role: SiteRole, floor?: Floor): void;
  setLink(up: boolean): void;
  setFloor(floor: Floor | null): void;
}

export function fakeFeatureContext(options: { event?: string; site?: string; role?: SiteRole; linkUp?: boolean } = {}): FakeFeatureContext {
  const event = options.event ?? 'demo';
  const site = options.site ?? 'saint-camille';
  const emitter = new EventEmitter<ApplianceEvents>();
  const seen = new EventEmitter<{ report: [key: string, value: unknown]; publish: [message: Published] }>();
  const published: Published[] = [];
  const bad: Array<{ topic: string; reason: string }> = [];
  const log = quietLogger(site);
  const router = new TopicRouter(event, log, (t, reason) => bad.push({ topic: t, reason }));
  const now = { role: options.role ?? ('idle' as SiteRole), linkUp: options.linkUp ?? true, floor: null as Floor | null };
  const ctx: FeatureContext = {
    event,
    site,
    log,
    bus: new FeatureBus(emitter),
    floor: () => now.floor,
    role: () => now.role,
    linkUp: () => now.linkUp,
    reportState: (key, value) => seen.emit('report', key, structuredClone(value)),
    subscribe: async (name, params, handler, subscribeOptions) => {
      router.add('feature', name, params, handler, subscribeOptions);
    },
    publish: async <T extends TopicName>(name: T, params: TopicParams, payload: PayloadOf<T>) => {
      const message = { name, params, payload: structuredClone(payload) };
      published.push(message);
      seen.emit('publish', message);
    },
  };
  return {
    ctx,
    emitter,
    seen,
    published,
    bad,
    router,
    deliver: (name, params, payload) => router.route(topicOf(event, name, params.site), Buffer.from(payload)),
    setRole(role, floor = { epoch: 1, onAir: null, next: null, queue: [] } as unknown as Floor) {
      now.role = role;
      emitter.emit('role', role, floor);
    },
    setLink(up) {
      now.linkUp = up;
      emitter.emit('link', up);
    },
    setFloor(floor) {
      now.floor = floor;
      if (floor) emitter.emit('floor', floor);
    },
  };
}
