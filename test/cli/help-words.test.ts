/** Every command's `--help` speaks the CLI's language: Commander's frame and the commands' own words. */
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { setLang, type Lang } from '../../src/i18n/index.js';
import { translateCommander } from '../../src/util/commander-words.js';
import { addGlobalOptions } from '../../src/wiring.js';
import { registerDoctorCommand } from '../../src/doctor/command.js';
import { registerPtzCommands } from '../../src/ptz/cli.js';
import { registerMediaCommands } from '../../src/media/cli.js';
import { registerLinkCommands } from '../../src/media/link-cli.js';
import { registerSimCommands } from '../../src/sim/cli.js';
import { registerSimLinkCommand } from '../../src/sim/link-cli.js';
import { registerTallyCommands } from '../../src/tally/cli.js';
import { registerDashboardCommand } from '../../src/dashboard/command.js';
import { registerMessageCommand } from '../../src/commands/message.js';
import { registerRundownCommand } from '../../src/commands/rundown.js';

// Imported here rather than through registerExtraCommands: its dynamic imports would bind another copy of the i18n module.
const REGISTER = [registerDoctorCommand, registerPtzCommands, registerMediaCommands, registerLinkCommands, registerSimCommands, registerSimLinkCommand, registerTallyCommands, registerDashboardCommand, registerMessageCommand, registerRundownCommand];

/** A program with every part's commands (the core's are in src/cli.ts, checked by test/spine/broker-cli). */
function program(lang: Lang): Command {
  setLang(lang);
  const root = addGlobalOptions(translateCommander(new Command('relais')));
  for (const register of REGISTER) register(root);
  return root;
}

/** The help of `relais <path…>` with every part registered, in `lang`. */
function helpOf(lang: Lang, ...path: string[]): string {
  let command = program(lang);
  for (const name of path) command = command.commands.find((c) => c.name() === name)!;
  assert.ok(command, `relais ${path.join(' ')} exists`);
  return command.helpInformation();
}

describe('cli: --help in French and English', () => {
  after(() => setLang('fr'));

  it('speaks Quebec French by default: headings, defaults, choices, the help option', () => {
    const text = helpOf('fr', 'ptz', 'zoom');
    assert.match(text, /^Utilisation\u00a0: relais ptz zoom \[options\] <direction>/);
    assert.match(text, /zoomer vers l’avant \(tele\), vers l’arrière \(wide\) ou arrêter/);
    assert.match(text, /Arguments\u00a0:\n\s+direction\s+in, out ou stop \(choix\u00a0: "in", "out", "stop"\)/);
    assert.match(text, /Options\u00a0:/);
    assert.match(text, /--port <port>\s+port \(par défaut 52381 en UDP, 5678 avec --tcp\)/);
    assert.match(text, /-h, --help\s+afficher l’aide de la commande/);
    assert.doesNotMatch(text, /Usage:|display help|default:/);
    const root = helpOf('fr');
    assert.match(root, /Commandes\u00a0:/);
    assert.match(root, /help \[commande\]\s+afficher l’aide d’une commande/);
    assert.match(root, /--log-level <level>\s+debug \| info \| warn \| error \(par défaut\u00a0: "info"\)/);
    const tally = helpOf('fr', 'tally', 'watch');
    assert.match(tally, /--tsl-version <v>\s+version de TSL UMD, 3\.1 ou 5\.0 \(par défaut\u00a0: "5\.0"\)/);
  });

  it('speaks English on request, with the same options', () => {
    const text = helpOf('en', 'ptz', 'zoom');
    assert.match(text, /^Usage: relais ptz zoom \[options\] <direction>/);
    assert.match(text, /zoom in \(tele\), out \(wide\) or stop/);
    assert.match(text, /direction\s+in, out or stop \(choices: "in", "out", "stop"\)/);
    assert.match(text, /-h, --help\s+display help for command/);
    const root = helpOf('en');
    assert.match(root, /Commands:/);
    assert.match(root, /help \[command\]\s+display help for command/);
    const fr = helpOf('fr', 'sim', 'link');
    const en = helpOf('en', 'sim', 'link');
    const flags = (help: string): string[] => [...help.matchAll(/^ {2}(-[^ ]+(?: <[^>]+>)?)/gm)].map((m) => m[1]!);
    assert.deepEqual(flags(fr), flags(en));
    assert.ok(flags(fr).length >= 10, flags(fr).join(' '));
  });

  it('leaves no English description in any command of the French help', () => {
    const english = /\b(the|and|with|of|to|print|run|send|when)\b/;
    const walk = (command: Command, path: string): void => {
      for (const line of [command.description(), ...command.options.map((o) => o.description), ...command.registeredArguments.map((a) => a.description)]) {
        assert.doesNotMatch(line ?? '', english, `relais${path}: ${line}`);
      }
      for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`);
    };
    walk(program('fr'), '');
  });
});
