#!/usr/bin/env node
// Checks the Debian packages that `npm test` or `npm start` need, installs the
// missing ones when run as root, and otherwise names the one command to run.
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDS = {
  // command on PATH -> Debian package
  test: { mosquitto: 'mosquitto', mosquitto_pub: 'mosquitto-clients', socat: 'socat', ffmpeg: 'ffmpeg', ffprobe: 'ffmpeg', chromium: 'chromium', 'nats-server': 'nats-server', shellcheck: 'shellcheck', openssl: 'openssl', 'srt-live-transmit': 'srt-tools' },
  start: { ffmpeg: 'ffmpeg', ffprobe: 'ffmpeg', 'srt-live-transmit': 'srt-tools', socat: 'socat' },
};

const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';
const wanted = NEEDS[purpose] ?? NEEDS.test;
const optional = purpose === 'start';

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = [...new Set(Object.entries(wanted).filter(([cmd]) => !onPath(cmd)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = onPath('apt-get');
if (isRoot && hasApt && process.env.RELAIS_NO_APT !== '1') {
  console.error(`relais: installing Debian packages: ${missing.join(' ')}`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    process.exit(0);
  } catch {
    console.error(`relais: could not install ${missing.join(' ')}; run: sudo ${command}`);
    process.exit(optional ? 0 : 1);
  }
}
console.error(`relais: missing Debian packages (${missing.join(', ')}); run: sudo ${command}`);
process.exit(optional ? 0 : 1);
