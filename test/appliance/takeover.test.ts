/**
 * The same-site-id watch on a stand-in for the mqtt.js client (the events and
 * the `options.reconnectPeriod` it reads): the broker's 0x8E reason, the
 * pattern of clean closes on MQTT 3.1.1, and what must not count (a broker that
 * restarts). Two boxes against real brokers: test/spine/site-takeover.test.ts.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { SESSION_TAKEN_OVER, TakeoverWatch, type TakeoverReport } from '../../src/mqtt/takeover.js';

class FakeClient extends EventEmitter {
  options = { reconnectPeriod: 200 };
  connected = false;
  connect(): void {
    this.connected = true;
    this.emit('connect');
  }
  close(): void {
    this.connected = false;
    this.emit('close');
  }
}

function watch() {
  const client = new FakeClient();
  let now = 1_000_000;
  const w = new TakeoverWatch(client as unknown as MqttClient, { backoffMs: 30_000, shortMs: 10_000, clearAfterMs: 120_000, now: () => now });
  const changes: Array<TakeoverReport | null> = [];
  w.on('change', (r) => changes.push(r));
  return { client, w, changes, advance: (ms: number) => (now += ms) };
}

describe('mqtt: the same-site-id watch (take-overs)', () => {
  it('MQTT 5: two "session taken over" in 30 s, and the box yields with a 30 s back-off that doubles', () => {
    const { client, w, changes, advance } = watch();
    for (let i = 0; i < 3; i++) {
      client.connect();
      advance(300);
      client.emit('disconnect', { cmd: 'disconnect', reasonCode: SESSION_TAKEN_OVER });
      client.close();
      advance(200);
    }
    const report = w.report();
    assert.equal(report?.evidence, 'reason-code');
    assert.equal(report?.yielding, true);
    assert.equal(report?.count, 3);
    assert.equal(report?.backoffMs, 60_000);
    assert.equal(client.options.reconnectPeriod, 60_000);
    assert.equal(changes.length, 2);
    w.stop();
  });

  it('MQTT 3.1.1: short connections the broker closes without an error are take-overs', () => {
    const { client, w, advance } = watch();
    client.connect();
    advance(250);
    client.close();
    advance(200);
    assert.equal(w.report(), null, 'one is nothing');
    client.connect();
    advance(250);
    client.close();
    assert.equal(w.report(), null, 'a clean close counts once the retry connects');
    advance(200);
    client.connect();
    assert.deepEqual({ ...w.report(), since: undefined }, { count: 2, since: undefined, evidence: 'pattern', yielding: true, backoffMs: 30_000 });
    assert.equal(client.options.reconnectPeriod, 30_000, 'the next close waits the back-off');
    w.stop();
  });

  it('a broker that restarts (the retry fails with an error) is no take-over', () => {
    const { client, w, advance } = watch();
    for (let i = 0; i < 3; i++) {
      client.connect();
      advance(250);
      client.close();
      client.emit('error', new Error('connect ECONNREFUSED'));
      client.emit('close'); // the failed attempt
      advance(200);
    }
    client.connect();
    assert.equal(w.report(), null);
    assert.equal(client.options.reconnectPeriod, 200);
    w.stop();
  });

  it('the box that stays (long connections thrown off now and then) reports but does not yield', () => {
    const { client, w, changes, advance } = watch();
    for (let i = 0; i < 2; i++) {
      client.connect();
      advance(20_000);
      client.emit('disconnect', { cmd: 'disconnect', reasonCode: SESSION_TAKEN_OVER });
      client.close();
      advance(200);
    }
    assert.equal(w.report()?.yielding, false);
    assert.equal(w.report()?.backoffMs, null);
    assert.equal(client.options.reconnectPeriod, 200);
    assert.equal(changes.length, 1);
    w.stop();
  });
});
