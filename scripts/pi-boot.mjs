#!/usr/bin/env node
// Writes what a Raspberry Pi must know at boot for the appliance config, since
// nothing at run time can do it (scripts/install.sh runs this):
//   - config.txt `gpio=<pins>=ip,pu` (or `pd`): the sysfs GPIO interface cannot set
//     a pull, and BCM 9-27 come up pulled low, so an active-low input reads
//     "asserted" from boot without one;
//   - config.txt `enable_uart=1` (Pi 3/4) or `dtparam=uart0=on` (Pi 5) when a camera
//     is on the header UART (GPIO 14/15);
//   - cmdline.txt without the serial console on that UART (Raspberry Pi OS ships
//     `console=serial0,115200`: the kernel and a login prompt would talk to the cameras).
// Facts from the Raspberry Pi documentation (config.txt `gpio`, UART configuration).
//
//   node scripts/pi-boot.mjs --config FILE --boot DIR --model MODEL [--app DIR]... [--dry-run]
//
// Prints one line per step in install.sh's format (ok / changed / would / warn).
// The config is read with the appliance's own schema (dist/src/hardware/config.js),
// so the default pin map and activeLow defaults are the ones the box will use.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const BEGIN = '# relais: begin (written by scripts/install.sh from the appliance config; run it again after a change)';
const END = '# relais: end';
/** The device names of the header UART (GPIO 14/15) across models. */
const HEADER_UARTS = ['/dev/serial0', '/dev/ttyAMA0', '/dev/ttyS0'];

function say(status, what) {
  process.stdout.write(`${status.padEnd(8)} ${what}\n`);
}

function parseArgs(argv) {
  const o = { apps: [], dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--config') o.config = next();
    else if (a === '--boot') o.boot = next();
    else if (a === '--model') o.model = next();
    else if (a === '--app') o.apps.push(next());
    else if (a === '--dry-run') o.dryRun = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.config || !o.boot) throw new Error('--config and --boot are required');
  return o;
}

/** The first relais tree that has both the built schema and its modules (the installed one, then this checkout). */
async function loadSchema(apps) {
  for (const app of [...apps, resolve(import.meta.dirname, '..')]) {
    const schema = join(app, 'dist', 'src', 'hardware', 'config.js');
    if (!existsSync(schema) || !existsSync(join(app, 'node_modules', 'yaml'))) continue;
    const { ioConfigSchema } = await import(pathToFileURL(schema).href);
    const { parse } = createRequire(join(app, 'package.json'))('yaml');
    return { ioConfigSchema, parse };
  }
  throw new Error(`no built relais with its node_modules in ${[...apps, resolve(import.meta.dirname, '..')].join(' or ')}`);
}

/** What the config asks of the boot files. Pure: the tests call it too. */
export function bootNeeds(doc, io, model) {
  const pi5 = /Raspberry Pi 5/.test(model ?? '');
  const warnings = [];
  const pullUp = [];
  const pullDown = [];
  if (io.driver === 'gpio') {
    for (const spec of Object.values(io.inputs)) {
      const pin = Number(spec.pin);
      if (!Number.isInteger(pin)) continue;
      (spec.activeLow ? pullUp : pullDown).push(pin);
    }
  }
  const paths = (Array.isArray(doc?.cameras) ? doc.cameras : []).map((c) => c?.transport?.path).filter((p) => typeof p === 'string');
  const headerUart = paths.some((p) => HEADER_UARTS.includes(p));
  if (pi5 && paths.includes('/dev/serial0')) {
    warnings.push('on a Raspberry Pi 5 /dev/serial0 is the debug connector (ttyAMA10): set cameras[].transport.path to /dev/ttyAMA0, the header UART (GPIO 14/15)');
  }
  const lines = [];
  const sorted = (pins) => [...new Set(pins)].sort((a, b) => a - b).join(',');
  if (pullUp.length) lines.push(`gpio=${sorted(pullUp)}=ip,pu`);
  if (pullDown.length) lines.push(`gpio=${sorted(pullDown)}=ip,pd`);
  if (headerUart) lines.push(pi5 ? 'dtparam=uart0=on' : 'enable_uart=1');
  // Consoles on the header UART; on a Pi 5 serial0 is the debug connector and may keep its console.
  const consoles = headerUart ? (pi5 ? ['ttyAMA0'] : ['serial0', 'ttyAMA0', 'ttyS0']) : [];
  return { lines, consoles, warnings };
}

/** config.txt with the relais block replaced (or appended, after `[all]` so no filter above applies). */
export function withBlock(text, lines) {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  const without = start >= 0 && end > start ? text.slice(0, start) + text.slice(end + END.length).replace(/^\n/, '') : text;
  if (!lines.length) return without;
  const base = without.length && !without.endsWith('\n') ? `${without}\n` : without;
  return `${base}${BEGIN}\n[all]\n${lines.join('\n')}\n${END}\n`;
}

/** cmdline.txt (one line) without `console=<dev>,...` for the given devices. */
export function withoutConsoles(text, devices) {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const kept = words.filter((w) => !devices.some((d) => w === `console=${d}` || w.startsWith(`console=${d},`)));
  return kept.length === words.length ? text : `${kept.join(' ')}\n`;
}

function update(path, next, what, dryRun) {
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (before === next) {
    say('ok', what);
    return;
  }
  if (dryRun) {
    say('would', what);
    return;
  }
  writeFileSync(path, next);
  say('changed', what);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { ioConfigSchema, parse } = await loadSchema(o.apps);
  const doc = parse(readFileSync(o.config, 'utf8')) ?? {};
  const io = ioConfigSchema.parse(doc.io);
  const needs = bootNeeds(doc, io, o.model);
  for (const w of needs.warnings) say('warn', w);
  const configTxt = join(o.boot, 'config.txt');
  const cmdlineTxt = join(o.boot, 'cmdline.txt');
  const config = existsSync(configTxt) ? readFileSync(configTxt, 'utf8') : '';
  update(configTxt, withBlock(config, needs.lines), `${configTxt}: ${needs.lines.length ? needs.lines.join(' ') : 'no relais lines'}`, o.dryRun);
  if (existsSync(cmdlineTxt)) {
    const cmdline = readFileSync(cmdlineTxt, 'utf8');
    const next = withoutConsoles(cmdline, needs.consoles);
    update(cmdlineTxt, next, `${cmdlineTxt}: ${next === cmdline ? 'no serial console on the cameras’ UART' : `serial console removed (${needs.consoles.join(', ')}): the cameras use the header UART`}`, o.dryRun);
  } else if (needs.consoles.length) {
    say('warn', `${cmdlineTxt} not found: make sure no console= names the header UART`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`pi-boot.mjs: ${err.message}\n`);
    process.exit(2);
  });
}
