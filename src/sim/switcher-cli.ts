/**
 * `relais sim atem|obs|vmix|tsl`: a switcher to point `relais tally watch` or
 * a box at without one in the room. `--cycle <ms>` cuts to the next input
 * every period so the tally visibly moves.
 */
import type { Command } from 'commander';
import { intArg, parsePort } from '../util/args.js';
import { nextSignal } from '../util/signals.js';
import { t } from '../i18n/index.js';
import { AtemEmulator } from './atem.js';
import { ObsEmulator } from './obs.js';
import { TslEmulator } from './tsl.js';
import { VmixEmulator } from './vmix.js';

interface SwitcherFlags {
  port?: number;
  host: string;
  inputs: number;
  cycle?: number;
  password?: string;
  to?: string;
  tcp?: boolean;
  tslVersion: '3.1' | '5.0';
}

interface Running {
  describe: string;
  /** Cuts to the next input. */
  next(): void;
  stop(): Promise<void>;
}

async function runSwitcher(label: string, start: () => Promise<Running>, cycle: number | undefined): Promise<void> {
  const interrupted = nextSignal();
  const running = await start();
  process.stdout.write(`${t('tools.simSwitcherRunning', { label, describe: running.describe })}\n`);
  const timer = cycle ? setInterval(() => running.next(), cycle) : null;
  await interrupted;
  if (timer) clearInterval(timer);
  await running.stop();
  process.stdout.write(`${t('tools.simSwitcherStopped', { label })}\n`);
}

export function registerSwitcherSimCommands(sim: Command): void {
  const common = (c: Command, defaultPort: number): Command =>
    c
      .option('--port <port>', t('help.sim.port', { port: defaultPort }), parsePort)
      .option('--host <addr>', t('help.sim.listen'), '127.0.0.1')
      .option('--inputs <n>', t('help.sim.inputs'), intArg('--inputs', 2, 40), 4)
      .option('--cycle <ms>', t('help.sim.cycle'), intArg('--cycle', 100, 3_600_000));
  common(sim.command('atem').description(t('help.sim.atem')), 9910).action((o: SwitcherFlags) =>
    runSwitcher('atem', async () => {
      const atem = new AtemEmulator({ port: o.port ?? 9910, host: o.host, inputs: o.inputs });
      await atem.start();
      return { describe: `udp ${atem.address.host}:${atem.address.port}`, next: () => atem.setProgram((atem.program % o.inputs) + 1), stop: () => atem.stop() };
    }, o.cycle));
  common(sim.command('vmix').description(t('help.sim.vmix')), 8099).action((o: SwitcherFlags) =>
    runSwitcher('vmix', async () => {
      const vmix = new VmixEmulator({ port: o.port ?? 8099, host: o.host, inputs: o.inputs });
      await vmix.start();
      return { describe: `tcp ${vmix.address.host}:${vmix.address.port}`, next: () => vmix.cut((vmix.program % o.inputs) + 1), stop: () => vmix.stop() };
    }, o.cycle));
  common(sim.command('obs').description(t('help.sim.obs')), 4455)
    .option('--password <password>', t('help.sim.obsPassword'))
    .action((o: SwitcherFlags) =>
      runSwitcher('obs', async () => {
        const obs = new ObsEmulator({ port: o.port ?? 4455, host: o.host, ...(o.password !== undefined ? { password: o.password } : {}) });
        await obs.start();
        const scenes = [...obs.scenes.keys()];
        return { describe: `ws://${o.host}:${obs.port} (scenes: ${scenes.join(', ')})`, next: () => obs.setProgram(scenes[(scenes.indexOf(obs.program) + 1) % scenes.length]!), stop: () => obs.stop() };
      }, o.cycle));
  sim
    .command('tsl')
    .description(t('help.sim.tsl'))
    .requiredOption('--to <host:port>', t('help.sim.to'))
    .option('--tcp', t('help.sim.tslTcp'))
    .option('--tsl-version <v>', t('help.tally.tslVersion'), '5.0')
    .option('--inputs <n>', t('help.sim.displays'), intArg('--inputs', 2, 40), 4)
    .option('--cycle <ms>', t('help.sim.displayCycle'), intArg('--cycle', 100, 3_600_000))
    .action((o: SwitcherFlags) =>
      runSwitcher('tsl', async () => {
        const [host, port] = o.to!.split(':');
        const tsl = new TslEmulator({ version: o.tslVersion, to: [{ host: host!, port: parsePort(port ?? ''), transport: o.tcp ? 'tcp' : 'udp' }], displays: o.inputs });
        tsl.start();
        let program = 1;
        return { describe: `TSL ${o.tslVersion} to ${o.to} over ${o.tcp ? 'TCP' : 'UDP'}`, next: () => tsl.cut((program = (program % o.inputs) + 1)), stop: () => tsl.stop() };
      }, o.cycle));
}
