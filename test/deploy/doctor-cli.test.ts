import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { checkBroker } from '../../src/doctor/broker.js';
import { setLang } from '../../src/i18n/index.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { freePort, makeTestCa, makeUsers, renderCentral, startMosquitto, TEST_USERS, type RunningBroker } from './mosquitto-harness.js';

const run = promisify(execFile);
const ENTRY = join(import.meta.dirname, 'cli-entry.ts');

/** Runs `relais doctor ...` through the test entry; resolves even on a non-zero exit. */
async function doctor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', ENTRY, 'doctor', ...args], { timeout: 30_000, env: { ...process.env, RELAIS_LANG: 'fr', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('deploy: relais doctor against a real broker and through the CLI', () => {
  let dir: string;
  let broker: RunningBroker;
  let ports: { plain: number; tls: number; ws: number };
  let conductor: MqttClient | null = null;
  let beat: ReturnType<typeof setInterval> | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-doctor-cli-'));
    await makeTestCa(dir);
    await makeUsers(dir);
    ports = { plain: await freePort(), tls: await freePort(), ws: await freePort() };
    broker = await startMosquitto(dir, 'central', await renderCentral(dir, ports));
  });
  afterEach(async () => {
    clearInterval(beat);
    await conductor?.endAsync(true);
    conductor = null;
  });
  after(async () => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const site = { ...TEST_USERS.saintCamille, probeTopic: 'relais/v1/demo/site/saint-camille/doctor' };

  it('times round trips over TLS with the site credentials, and estimates the conductor clock offset', async () => {
    // A conductor whose clock runs 5 s ahead.
    conductor = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.plain}`, TEST_USERS.conductor);
    beat = setInterval(() => {
      const at = new Date(Date.now() + 5000).toISOString();
      void conductor?.publishAsync('relais/v1/demo/conductor/heartbeat', JSON.stringify({ conductor: 'main', epoch: 1, at, role: 'primary' }));
    }, 100);
    const [line, clock] = await checkBroker({ url: `mqtts://localhost:${ports.tls}`, ca: join(dir, 'ca.crt'), event: 'demo', ...site });
    assert.equal(line?.status, 'PASS', JSON.stringify(line));
    assert.match(line!.summary, /^mqtts:\/\/localhost:\d+ en tant que site-saint-camille\s: connecté en \d+ ms, aller-retour \d+,\d ms \(médiane de 5\)$/);
    assert.equal(clock?.status, 'WARN');
    const offset = (clock!.data as { offsetMs: number }).offsetMs;
    assert.ok(Math.abs(offset - 5000) < 200, `offset ${offset}`);
    assert.match(clock!.fix ?? '', /NTP/);
  });

  it('says why it cannot connect: wrong password, refused port, untrusted certificate', async () => {
    const [badPw] = await checkBroker({ url: `mqtt://127.0.0.1:${ports.plain}`, username: site.username, password: 'wrong', probeTopic: site.probeTopic });
    assert.equal(badPw?.status, 'FAIL');
    assert.match(badPw!.summary, /nom d’utilisateur ou mot de passe refusé/);
    assert.match(badPw!.fix ?? '', /^comparez broker\.username\/password aux identifiants créés par make-users\.sh/);
    setLang('en');
    try {
      const [inEnglish] = await checkBroker({ url: `mqtt://127.0.0.1:${ports.plain}`, username: site.username, password: 'wrong', probeTopic: site.probeTopic });
      assert.match(inEnglish!.summary, /: user name or password refused$/);
      assert.match(inEnglish!.fix ?? '', /^check broker\.username\/password against the credentials made with make-users\.sh/);
    } finally {
      setLang('fr');
    }
    const closed = await freePort();
    const [refused] = await checkBroker({ url: `mqtt://127.0.0.1:${closed}`, probeTopic: 'x' });
    assert.match(refused!.summary, /connexion refusée \(connect ECONNREFUSED/);
    assert.match(refused!.fix ?? '', /systemctl status mosquitto/);
    const [untrusted] = await checkBroker({ url: `mqtts://localhost:${ports.tls}`, ...site });
    assert.match(untrusted!.summary, /certificat non reconnu/);
    assert.match(untrusted!.fix ?? '', /broker.ca/);
  });

  it('reports a probe topic the ACL refuses instead of hanging', async () => {
    const [line, clock] = await checkBroker({ url: `mqtt://127.0.0.1:${ports.plain}`, ...TEST_USERS.viewer, probeTopic: 'relais/v1/demo/control' });
    assert.equal(line?.status, 'WARN');
    assert.match(line!.summary, /mais l’ACL a refusé la sonde sur relais\/v1\/demo\/control$/);
    assert.equal(clock?.status, 'WARN');
  });

  describe('CLI', function () {
    // Each case starts the doctor through tsx, some twice: seconds each on a busy machine.
    this.timeout(60_000);
    let root: string;
    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'relais-doctor-root-'));
      await mkdir(join(root, 'dev'), { recursive: true });
      await writeFile(join(root, 'dev/ttyUSB0'), '');
      await symlink('ttyUSB0', join(root, 'dev/relais-visca0'));
    });
    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('prints one line per check and exits 0 when nothing fails', async () => {
      const config = join(root, 'appliance.yaml');
      await writeFile(config, `event: demo\nsite: saint-camille\nbroker:\n  url: mqtt://127.0.0.1:${ports.plain}\n  username: site-saint-camille\n  password: sc-pw\n`);
      const r = await doctor(['--config', config, '--root', root, '--only', 'gpio', 'serial', 'broker', 'temperature']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0]!, /^WARN  gpio +aucune puce GPIO sur cette machine$/);
      assert.match(lines[2]!, /^PASS  serial +\/dev\/ttyUSB0, \/dev\/relais-visca0 -> \/dev\/ttyUSB0$/);
      assert.match(lines[3]!, /^PASS  broker +mqtt:\/\/127\.0\.0\.1:\d+ en tant que site-saint-camille\s: connecté en/);
      assert.match(lines[4]!, /^WARN  clock +aucun battement de cœur du chef d’orchestre sur relais\/v1\/demo\/conductor\/heartbeat/);
      assert.match(lines.at(-1)!, /^toutes les vérifications ont réussi, 2 avertissement\(s\)$/);
    });

    it('--json, and exit status 1 when a check fails', async () => {
      const r = await doctor(['--root', root, '--only', 'broker', 'serial', '--broker', `mqtt://127.0.0.1:${ports.plain}`, '-u', 'site-saint-camille', '-p', 'nope', '--json']);
      assert.equal(r.code, 1);
      const results = JSON.parse(r.stdout) as CheckResult[];
      assert.deepEqual(
        results.map((x) => [x.check, x.status]),
        [
          ['serial', 'PASS'],
          ['broker', 'FAIL'],
          ['clock', 'WARN'],
        ],
      );
    });

    it('reads the config as the service does: RELAIS_* override the file, -P overrides both', async () => {
      const config = join(root, 'appliance.yaml');
      // The file names an old broker and password; the environment the new ones, as a systemd drop-in would.
      await writeFile(config, `event: demo\nsite: saint-camille\nbroker:\n  url: mqtt://127.0.0.1:${await freePort()}\n  username: site-saint-camille\n  password: stale-pw\n`);
      const moved = { RELAIS_BROKER_URL: `mqtt://127.0.0.1:${ports.plain}` };
      const status = (r: { stdout: string; stderr: string }): string | undefined =>
        (JSON.parse(r.stdout) as CheckResult[]).find((x) => x.check === 'broker')?.status;
      const args = ['--config', config, '--root', root, '--only', 'broker', '--json'];
      const fileOnly = await doctor(args);
      assert.equal(status(fileOnly), 'FAIL', fileOnly.stdout);
      assert.equal(fileOnly.code, 1);
      const fromEnv = await doctor(args, { ...moved, RELAIS_BROKER_PASSWORD: 'sc-pw' });
      assert.equal(status(fromEnv), 'PASS', fromEnv.stdout + fromEnv.stderr);
      const flag = await doctor([...args, '-P', 'sc-pw'], moved);
      assert.equal(status(flag), 'PASS', flag.stdout + flag.stderr);
    });

    it('refuses a config the service would refuse, with the path and status 2', async () => {
      const config = join(root, 'appliance.yaml');
      await writeFile(config, 'event: demo\nsite: Saint Camille\n');
      const r = await doctor(['--config', config, '--only', 'disk']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /relais doctor: .*appliance\.yaml: site\s: doit être un identifiant en minuscules/);
    });

    it('rejects a config it cannot read with a clear message and status 2', async () => {
      const r = await doctor(['--config', join(root, 'missing.yaml')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /impossible de lire la config .*missing\.yaml\s: fichier introuvable; .*\/etc\/relais\/appliance\.yaml/);
      const bad = await doctor(['--only', 'everything']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /Choix permis\s: gpio, serial, ffmpeg, broker, tally, disk, temperature\./);
    });
  });
});
