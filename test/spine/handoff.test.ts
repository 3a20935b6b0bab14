import assert from 'node:assert/strict';
import { brokerKinds, startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { startTestEvent, type TestEvent } from '../helpers/event.js';
import { waitFor } from '../helpers/wait.js';

for (const kind of brokerKinds()) {
  describe(`hand-offs through ${kind}`, function () {
    this.timeout(30_000);
    let broker: TestBroker;
    let ev: TestEvent;

    beforeEach(async () => {
      broker = await startTestBroker(kind);
      // No double-press window and no bounce window: a second press is a press whatever the time
      // between them, even the few milliseconds a fast hand-off leaves here (a real hand is slower
      // than the 30 ms bounce window; both windows are tested on fake timers in
      // test/hardware/gestures.test.ts).
      ev = await startTestEvent(broker.url, { site: { buttons: { podium: { input: 'podium', lamp: 'buttonLamp', doubleMs: 0, bounceMs: 0 } } } });
      for (const [site, box] of ev.boxes) await waitFor(`${site} link up`, () => box.runtime.linkUp);
    });
    afterEach(async () => {
      await ev?.stop();
      await broker?.stop();
    });

    const onAirLevel = (site: string): boolean => ev.box(site).driver.output('onAir').level;

    it('request, grant, pass and release round trips show on every box\'s lamps', async () => {
      const sc = ev.box('saint-camille');
      sc.driver.input('podium').press();
      await waitFor('saint-camille queued', () => ev.conductor.floor().queue.includes('saint-camille'));
      await waitFor('queued lamp blinking', () => sc.runtime.lampPatterns()?.button.pattern === 'slow-blink');

      // Operator grants through MQTT like a dashboard would.
      const { default: mqtt } = await import('mqtt');
      const op = await mqtt.connectAsync(broker.url);
      await op.publishAsync('relais/v1/test/control', JSON.stringify({ id: 'g1', action: 'grant', site: 'saint-camille' }), { qos: 1 });
      await waitFor('saint-camille ON AIR lamp', () => onAirLevel('saint-camille'));
      await waitFor('rouyn-noranda next (from the rundown)', () => ev.box('rouyn-noranda').runtime.role === 'next');
      assert.equal(ev.box('rouyn-noranda').driver.output('next').level, true, 'NEXT lamp lit');
      assert.equal(ev.box('rouyn-noranda').runtime.lampPatterns()?.button.pattern, 'off', 'no request made: the button stays dark');
      for (const site of ['rouyn-noranda', 'riviere-du-loup']) assert.equal(onAirLevel(site), false, `${site} must be dark`);
      assert.equal(ev.box('rouyn-noranda').driver.output('next').level, true);

      // The on-air speaker presses again: auto = pass to next.
      sc.driver.input('podium').press();
      await waitFor('rouyn-noranda on air', () => onAirLevel('rouyn-noranda'));
      await waitFor('saint-camille dark', () => !onAirLevel('saint-camille'));
      assert.equal(ev.conductor.floor().item?.title, 'Talk');

      // Release by intent from the on-air site.
      ev.box('rouyn-noranda').runtime.press('release');
      await waitFor('nobody on air', () => [...ev.boxes.keys()].every((s) => !onAirLevel(s)));
      assert.equal(ev.conductor.floor().onAir, null);
      await op.endAsync();
    });

    it('a rejected intent flashes the button lamp and changes nothing', async () => {
      const rd = ev.box('riviere-du-loup');
      const epoch = ev.conductor.epoch;
      const rejected = new Promise<string>((resolve) => rd.runtime.once('rejected', (_id, reason) => resolve(reason)));
      rd.runtime.press('release');
      assert.match(await rejected, /not on air/);
      assert.equal(rd.runtime.lampPatterns()?.button.pattern, 'flash3');
      assert.equal(ev.conductor.epoch, epoch);
    });

    it('kill -9 of the broker mid-hand-off: everyone converges after it restarts', async () => {
      const { default: mqtt } = await import('mqtt');
      const op = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
      op.on('error', () => undefined);
      await op.publishAsync('relais/v1/test/control', JSON.stringify({ id: 'g1', action: 'grant', site: 'saint-camille' }), { qos: 1 });
      await waitFor('saint-camille on air', () => onAirLevel('saint-camille'));
      ev.box('saint-camille').runtime.press('pass', 'test', 'riviere-du-loup');
      await broker.kill();
      await waitFor('every box shows link lost', () => [...ev.boxes.values()].every((b) => !b.runtime.linkUp), 8000);
      for (const site of ev.boxes.keys()) assert.notEqual(ev.box(site).runtime.lampPatterns()?.onAir.pattern, 'on', `${site} must not stay red`);
      await broker.restart();
      await waitFor('links back', () => [...ev.boxes.values()].every((b) => b.runtime.linkUp), 15_000);
      const floor = ev.conductor.floor();
      await waitFor('boxes agree with the conductor', () => [...ev.boxes.values()].every((b) => b.runtime.floor?.epoch === ev.conductor.floor().epoch), 10_000);
      const onAir = [...ev.boxes.keys()].filter((s) => ev.box(s).runtime.role === 'on-air');
      assert.ok(onAir.length <= 1, 'never two on air');
      assert.deepEqual(onAir, floor.onAir ? [floor.onAir] : []);
      await op.endAsync(true);
    });
  });
}
