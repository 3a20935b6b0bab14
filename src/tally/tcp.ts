/**
 * One TCP dial for the sources that own their socket (vMix, TSL 5.0 over TCP):
 * resolves once connected, rejects with a message a technician can act on.
 */
import net from 'node:net';
import type { OpenLink } from './redial.js';
import { t } from '../i18n/index.js';

export interface TcpLink extends OpenLink {
  write(bytes: string | Uint8Array): void;
  /** Drops the link, `closed` giving `reason` (garbage from the peer, a silent peer). */
  closeWith(reason: Error): void;
}

/** Plain words for the usual socket errors (the raw code stays in brackets). */
export function socketTrouble(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return t('switcher.refused', { where });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return t('switcher.unreachable', { where, code: err.code });
    case 'ETIMEDOUT':
      return t('switcher.timedOut', { where });
    case 'ENOTFOUND':
      return t('switcher.unknownHost', { host });
    default:
      return `${where}${t('punct.colon')}${err.message}`;
  }
}

export function dialTcp(host: string, port: number, timeoutMs: number, onData: (chunk: Buffer) => void): Promise<TcpLink> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const timeout = setTimeout(() => {
      socket.destroy();
      reject(new Error(socketTrouble(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), host, port)));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timeout);
      reject(new Error(socketTrouble(err, host, port)));
    });
    socket.once('connect', () => {
      clearTimeout(timeout);
      socket.removeAllListeners('error');
      let lastError: Error | null = null;
      socket.on('error', (err) => (lastError = new Error(socketTrouble(err, host, port))));
      socket.on('data', onData);
      let ended = false;
      socket.once('end', () => (ended = true));
      const closed = new Promise<Error | null>((done) => {
        socket.once('close', () => done(lastError ?? (ended ? new Error(t('switcher.closed', { where: `${host}:${port}` })) : null)));
      });
      resolve({
        closed,
        close: () => socket.destroy(),
        closeWith: (reason) => {
          lastError ??= reason;
          socket.destroy();
        },
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
      });
    });
  });
}
