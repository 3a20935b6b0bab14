/**
 * `relais ptz <op>`: move a camera from the shell. (`relais sim camera`, the
 * simulator to try it on, is registered by src/sim/cli.ts.)
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { intArg } from '../util/args.js';
import { t } from '../i18n/index.js';
import { parse as parseYaml } from 'yaml';
import { Camera } from './camera.js';
import { DRIVE_DIRECTIONS, type DriveDirection } from './commands.js';
import { parsePtzConfig, resolvePreset, type PtzCameraConfig, type PtzTransportConfig } from './config.js';
import { DEFAULT_TCP_PORT, DEFAULT_VISCA_IP_PORT } from './ip-header.js';
import type { LinkTimeouts } from './link.js';
import { defaultLinkFactory } from './open.js';

interface TargetOptions {
  config?: string;
  camera?: string;
  serial?: string;
  address?: number;
  baud?: number;
  ip?: string;
  port?: number;
  tcp?: boolean;
  timeout?: number;
  json?: boolean;
}

function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'site config (YAML or JSON) whose `cameras` list names the camera')
    .option('--camera <name>', 'camera name in --config (optional when it holds one camera)')
    .option('--serial <path>', 'serial port of a VISCA chain, e.g. /dev/ttyUSB0')
    .option('--address <n>', 'camera address on the serial chain (1-7)', intArg('--address', 1, 7))
    .option('--baud <rate>', 'serial speed: 9600 (default) or 38400', (value: string) => {
      if (value !== '9600' && value !== '38400') throw new InvalidArgumentError(t('errors.ptzBaud'));
      return Number(value);
    })
    .option('--ip <host>', 'camera host for VISCA over IP (UDP) or, with --tcp, raw VISCA over TCP')
    .option('--port <port>', `port (default ${DEFAULT_VISCA_IP_PORT} for UDP, ${DEFAULT_TCP_PORT} with --tcp)`, intArg('--port', 1, 65535))
    .option('--tcp', 'speak raw VISCA over TCP instead of VISCA over IP')
    .option('--timeout <ms>', 'wait this long for each acknowledgement', intArg('--timeout', 50, 60_000))
    .option('--json', 'print the result as JSON');
}

async function resolveTarget(opts: TargetOptions): Promise<{ transport: PtzTransportConfig; config: PtzCameraConfig | null; name: string }> {
  const given = [opts.config, opts.serial, opts.ip].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error(t('errors.ptzOneCamera'));
  if (opts.serial) {
    return { transport: { type: 'serial', path: opts.serial, baud: (opts.baud ?? 9600) as 9600 | 38400, address: opts.address ?? 1 }, config: null, name: `camera ${opts.address ?? 1} on ${opts.serial}` };
  }
  if (opts.ip) {
    const transport: PtzTransportConfig = opts.tcp
      ? { type: 'tcp', host: opts.ip, port: opts.port ?? DEFAULT_TCP_PORT }
      : { type: 'visca-ip', host: opts.ip, port: opts.port ?? DEFAULT_VISCA_IP_PORT };
    return { transport, config: null, name: `camera at ${opts.ip}` };
  }
  const file = opts.config!;
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(t('errors.ptzUnreadable', { file, reason: (error as Error).message }));
  }
  const cameras = parsePtzConfig((raw as { cameras?: unknown } | null)?.cameras ?? [], `${file}: cameras`);
  if (cameras.length === 0) throw new Error(t('errors.ptzNoCameras', { file }));
  const names = cameras.map((c) => c.name).join(', ');
  const chosen = opts.camera ? cameras.find((c) => c.name === opts.camera) : cameras.length === 1 ? cameras[0] : undefined;
  if (!chosen) throw new Error(opts.camera ? t('errors.ptzNoSuchCamera', { file, camera: opts.camera, names }) : t('errors.ptzSeveralCameras', { file, names }));
  return { transport: chosen.transport, config: chosen, name: chosen.name };
}

/** Opens the camera, runs `fn`, prints its result, closes. Sets the exit code on failure. */
async function withCamera(opts: TargetOptions, fn: (camera: Camera, config: PtzCameraConfig | null) => Promise<unknown>): Promise<void> {
  let close: (() => Promise<void>) | null = null;
  try {
    const target = await resolveTarget(opts);
    const timeouts: LinkTimeouts = {};
    if (opts.timeout !== undefined) timeouts.ackTimeoutMs = opts.timeout;
    const link = defaultLinkFactory(target.transport, timeouts);
    close = () => link.close();
    await link.open();
    const address = target.transport.type === 'serial' ? target.transport.address : 1;
    const camera = new Camera(target.name, link, { address });
    const value = await fn(camera, target.config);
    if (opts.json) process.stdout.write(JSON.stringify({ ok: true, camera: target.name, value: value ?? null }) + '\n');
    else process.stdout.write(value === undefined ? 'ok\n' : `${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
  } catch (error) {
    const message = (error as Error).message;
    if (opts.json) process.stdout.write(JSON.stringify({ ok: false, error: message }) + '\n');
    process.stderr.write(`relais ptz: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await close?.();
  }
}

function presetOf(config: PtzCameraConfig | null, value: string): number {
  const n = config ? resolvePreset(config, value) : /^\d+$/.test(value) ? Number(value) : null;
  if (n === null) {
    throw new Error(config ? t('errors.ptzPresetNames', { value, camera: config.name, names: Object.keys(config.presets).join(', ') || t('errors.ptzNoPresets') }) : t('errors.ptzPreset', { value }));
  }
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds `ptz <op>` to a commander program. */
export function registerPtzCommands(program: Command): void {
  const ptz = program.command('ptz').description('move a PTZ camera over VISCA (serial, VISCA over IP or TCP)');
  const op = (name: string, description: string): Command => addTargetOptions(ptz.command(name).description(description));

  op('recall', 'recall a preset').argument('<preset>', 'preset number (0-127) or name from --config')
    .action((preset: string, opts: TargetOptions) => withCamera(opts, (cam, cfg) => cam.recallPreset(presetOf(cfg, preset))));
  op('store', 'store the current position as a preset').argument('<preset>', 'preset number (0-127) or name from --config')
    .action((preset: string, opts: TargetOptions) => withCamera(opts, (cam, cfg) => cam.storePreset(presetOf(cfg, preset))));
  op('home', 'move to the home position').action((opts: TargetOptions) => withCamera(opts, (cam) => cam.home()));
  op('stop', 'stop panning and tilting').action((opts: TargetOptions) => withCamera(opts, (cam) => cam.stop()));
  op('cancel', 'cancel what the camera is running (a preset move on its way)').action((opts: TargetOptions) => withCamera(opts, (cam) => cam.cancel()));

  for (const direction of DRIVE_DIRECTIONS.filter((d) => d !== 'stop')) {
    op(direction, `pan/tilt ${direction} until stop (or for --for MS)`)
      .option('--speed <n>', 'speed 1-24 (tilt is capped at 20)', intArg('--speed', 1, 0x18))
      .option('--for <ms>', 'stop after this many milliseconds', intArg('--for', 1, 60_000))
      .action((opts: TargetOptions & { speed?: number; for?: number }) =>
        withCamera(opts, async (cam) => {
          const speed = opts.speed !== undefined ? { pan: opts.speed, tilt: Math.min(opts.speed, 0x14) } : {};
          await cam.drive(direction as DriveDirection, speed);
          if (opts.for !== undefined) {
            await sleep(opts.for);
            await cam.stop();
          }
        }),
      );
  }

  op('zoom', 'zoom in (tele), out (wide) or stop')
    .addArgument(ptz.createArgument('<direction>', 'in, out or stop').choices(['in', 'out', 'stop']))
    .option('--speed <n>', 'variable speed 0-7 (standard speed without it)', intArg('--speed', 0, 7))
    .action((direction: string, opts: TargetOptions & { speed?: number }) =>
      withCamera(opts, (cam) => cam.zoom(direction === 'in' ? 'tele' : direction === 'out' ? 'wide' : 'stop', opts.speed)),
    );
  op('zoom-to', 'zoom to a position (0 = wide)').argument('<position>', 'zoom position 0-32767', intArg('position', 0, 0x7fff))
    .action((position: number, opts: TargetOptions) => withCamera(opts, (cam) => cam.zoomTo(position)));
  op('power', 'switch the camera on or to standby')
    .addArgument(ptz.createArgument('<state>', 'on or off').choices(['on', 'off']))
    .action((state: string, opts: TargetOptions) => withCamera(opts, (cam) => cam.power(state === 'on')));
  op('tally', "switch the camera's own tally lamp")
    .addArgument(ptz.createArgument('<state>', 'on or off').choices(['on', 'off']))
    .action((state: string, opts: TargetOptions) => withCamera(opts, (cam) => cam.setTally(state === 'on')));
  op('inquire', 'ask the camera its power state, zoom or pan-tilt position')
    .addArgument(ptz.createArgument('<what>', 'power, zoom or position').choices(['power', 'zoom', 'position']))
    .action((what: string, opts: TargetOptions) =>
      withCamera(opts, (cam) => (what === 'power' ? cam.inquirePower() : what === 'zoom' ? cam.inquireZoom() : cam.inquirePosition())),
    );
}
