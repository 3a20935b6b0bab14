/** Free loopback ports for a bench's listeners (the kernel picks them, then lets go of them). */
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

export async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'udp') {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const { port } = socket.address();
    await new Promise<void>((r) => socket.close(() => r()));
    return port;
  }
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `count` consecutive UDP ports free on loopback, from a kernel-chosen start. */
export async function freeUdpBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const sockets = [];
    let ok = true;
    for (let p = base; p < base + count && ok; p += 1) {
      const s = dgram.createSocket('udp4');
      s.on('error', () => (ok = false));
      s.bind(p, '127.0.0.1');
      await Promise.race([once(s, 'listening'), once(s, 'error')]).catch(() => undefined);
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } })));
    if (ok) return base;
  }
  throw new Error('no block of free UDP ports');
}
