import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startDemo, type RunningDemo } from '../../src/demo/demo.js';
import { cameraDemoExtension } from '../../src/demo/camera-extension.js';
import { freePort, quietLogger } from '../helpers/brokers.js';
import { waitFor } from '../helpers/wait.js';

describe('the demo (in-process, with its simulated cameras)', function () {
  this.timeout(30_000);
  let demo: RunningDemo;

  before(async () => {
    demo = await startDemo({ host: '127.0.0.1', mqttPort: await freePort(), wsPort: await freePort(), interactive: false, extensions: [cameraDemoExtension()], log: quietLogger('demo') });
    await waitFor('three boxes linked', () => [...demo.boxes.values()].every((b) => b.runtime.linkUp), 10_000);
  });
  after(async () => demo?.stop());

  const camera = (site: string): { online: boolean; preset: number | null } => {
    const cameras = demo.boxes.get(site)!.runtime.siteState().cameras as Array<{ online: boolean; preset: number | null }>;
    return cameras[0]!;
  };

  it('moves a site\'s camera to its podium preset when the floor reaches it, and back to wide after', async () => {
    await waitFor('cameras online', () => ['saint-camille', 'riviere-du-loup'].every((s) => camera(s).online), 10_000);
    const op = await mqtt.connectAsync(demo.brokerUrl);
    try {
      await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'd1', action: 'grant', site: 'riviere-du-loup' }), { qos: 1 });
      await waitFor('riviere-du-loup camera on the podium preset', () => camera('riviere-du-loup').preset === 2, 10_000);
      await op.publishAsync('relais/v1/demo/control', JSON.stringify({ id: 'd2', action: 'grant', site: 'saint-camille' }), { qos: 1 });
      await waitFor('saint-camille camera on the podium preset', () => camera('saint-camille').preset === 2, 10_000);
      await waitFor('riviere-du-loup camera back to wide', () => camera('riviere-du-loup').preset === 1, 10_000);
      assert.equal(demo.boxes.get('saint-camille')!.driver.output('onAir').level, true);
    } finally {
      await op.endAsync();
    }
  });
});
