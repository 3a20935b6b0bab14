/**
 * A box whose I/O board drops off says so in its state (`io`), and says when
 * it is back: the régie sees why a room's lamps went dark.
 */
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { ApplianceRuntime } from '../../src/appliance/runtime.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { SimulatedDriver } from '../../src/hardware/simulated.js';
import { decode, topic } from '../../src/protocol/topics.js';
import { siteConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

describe('the box reports its I/O health in its state (embedded broker)', function () {
  this.timeout(15_000);
  let broker: EmbeddedBroker;
  let watcher: MqttClient;
  let box: ApplianceRuntime;
  const driver = new SimulatedDriver();
  const ios: unknown[] = [];

  before(async () => {
    broker = await startEmbeddedBroker({ tcpPort: 0, wsPort: null, log: quietLogger('broker') });
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    watcher.on('message', (_t, p) => {
      const d = decode('siteState', p);
      if (d.ok) ios.push(d.value['io']);
    });
    await watcher.subscribeAsync(topic('test', 'siteState', 'saint-camille'), { qos: 1 });
    box = new ApplianceRuntime({ config: siteConfig(broker.url, 'saint-camille'), driver, log: quietLogger('saint-camille') });
    await box.start();
    await waitFor('a first state', () => ios.length > 0);
  });
  after(async () => {
    await box?.stop();
    await watcher?.endAsync(true);
    await broker?.close();
  });

  it('io.ok goes false with the reason when the board drops, and true again when it is back', async () => {
    assert.deepEqual(ios.at(-1), { driver: 'simulated', ok: true, detail: null });
    driver.simulateLoss('firmata board on /dev/ttyACM0 lost (unplugged); reconnecting');
    await waitFor('a state saying the I/O is lost', () => (ios.at(-1) as { ok?: boolean } | undefined)?.ok === false, 3000);
    assert.deepEqual(ios.at(-1), { driver: 'simulated', ok: false, detail: 'firmata board on /dev/ttyACM0 lost (unplugged); reconnecting' });
    driver.simulateLoss(null);
    await waitFor('a state saying the I/O is back', () => (ios.at(-1) as { ok?: boolean } | undefined)?.ok === true, 3000);
  });
});
