import assert from 'node:assert/strict';
import { formatStatus } from '../../src/commands/floor-client.js';
import { setLang } from '../../src/i18n/index.js';
import { DEMO_LOGINS } from '../../src/demo/scenario.js';
import { createServer, type Server } from 'node:net';
import mqtt from 'mqtt';
import { startEmbeddedBroker, PortInUseError, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { publishRefusal } from '../../src/broker/acl.js';
import { freePort } from '../helpers/brokers.js';
import { quietLogger } from '../helpers/log.js';
import { runCli, spawnCli, stopChild } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

describe('embedded broker', function () {
  this.timeout(30_000);

  it('says which port is taken and how to change it, in one line', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      await assert.rejects(startEmbeddedBroker({ tcpPort: port, wsPort: null, log: quietLogger() }), (err: unknown) => {
        assert.ok(err instanceof PortInUseError);
        assert.match(err.message, new RegExp(`le port ${port} \\(MQTT sur TCP\\) est déjà pris.*--mqtt-port`));
        return true;
      });
      const result = await runCli(['demo', '--no-screen', '--mqtt-port', String(port), '--ws-port', '0', '--no-media', '--no-dashboard', '--lang', 'en']);
      assert.equal(result.code, 2);
      const lines = result.output.trim().split('\n').filter((l) => l.startsWith('relais:'));
      assert.equal(lines.length, 1, result.output);
      assert.match(lines[0]!, new RegExp(`port ${port} is already in use; .*--mqtt-port`));
    } finally {
      blocker.close();
    }
  });

  it('serves MQTT over TCP and WebSockets, and enforces the ACL per role', async () => {
    const broker: EmbeddedBroker = await startEmbeddedBroker({
      tcpPort: 0,
      wsPort: 0,
      log: quietLogger(),
      users: [
        { username: 'op', password: 'op-secret', role: 'operator' },
        { username: 'view', password: 'view-secret', role: 'viewer' },
        { username: 'site-a', password: 'a-secret', role: 'site', site: 'a' },
      ],
    });
    const clients: mqtt.MqttClient[] = [];
    try {
      const watcher = await mqtt.connectAsync(broker.wsUrl!, { username: 'view', password: 'view-secret' });
      clients.push(watcher);
      const seen: string[] = [];
      watcher.on('message', (t) => seen.push(t));
      await watcher.subscribeAsync('relais/#', { qos: 1 });
      const op = await mqtt.connectAsync(broker.url, { username: 'op', password: 'op-secret' });
      const siteA = await mqtt.connectAsync(broker.url, { username: 'site-a', password: 'a-secret' });
      clients.push(op, siteA);
      await op.publishAsync('relais/v1/e/control', '{}', { qos: 1 });
      await siteA.publishAsync('relais/v1/e/site/a/intent', '{}', { qos: 1 });
      await waitFor('allowed messages', () => seen.length >= 2);
      // Refused: a site speaking for another, a site publishing the floor, a viewer acting.
      // Like Mosquitto, the broker never delivers them; Aedes also closes the offender's connection.
      const refusedBy = async (username: string, password: string, t: string): Promise<void> => {
        const c = await mqtt.connectAsync(broker.url, { username, password, reconnectPeriod: 0 });
        c.on('error', () => undefined);
        const closed = new Promise<void>((r) => c.once('close', () => r()));
        c.publish(t, '{}', { qos: 0 });
        await closed;
        c.end(true);
      };
      await refusedBy('site-a', 'a-secret', 'relais/v1/e/site/b/intent');
      await refusedBy('site-a', 'a-secret', 'relais/v1/e/floor');
      await refusedBy('view', 'view-secret', 'relais/v1/e/control');
      assert.equal(broker.refusedPublishes(), 3);
      // Marker: an allowed message after the refused ones; once it is in, nothing else came.
      await siteA.publishAsync('relais/v1/e/site/a/state', '{}', { qos: 1 });
      await waitFor('the marker', () => seen.includes('relais/v1/e/site/a/state'));
      assert.deepEqual(seen.sort(), ['relais/v1/e/control', 'relais/v1/e/site/a/intent', 'relais/v1/e/site/a/state']);
      await assert.rejects(mqtt.connectAsync(broker.url, { username: 'op', password: 'wrong', reconnectPeriod: 0 }), /Bad username or password|Not authorized|bad user/i);
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await broker.close();
    }
  });

  it('ACL: operators may move cameras, sites may not command their own PTZ topic', () => {
    assert.equal(publishRefusal({ username: 'o', password: '', role: 'operator' }, 'relais/v1/e/site/a/ptz/command'), null);
    assert.match(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/a/ptz/command') ?? '', /may not publish ptzCommand/);
    assert.equal(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/a/ptz/result'), null);
    assert.match(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/b/state') ?? '', /only for site a, not b/);
    assert.match(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/a/anything') ?? '', /topics of the contract/);
    assert.match(publishRefusal({ username: 'c', password: '', role: 'conductor' }, 'relais/v1/e/control') ?? '', /may not publish control/);
    assert.equal(publishRefusal({ username: 'c', password: '', role: 'conductor' }, 'relais/v1/e/conductor/heartbeat'), null);
    // A technician's message to the operator: the site's own box writes it, an operator marks it read.
    assert.equal(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/a/message/operator'), null);
    assert.match(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/b/message/operator') ?? '', /only for site a, not b/);
    assert.match(publishRefusal({ username: 'v', password: '', role: 'viewer' }, 'relais/v1/e/site/a/message/operator') ?? '', /may not publish operatorMessage/);
    assert.match(publishRefusal({ username: 's', password: '', role: 'site', site: 'a' }, 'relais/v1/e/site/a/message/operator/ack') ?? '', /may not publish operatorMessageAck/);
    assert.equal(publishRefusal({ username: 'o', password: '', role: 'operator' }, 'relais/v1/e/site/a/message/operator/ack'), null);
  });
});

describe('relais CLI', function () {
  this.timeout(60_000);

  it('has --help on every command', async () => {
    const commands = [[], ['demo'], ['appliance'], ['conductor'], ['config'], ['config', 'check'], ['floor'], ...['status', 'request', 'cancel', 'release', 'pass', 'grant', 'revoke', 'next', 'reorder'].map((c) => ['floor', c])];
    const results: Awaited<ReturnType<typeof runCli>>[] = [];
    // A few at a time: each is a Node process compiling TypeScript on a 2-core machine.
    for (let i = 0; i < commands.length; i += 4) results.push(...(await Promise.all(commands.slice(i, i + 4).map((c) => runCli([...c, '--help'], {}, 40_000)))));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `relais ${commands[i]!.join(' ')} --help: ${r.output}`);
      assert.match(r.stdout, /^Utilisation\u00a0: relais/);
    });
    assert.match(results[1]!.stdout, /--no-dashboard\s+ne pas servir le tableau de bord/);
    const en = await runCli(['floor', 'adjust', '--help', '--lang', 'en']);
    assert.equal(en.code, 0, en.output);
    assert.match(en.stdout, /^Usage: relais floor adjust \[options\] <minutes>/);
    assert.match(en.stdout, /operator: add minutes to the current item/);
    assert.match(en.stdout, /--timeout <ms>\s+how long to wait for the broker and the conductor\s+\(default: 5000\)/);
  });

  it('config check: OK for the examples, path and fix for a broken one', async () => {
    const ok = await runCli(['config', 'check', 'hardware/examples/conductor.yaml']);
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.stdout, /OK \(config conductor, événement «\u00a0demo\u00a0»/);
    const site = await runCli(['config', 'check', 'hardware/examples/site-simulated.yaml']);
    assert.equal(site.code, 0, site.output);
    const bad = await runCli(['config', 'check', 'test/fixtures/bad-conductor.yaml']);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /sites\[1\]\.id\u00a0: doit être un identifiant en minuscules/);
    const english = await runCli(['config', 'check', 'test/fixtures/bad-conductor.yaml', '--lang', 'en']);
    assert.equal(english.code, 2);
    assert.match(english.output, /sites\[1\]\.id: must be a lowercase slug/);
  });

  it('floor status names a site whose lamps and buttons are out, and why', () => {
    setLang('en');
    after(() => setLang('fr'));
    const text = formatStatus(
      {
        floor: null,
        conductor: 'online',
        sites: {
          'saint-camille': { availability: 'online', role: 'idle', link: 'ok', io: 'firmata board on /dev/ttyACM0 lost (unplugged); reconnecting' },
          'rouyn-noranda': { availability: 'online', role: 'idle', link: 'lost' },
        },
      },
      'demo',
    );
    assert.match(text, /rouyn-noranda +online +idle \(link lost\)$/m);
    assert.match(text, /saint-camille +online +idle \(lamps and buttons out: firmata board on \/dev\/ttyACM0 lost \(unplugged\); reconnecting\)$/m);
    setLang('fr');
  });

  it('floor status speaks French by default, with display names and 24-hour times', () => {
    setLang('fr');
    const since = new Date(2026, 5, 12, 14, 5).toISOString();
    const text = formatStatus(
      {
        floor: { epoch: 3, onAir: 'riviere-du-loup', next: null, queue: ['saint-camille'], since, item: null, plannedEnd: null, nextItem: null, conductor: 'c', updatedAt: since },
        conductor: 'online',
        sites: {
          'riviere-du-loup': { availability: 'online', name: 'Rivière-du-Loup', role: 'on-air', link: 'ok' },
          'saint-camille': { availability: 'offline', name: 'Saint-Camille', role: 'queued', link: 'lost' },
        },
      },
      'demo',
    );
    assert.match(text, /^événement demo  chef d’orchestre online$/m);
    assert.match(text, /époque 3  en ondes : Rivière-du-Loup depuis 14\u00a0h\u00a005  suivant : -  file : Saint-Camille/);
    assert.match(text, /Saint-Camille +hors ligne +en file \(lien perdu\)$/m);
  });

  it('drives the demo from outside: floor request, grant, pass, status', async () => {
    const mqttPort = await freePort();
    const demo = spawnCli(['demo', '--no-screen', '--mqtt-port', String(mqttPort), '--ws-port', '0', '--no-media', '--no-dashboard']);
    try {
      await waitFor('demo running', () => /relais demo: en marche; Ctrl-C pour arrêter/.test(demo.output()), 20_000);
      const broker = ['--broker', `mqtt://127.0.0.1:${mqttPort}`];
      const request = await runCli(['floor', 'request', '--site', 'rouyn-noranda', ...broker]);
      assert.match(request.stdout, /demander : acceptée/);
      const pass = await runCli(['floor', 'pass', 'riviere-du-loup', '--site', 'rouyn-noranda', ...broker]);
      assert.match(pass.stdout, /passer : acceptée/);
      const wrong = await runCli(['floor', 'release', '--site', 'saint-camille', '--lang', 'en', ...broker]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /release: rejected \(saint-camille is not on air/);
      // A viewer's grant: the broker refuses the publish, and the CLI says so at once instead of blaming the conductor.
      const viewer = await runCli(['floor', 'grant', 'saint-camille', '-u', DEMO_LOGINS.viewer.username, '-P', DEMO_LOGINS.viewer.password, '--timeout', '15000', ...broker]);
      assert.equal(viewer.code, 1);
      assert.match(viewer.output, /le courtier a refusé la publication sur relais\/v1\/demo\/control : l’utilisateur « viewer » n’a pas le droit de l’écrire/);
      assert.doesNotMatch(viewer.output, /chef d’orchestre|conductor|\n\s+at /, 'no blame on the conductor, no stack trace');
      const status = await runCli(['floor', 'status', '--json', ...broker]);
      const parsed = JSON.parse(status.stdout) as { floor: { onAir: string }; sites: Record<string, { availability: string; role: string }> };
      assert.equal(parsed.floor.onAir, 'riviere-du-loup');
      assert.equal(parsed.sites['riviere-du-loup']?.role, 'on-air');
      assert.equal(Object.values(parsed.sites).filter((s) => s.availability === 'online').length, 3);
      await stopChild(demo, 'SIGINT');
      assert.match(demo.output(), /relais demo: arrêtée/);
      assert.equal(demo.exitCode, 0);
    } finally {
      await stopChild(demo, 'SIGKILL');
    }
  });
});
