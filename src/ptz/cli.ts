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
    .option('--config <file>', t('help.ptz.config'))
    .option('--camera <name>', t('help.ptz.camera'))
    .option('--serial <path>', t('help.ptz.serial'))
    .option('--address <n>', t('help.ptz.address'), intArg('--address', 1, 7))
    .option('--baud <rate>', t('help.ptz.baud'), (value: string) => {
      if (value !== '9600' && value !== '38400') throw new InvalidArgumentError(t('errors.ptzBaud'));
      return Number(value);
    })
    .option('--ip <host>', t('help.ptz.ip'))
    .option('--port <port>', t('help.ptz.port', { udp: DEFAULT_VISCA_IP_PORT, tcp: DEFAULT_TCP_PORT }), intArg('--port', 1, 65535))
    .option('--tcp', t('help.ptz.tcp'))
    .option('--timeout <ms>', t('help.ptz.timeout'), intArg('--timeout', 50, 60_000))
    .option('--json', t('help.json'));
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
    return { transport, config: null, name: t('visca.cameraAt', { host: opts.ip }) };
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
  const ptz = program.command('ptz').description(t('help.ptz.description'));
  const op = (name: string, description: string): Command => addTargetOptions(ptz.command(name).description(description));

  op('recall', t('help.ptz.recall')).argument('<preset>', t('help.ptz.preset'))
    .action((preset: string, opts: TargetOptions) => withCamera(opts, (cam, cfg) => cam.recallPreset(presetOf(cfg, preset))));
  op('store', t('help.ptz.store')).argument('<preset>', t('help.ptz.preset'))
    .action((preset: string, opts: TargetOptions) => withCamera(opts, (cam, cfg) => cam.storePreset(presetOf(cfg, preset))));
  op('home', t('help.ptz.home')).action((opts: TargetOptions) => withCamera(opts, (cam) => cam.home()));
  op('stop', t('help.ptz.stop')).action((opts: TargetOptions) => withCamera(opts, (cam) => cam.stop()));
  op('cancel', t('help.ptz.cancel')).action((opts: TargetOptions) => withCamera(opts, (cam) => cam.cancel()));

  for (const direction of DRIVE_DIRECTIONS.filter((d) => d !== 'stop')) {
    op(direction, t('help.ptz.drive', { direction }))
      .option('--speed <n>', t('help.ptz.speed'), intArg('--speed', 1, 0x18))
      .option('--for <ms>', t('help.ptz.for'), intArg('--for', 1, 60_000))
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

  op('zoom', t('help.ptz.zoom'))
    .addArgument(ptz.createArgument('<direction>', t('help.ptz.zoomDirection')).choices(['in', 'out', 'stop']))
    .option('--speed <n>', t('help.ptz.zoomSpeed'), intArg('--speed', 0, 7))
    .action((direction: string, opts: TargetOptions & { speed?: number }) =>
      withCamera(opts, (cam) => cam.zoom(direction === 'in' ? 'tele' : direction === 'out' ? 'wide' : 'stop', opts.speed)),
    );
  op('zoom-to', t('help.ptz.zoomTo')).argument('<position>', t('help.ptz.zoomPosition'), intArg('position', 0, 0x7fff))
    .action((position: number, opts: TargetOptions) => withCamera(opts, (cam) => cam.zoomTo(position)));
  op('power', t('help.ptz.power'))
    .addArgument(ptz.createArgument('<state>', t('help.ptz.onOff')).choices(['on', 'off']))
    .action((state: string, opts: TargetOptions) => withCamera(opts, (cam) => cam.power(state === 'on')));
  op('tally', t('help.ptz.tally'))
    .addArgument(ptz.createArgument('<state>', t('help.ptz.onOff')).choices(['on', 'off']))
    .action((state: string, opts: TargetOptions) => withCamera(opts, (cam) => cam.setTally(state === 'on')));
  op('inquire', t('help.ptz.inquire'))
    .addArgument(ptz.createArgument('<what>', t('help.ptz.what')).choices(['power', 'zoom', 'position']))
    .action((what: string, opts: TargetOptions) =>
      withCamera(opts, (cam) => (what === 'power' ? cam.inquirePower() : what === 'zoom' ? cam.inquireZoom() : cam.inquirePosition())),
    );
}
