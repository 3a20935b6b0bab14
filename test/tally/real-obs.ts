/**
 * The real OBS Studio (Debian's obs-studio, obs-websocket 5 built in) under
 * Xvfb, for the tests that can run against it: a fresh profile in a temp
 * HOME with the WebSocket server on, a given port and password. Null when
 * obs or xvfb-run is not installed, so the caller skips with a reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OBSWebSocket } from 'obs-websocket-js/json';

export interface RealObs {
  port: number;
  /** A second client that drives OBS (scenes, studio mode) the way an operator would. */
  control: OBSWebSocket;
  stop(): Promise<void>;
}

export function realObsMissing(): string | null {
  for (const tool of ['obs', 'xvfb-run']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install obs-studio xvfb xauth)`;
  }
  return null;
}

export async function startRealObs(port: number, password: string): Promise<RealObs> {
  const home = await mkdtemp(join(tmpdir(), 'relais-obs-'));
  const config = join(home, '.config', 'obs-studio');
  await mkdir(config, { recursive: true });
  await writeFile(join(config, 'global.ini'), [
    '[General]', 'FirstRun=false', '',
    '[OBSWebSocket]', 'FirstLoad=false', 'ServerEnabled=true', `ServerPort=${port}`, 'AlertsEnabled=false', 'AuthRequired=true', `ServerPassword=${password}`, '',
  ].join('\n'));
  const child: ChildProcess = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x720x24', 'obs', '--disable-shutdown-check', '--minimize-to-tray'], {
    env: { ...process.env, HOME: home, LIBGL_ALWAYS_SOFTWARE: '1' },
    stdio: 'ignore',
    detached: true, // its own process group: xvfb-run, Xvfb and obs stop together
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (!exited && child.pid) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(-child.pid, 'SIGTERM');
      await gone;
    }
    await rm(home, { recursive: true, force: true });
  };
  const control = new OBSWebSocket();
  // OBS takes a few seconds to load its modules; the fact to wait for is a successful identify.
  for (let attempt = 0; ; attempt++) {
    try {
      await control.connect(`ws://127.0.0.1:${port}`, password);
      break;
    } catch (err) {
      if (exited || attempt >= 100) {
        await stop();
        throw new Error(`OBS did not open its WebSocket server on ${port}: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    port,
    control,
    async stop() {
      await control.disconnect().catch(() => {});
      await stop();
    },
  };
}
