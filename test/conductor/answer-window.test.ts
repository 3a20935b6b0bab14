/**
 * The retained answer window (`conductor/answers`, rule 4 of docs/protocol.md)
 * on a real Mosquitto: it goes after the answers, once for a burst of
 * commands rather than once per command, it carries every first answer of the
 * burst, and a window still to go at a clean stop goes before the connection
 * ends, so a conductor started afterwards as standby finds every answer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { ANSWER_WINDOW_MS, Conductor } from '../../src/conductor/conductor.js';
import type { ConductorAnswers, EventResult } from '../../src/protocol/schemas.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { conductorConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

const SITES = ['saint-camille', 'rouyn-noranda', 'riviere-du-loup'];

describe('conductor: the retained answer window (mosquitto)', function () {
  this.timeout(30_000);
  let broker: TestBroker;
  let dir: string;
  let conductor: Conductor | null = null;
  let observer: MqttClient;
  const windows: Array<{ at: number; value: ConductorAnswers }> = [];
  const answers: Array<{ at: number; value: EventResult }> = [];

  before(async () => {
    broker = await startTestBroker('mosquitto');
    dir = await mkdtemp(join(tmpdir(), 'relais-answers-'));
    observer = await mqtt.connectAsync(broker.url, { clientId: 'relais-test-answers' });
    observer.on('message', (topic, payload) => {
      if (payload.length === 0) return;
      const value: unknown = JSON.parse(payload.toString());
      if (topic.endsWith('/conductor/answers')) windows.push({ at: performance.now(), value: value as ConductorAnswers });
      if (topic.endsWith('/events')) answers.push({ at: performance.now(), value: value as EventResult });
    });
    await observer.subscribeAsync(['relais/v1/test/conductor/answers', 'relais/v1/test/events'], { qos: 1 });
  });

  after(async () => {
    await conductor?.stop();
    await observer?.endAsync();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const control = (id: string, body: Record<string, unknown>): Promise<unknown> => observer.publishAsync('relais/v1/test/control', JSON.stringify({ id, ...body }), { qos: 1 });
  const keys = (w: ConductorAnswers): string[] => w.answers.map((a) => a.key);

  it('one window for a burst, after its answers, with every first answer of it', async () => {
    conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json'), {}, SITES), log: quietLogger('conductor') });
    await conductor.start();
    await waitFor('the conductor primary, its first window retained', () => conductor!.role === 'primary' && windows.length > 0, 10_000);
    const before = windows.length;

    const burst = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
    await Promise.all(burst.map((id, i) => control(id, { action: 'grant', site: SITES[i % SITES.length] })));
    await waitFor('six answers', () => burst.every((id) => answers.some((a) => a.value.id === id)), 10_000);
    await waitFor('a window with the whole burst', () => windows.slice(before).some((w) => burst.every((id) => keys(w.value).includes(`control:${id}`))), 5000);

    const sent = windows.slice(before);
    assert.ok(sent.length < burst.length, `fewer windows than commands: ${sent.length} for ${burst.length}`);
    const lastAnswer = Math.max(...answers.filter((a) => burst.includes(a.value.id)).map((a) => a.at));
    const full = sent.find((w) => burst.every((id) => keys(w.value).includes(`control:${id}`)))!;
    assert.ok(full.at >= lastAnswer, 'the window comes after the answers it carries');
    assert.ok(full.at - lastAnswer < ANSWER_WINDOW_MS + 1000, `and soon after: ${Math.round(full.at - lastAnswer)} ms`);
    assert.equal(full.value.epoch, conductor.epoch);
  });

  it('a window still to go at a clean stop goes before the connection ends', async () => {
    const before = windows.length;
    await control('last', { action: 'grant', site: SITES[0] });
    await waitFor('the answer', () => answers.some((a) => a.value.id === 'last'), 10_000);
    // Stopped at once: the window's timer has not fired yet.
    await conductor!.stop();
    conductor = null;
    // The retained copy on the broker is the one a conductor starting now would read.
    const fresh = await mqtt.connectAsync(broker.url, { clientId: 'relais-test-answers-late' });
    const retained = new Promise<ConductorAnswers>((resolve) => fresh.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as ConductorAnswers)));
    await fresh.subscribeAsync('relais/v1/test/conductor/answers', { qos: 1 });
    const value = await retained;
    await fresh.endAsync();
    assert.ok(keys(value).includes('control:last'), `the retained window carries the last answer: ${keys(value).slice(-3).join(', ')}`);
    assert.ok(windows.length > before);
  });
});
