/**
 * A fresh Debian 12 root for the install tests, made with debootstrap from the
 * Debian archive this machine uses. The pristine root is kept as a tarball in a
 * cache folder the tests own (RELAIS_TEST_CACHE, default /var/cache/relais-test)
 * so a second run skips debootstrap; every test unpacks its own copy, and a
 * machine that never saw the cache builds it first. Downloaded .debs are kept in
 * the cache too (bind-mounted on the root's apt archive folder).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CACHE = process.env.RELAIS_TEST_CACHE ?? '/var/cache/relais-test';
const SUITE = 'bookworm';
const BASE = join(CACHE, `${SUITE}-minbase.tar.gz`);

/** The first `deb` URI of this machine's apt sources (deb822 or one-line format). */
export async function debianMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822 && !deb822[1]!.includes('security')) return deb822[1]!;
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line) return line[1]!;
  }
  return 'http://deb.debian.org/debian';
}

/** Runs a command, streaming nothing; rejects with its output on failure. */
export async function sh(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // A command that never reads its stdin may exit before the write lands.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

/** Builds the pristine root tarball once (minutes); later calls return at once. */
export async function ensureBaseRoot(): Promise<string> {
  if (existsSync(BASE)) return BASE;
  await mkdir(CACHE, { recursive: true });
  const build = await mkdtemp(join(CACHE, 'debootstrap-'));
  try {
    // mkdtemp makes 0700; the root's "/" must be 0755 or no user but root can run anything in it.
    await chmod(build, 0o755);
    const boot = await sh('debootstrap', ['--variant=minbase', SUITE, build, await debianMirror()]);
    if (boot.code !== 0) throw new Error(`debootstrap failed (${boot.code}):\n${boot.stdout.slice(-3000)}\n${boot.stderr.slice(-3000)}`);
    await run('tar', ['-czf', `${BASE}.part`, '-C', build, '.'], { maxBuffer: 1 << 20 });
    await rename(`${BASE}.part`, BASE);
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  return BASE;
}

/** A root of its own, with /proc, /dev and the .deb cache mounted, and a way to run in it. */
export class DebianRoot {
  private mounts: string[] = [];
  private constructor(readonly dir: string) {}

  static async create(): Promise<DebianRoot> {
    const base = await ensureBaseRoot();
    await mkdir(join(CACHE, 'roots'), { recursive: true });
    const root = new DebianRoot(await mkdtemp(join(CACHE, 'roots', 'root-')));
    await run('tar', ['-xzf', base, '-C', root.dir]);
    await chmod(root.dir, 0o755);
    await root.prepare();
    return root;
  }

  private async mount(args: string[], target: string): Promise<void> {
    await run('mount', [...args, join(this.dir, target)]);
    this.mounts.unshift(join(this.dir, target));
  }

  private async prepare(): Promise<void> {
    await writeFile(join(this.dir, 'etc/resolv.conf'), await readFile('/etc/resolv.conf'));
    // This machine's own network: CAs it trusts locally (an egress proxy's) are trusted in
    // the root as well; ca-certificates picks them up when install.sh installs it.
    const local = '/usr/local/share/ca-certificates';
    if (existsSync(local)) await run('cp', ['-a', `${local}/.`, join(this.dir, local)]);
    // No service may start inside the chroot (the Debian policy-rc.d convention).
    await writeFile(join(this.dir, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    await this.mount(['-t', 'proc', 'proc'], 'proc');
    await this.mount(['--bind', '/dev'], 'dev');
    await this.mount(['-t', 'devpts', '-o', 'newinstance,ptmxmode=0666', 'devpts'], 'dev/pts');
    const debs = join(CACHE, 'apt-archives');
    await mkdir(join(debs, 'partial'), { recursive: true });
    await run('mount', ['--bind', debs, join(this.dir, 'var/cache/apt/archives')]);
    this.mounts.unshift(join(this.dir, 'var/cache/apt/archives'));
  }

  /** Runs `cmd` inside the root as root (or as `user`), with a clean environment plus `env`. */
  exec(cmd: string, args: string[] = [], o: { user?: string; env?: Record<string, string>; input?: string; offline?: boolean } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
    const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8', ...this.networkEnv(), ...o.env };
    const chroot = o.user ? ['--userspec', `${o.user}:${o.user}`, this.dir] : [this.dir];
    const line = ['chroot', ...chroot, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), cmd, ...args];
    // offline: a network namespace of its own, with nothing in it but loopback (a venue with no uplink).
    return o.offline ? sh('unshare', ['--net', ...line], { input: o.input }) : sh(line[0]!, line.slice(1), { input: o.input });
  }

  /** Same as {@link exec}, but spawns and returns the child (long-running processes). */
  spawn(cmd: string, args: string[], o: { user?: string; env?: Record<string, string>; cwd?: string } = {}): ReturnType<typeof spawn> {
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...o.env };
    const chroot = o.user ? ['--userspec', `${o.user}:${o.user}`, this.dir] : [this.dir];
    const line = `cd ${o.cwd ?? '/'} && exec "$@"`;
    return spawn('chroot', [...chroot, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', '-c', line, 'sh', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  }

  /** Node keeps its own CA list: when this machine adds CAs, Node in the root reads the system bundle too. */
  private networkEnv(): Record<string, string> {
    return process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } : {};
  }

  /** Copies the checkout's tracked files and its dist/ build to `dest` inside the root. */
  async copyRepo(repo: string, dest: string): Promise<void> {
    const target = join(this.dir, dest);
    await mkdir(target, { recursive: true });
    const files = await run('git', ['-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { maxBuffer: 16 << 20 });
    const list = files.stdout.split('\0').filter((f) => f && existsSync(join(repo, f)));
    const pack = await sh('tar', ['-C', repo, '--null', '-T', '-', '-cf', join(this.dir, 'tmp/relais-src.tar')], { input: list.join('\0') + '\0' });
    if (pack.code !== 0) throw new Error(`tar of the checkout failed: ${pack.stderr}`);
    await run('tar', ['-xf', join(this.dir, 'tmp/relais-src.tar'), '-C', target]);
    await run('cp', ['-a', join(repo, 'dist'), target]);
    await rm(join(this.dir, 'tmp/relais-src.tar'));
  }

  /** Unmounts, then deletes the root, but never while anything is still mounted in it (/dev is the host's). */
  async destroy(): Promise<void> {
    for (const m of this.mounts) await run('umount', [m]).catch(() => run('umount', ['-l', m]).catch(() => undefined));
    this.mounts = [];
    const mounted = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '');
    const left = mounted.filter((m) => m === this.dir || m.startsWith(this.dir + '/'));
    if (left.length) throw new Error(`not deleting ${this.dir}: still mounted: ${left.join(', ')}`);
    await rm(this.dir, { recursive: true, force: true });
  }
}
