/**
 * `relais sim camera`: VISCA cameras to try relais (and `relais ptz`) on
 * without hardware, on a pty pair, UDP and TCP.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_TCP_PORT, DEFAULT_VISCA_IP_PORT } from '../ptz/ip-header.js';
import { intArg, parsePort } from '../util/args.js';
import { t } from '../i18n/index.js';
import { nextSignal } from '../util/signals.js';
import { startCameraSim } from './runner.js';
import { registerSwitcherSimCommands } from './switcher-cli.js';

interface CameraSimFlags {
  pty?: string;
  udp?: number;
  tcp?: number;
  cameras: number;
  host: string;
  msPerUnit: number;
}

function msPerUnit(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError(t('errors.simMsPerUnit'));
  return n;
}

/** Adds `sim camera` to a commander program (beside any other `sim` command already there). */
export function registerSimCommands(program: Command): void {
  const sim = program.commands.find((c) => c.name() === 'sim') ?? program.command('sim').description(t('help.sim.description'));
  sim
    .command('camera')
    .description(t('help.sim.camera'))
    .option('--pty <link>', t('help.sim.pty'))
    .option('--udp <port>', t('help.sim.udp'), parsePort)
    .option('--tcp <port>', t('help.sim.tcp'), parsePort)
    .option('--cameras <n>', t('help.sim.cameras'), intArg('--cameras', 1, 7), 1)
    .option('--host <addr>', t('help.sim.host'), '127.0.0.1')
    .option('--ms-per-unit <ms>', t('help.sim.msPerUnit'), msPerUnit, 0.25)
    .action(async (opts: CameraSimFlags) => {
      const interrupted = nextSignal();
      const none = opts.pty === undefined && opts.udp === undefined && opts.tcp === undefined;
      const running = await startCameraSim({
        pty: none ? true : (opts.pty ?? false),
        ...(none ? { udp: DEFAULT_VISCA_IP_PORT, tcp: DEFAULT_TCP_PORT } : {}),
        ...(opts.udp !== undefined ? { udp: opts.udp } : {}),
        ...(opts.tcp !== undefined ? { tcp: opts.tcp } : {}),
        cameras: opts.cameras,
        host: opts.host,
        msPerUnit: opts.msPerUnit,
      });
      for (const line of running.describe()) process.stdout.write(`${t('tools.simListening', { what: line })}\n`);
      process.stdout.write(`${t('tools.simCameraRunning')}\n`);
      await interrupted;
      await running.stop();
      process.stdout.write(`${t('tools.simCameraStopped')}\n`);
    });
  registerSwitcherSimCommands(sim);
}
