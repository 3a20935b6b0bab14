/**
 * The client: an operator and the three sites' buttons, as messages on the
 * broker (its own connection, no proxy). Grants, revokes, next and reorders on
 * `control`; requests, passes, releases and cancels on `site/<site>/intent`.
 * Ids are unique; one operation in ten sends an earlier one again, same id,
 * to check that it is applied once.
 */
import type { MqttClient } from 'mqtt';
import { topic } from '../../src/protocol/topics.js';
import type { History, OpEntry } from './history.js';
import type { Prng } from './prng.js';

type Body = { id: string; action: string } & Record<string, unknown>;
interface Sent {
  topic: string;
  body: Body;
  op: string;
  site?: string;
}

export class FloorClient {
  private readonly sent: Sent[] = [];
  private n = 0;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly mqtt: MqttClient,
    private readonly event: string,
    private readonly sites: readonly string[],
    private readonly history: History,
    private readonly prng: Prng,
  ) {}

  /** One operation, chosen by the PRNG. */
  private next(): Sent {
    const p = this.prng;
    const id = `op-${++this.n}`;
    const site = p.pick(this.sites);
    const kind = p.pick(['grant', 'grant', 'revoke', 'next', 'reorder', 'request', 'request', 'pass', 'release', 'cancel']);
    switch (kind) {
      case 'grant':
        return { topic: topic(this.event, 'control'), op: 'control:grant', body: { id, action: 'grant', site } };
      case 'revoke':
      case 'next':
        return { topic: topic(this.event, 'control'), op: `control:${kind}`, body: { id, action: kind } };
      case 'reorder':
        return { topic: topic(this.event, 'control'), op: 'control:reorder', body: { id, action: 'reorder', queue: p.shuffle(this.sites).slice(0, p.int(0, 2)) } };
      default: {
        const body: Body = { id: `${site}-${id}`, action: kind };
        if (kind === 'pass' && p.chance(0.5)) body.to = p.pick(this.sites.filter((s) => s !== site));
        return { topic: topic(this.event, 'siteIntent', site), op: `intent:${kind}`, body, site };
      }
    }
  }

  send(s: Sent, retry: boolean): void {
    this.history.add<OpEntry>({ kind: 'op', actor: 'client', op: s.op, phase: 'send', detail: { ...s.body, ...(s.site ? { asSite: s.site } : {}), ...(retry ? { retry: true } : {}) } });
    this.mqtt.publish(s.topic, JSON.stringify(s.body), { qos: 1 });
  }

  /** Sends an operation every 150-450 ms until `stop`. */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const retry = this.sent.length > 0 && this.prng.chance(0.1);
        const s = retry ? this.prng.pick(this.sent) : this.next();
        if (!retry) this.sent.push(s);
        this.send(s, retry);
        await new Promise((r) => setTimeout(r, this.prng.int(150, 450)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  get count(): number {
    return this.n;
  }
}
