/** The link lease on fake timers: exactly when the link is lost, and when it comes back. */
import assert from 'node:assert/strict';
import { LinkLease, type LinkRule } from '../../src/appliance/link-lease.js';
import { fakeClock, type FakeClock } from '../helpers/fake-clock.js';

const LEASE_MS = 1000;

describe('appliance: link lease (fake timers)', () => {
  let time: FakeClock;
  let lease: LinkLease;
  let changes: boolean[];

  const build = (rule?: LinkRule): LinkLease => {
    const built = new LinkLease({ leaseMs: LEASE_MS, clock: time.clock, ...(rule ? { rule } : {}) });
    built.on('change', (up) => changes.push(up));
    return built;
  };

  beforeEach(() => {
    time = fakeClock();
    changes = [];
    lease = build();
  });
  afterEach(() => lease.stop());

  it('is lost exactly after leaseMs of silence, not a millisecond before', () => {
    lease.connected();
    lease.heartbeat();
    assert.deepEqual(changes, [true]);
    time.fake.tick(LEASE_MS - 1);
    assert.equal(lease.up, true);
    time.fake.tick(1);
    assert.equal(lease.up, false);
    assert.deepEqual(changes, [true, false]);
  });

  it('stays up while heartbeats come within the lease, and says nothing about it', () => {
    lease.connected();
    for (let i = 0; i < 20; i++) {
      lease.heartbeat();
      time.fake.tick(LEASE_MS - 1);
    }
    assert.deepEqual(changes, [true]);
    assert.equal(time.fake.countTimers(), 1, 'one lease timer at a time');
  });

  it('comes back on the first heartbeat of a new connection, not on the connection alone', () => {
    lease.connected();
    lease.heartbeat();
    lease.disconnected();
    assert.deepEqual(changes, [true, false]);
    time.fake.tick(10);
    lease.connected();
    assert.equal(lease.up, false, 'the heartbeat before the outage does not count for the new connection');
    lease.heartbeat();
    assert.equal(lease.up, true);
    assert.deepEqual(changes, [true, false, true]);
  });

  it('goes down at once when the conductor says offline; a heartbeat says it is back', () => {
    lease.connected();
    lease.heartbeat();
    lease.conductorAvailability(false);
    assert.equal(lease.up, false);
    lease.conductorAvailability(true);
    assert.equal(lease.up, true, 'online again, and the last heartbeat is still fresh');
    lease.conductorAvailability(false);
    lease.heartbeat();
    assert.deepEqual(changes, [true, false, true, false, true]);
  });

  it('a swapped rule that keeps the lease one millisecond longer is asked again then', () => {
    lease.stop();
    lease = build((f) => f.mqttUp && f.conductorOnline && f.now - f.lastHeartbeatAt <= f.leaseMs);
    lease.connected();
    lease.heartbeat();
    time.fake.tick(LEASE_MS);
    assert.equal(lease.up, true);
    time.fake.tick(1);
    assert.equal(lease.up, false);
  });

  it('a swapped rule with a grace after an offline is asked again while the grace runs', () => {
    lease.stop();
    const graceMs = 300;
    lease = build((f) => f.mqttUp && f.now - f.lastHeartbeatAt < f.leaseMs && (f.offlineSince === null || f.now - f.offlineSince < graceMs));
    lease.connected();
    lease.heartbeat();
    time.fake.tick(100);
    lease.conductorAvailability(false);
    assert.equal(lease.up, true, 'within the grace');
    time.fake.tick(graceMs + 250);
    assert.equal(lease.up, false, 'asked again within one poll after the grace, long before the lease');
  });

  it('stop clears its timer and reports nothing more', () => {
    lease.connected();
    lease.heartbeat();
    lease.stop();
    assert.equal(time.fake.countTimers(), 0);
    lease.heartbeat();
    lease.disconnected();
    assert.deepEqual(changes, [true]);
  });
});
