/** `relais ptz` and `relais sim camera` as processes, through test/ptz/cli-entry.ts. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPtzCli } from './rig.js';

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const run = runPtzCli;

describe('relais ptz / relais sim camera (CLI)', function () {
  // Each case starts several CLI processes through tsx: seconds each on a busy machine.
  this.timeout(60_000);
  let dir: string;
  let sim: ChildProcess | null = null;
  let out = '';
  let serial: string;
  let udpPort: string;
  let tcpPort: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-ptz-cli-'));
    serial = path.join(dir, 'visca');
    sim = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'sim', 'camera', '--pty', serial, '--udp', '0', '--tcp', '0', '--cameras', '2', '--ms-per-unit', '0.02'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator did not start: ${out}`)), 15_000);
      sim!.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ctrl-C l’arrête')) {
          clearTimeout(timer);
          resolve();
        }
      });
      sim!.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
    });
    udpPort = /udp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]!;
    tcpPort = /tcp\s: 127\.0\.0\.1:(\d+)/.exec(out)![1]!;
  });

  after(async () => {
    if (sim && sim.exitCode === null) {
      const exited = new Promise((resolve) => sim!.once('exit', resolve));
      sim.kill('SIGINT');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('prints where the simulator listens', () => {
    assert.match(out, new RegExp(`à l’écoute serial\\s: 2 caméra\\(s\\) sur ${serial.replace(/[/.]/g, '\\$&')}`));
    assert.ok(existsSync(serial));
  });

  it('stores, drives for a while, recalls and inquires over the serial chain', async () => {
    const target = ['--serial', serial, '--address', '2'];
    assert.equal((await run(['ptz', 'store', '4', ...target])).stdout, 'ok\n');
    assert.equal((await run(['ptz', 'right', '--speed', '24', '--for', '100', ...target])).code, 0);
    const moved = JSON.parse((await run(['ptz', 'inquire', 'position', '--json', ...target])).stdout);
    assert.ok(moved.value.pan > 0, `panned right: ${JSON.stringify(moved)}`);
    assert.equal((await run(['ptz', 'recall', '4', ...target])).code, 0);
    assert.equal((await run(['ptz', 'inquire', 'position', ...target])).stdout, '{"pan":0,"tilt":0}\n');
  });

  it('speaks VISCA over IP and raw TCP', async () => {
    assert.equal((await run(['ptz', 'zoom-to', '1234', '--ip', '127.0.0.1', '--port', udpPort])).code, 0);
    assert.equal((await run(['ptz', 'inquire', 'zoom', '--ip', '127.0.0.1', '--port', udpPort])).stdout, '1234\n');
    assert.equal((await run(['ptz', 'power', 'off', '--ip', '127.0.0.1', '--port', tcpPort, '--tcp'])).code, 0);
    assert.equal((await run(['ptz', 'inquire', 'power', '--ip', '127.0.0.1', '--port', tcpPort, '--tcp'])).stdout, 'standby\n');
  });

  it('uses --config and --camera with named presets', async () => {
    const config = path.join(dir, 'site.yaml');
    await fs.writeFile(config, `site: saint-camille\ncameras:\n  - name: podium-cam\n    transport: { type: serial, path: ${serial}, address: 1 }\n    presets: { podium: 9 }\n  - name: room\n    transport: { type: tcp, host: 127.0.0.1, port: ${tcpPort} }\n`);
    assert.equal((await run(['ptz', 'store', 'podium', '--config', config, '--camera', 'podium-cam'])).code, 0);
    assert.equal((await run(['ptz', 'recall', 'podium', '--config', config, '--camera', 'podium-cam'])).code, 0);
    const several = await run(['ptz', 'home', '--config', config]);
    assert.equal(several.code, 1);
    assert.match(several.stderr, /contient plusieurs caméras \(podium-cam, room\)\s: choisissez-en une avec --camera NOM/);
  });

  it('explains bad input and camera errors, with exit code 1', async () => {
    const none = await run(['ptz', 'home']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /nommez une seule caméra\s: --config FICHIER/);
    const range = await run(['ptz', 'recall', '200', '--serial', serial]);
    assert.equal(range.code, 1);
    assert.match(range.stderr, /preset doit être un nombre entier de 0 à 127 .*reçu 200/);
    const missing = await run(['ptz', 'recall', '100', '--serial', serial]);
    // The camera's own error reply in French, with what to do.
    assert.match(missing.stderr, /caméra 1 sur .*\u00a0: preset recall 100\u00a0: la caméra a répondu «\u00a0commande non exécutable\u00a0» \(la caméra ne peut pas le faire maintenant/);
    const bad = await run(['ptz', 'zoom', 'sideways', '--serial', serial]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Choix permis\s: in, out, stop\./);
    const help = await run(['ptz', 'recall', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Utilisation\u00a0: relais ptz recall \[options\] <preset>/);
    assert.match(help.stdout, /rappeler un préréglage/);
  });

  it('stops on Ctrl-C and removes its pty link', async () => {
    const exited = new Promise<number | null>((resolve) => sim!.once('exit', resolve));
    sim!.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(out, /simulateur de caméras arrêté/);
    assert.equal(existsSync(serial), false);
  });
});
