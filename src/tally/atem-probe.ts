/**
 * One ATEM opening handshake, by hand, to learn why a switcher does not let
 * relais in: accepted (then closed again at once, to give the slot back),
 * rejected (every client slot taken), or no answer. atem-connection itself
 * does not read the reject opcode, so the source and `relais doctor` ask here.
 */
import dgram from 'node:dgram';
import { t } from '../i18n/index.js';

export type AtemProbeResult = 'accepted' | 'rejected' | 'silent';

const HELLO_SESSION = 0x1234;

function syn(session: number, opcode: number): Buffer {
  const out = Buffer.alloc(20);
  out.writeUInt16BE((0x10 << 8) | 20, 0);
  out.writeUInt16BE(session, 2);
  out[12] = opcode;
  return out;
}

export async function probeAtem(host: string, port = 9910, timeoutMs = 1500): Promise<AtemProbeResult> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<AtemProbeResult>((resolve, reject) => {
      const timer = setTimeout(() => resolve('silent'), timeoutMs);
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('message', (msg) => {
        if (msg.length < 20 || !(msg[0]! & 0x10)) return;
        clearTimeout(timer);
        if (msg[12] === 0x02) {
          // Give the slot back: a close with the server-assigned session.
          socket.send(syn(0x8000 | msg.readUInt16BE(14), 0x04), port, host, () => resolve('accepted'));
        } else {
          resolve('rejected');
        }
      });
      socket.send(syn(HELLO_SESSION, 0x01), port, host);
    });
  } finally {
    socket.close();
  }
}

/** What to tell the technician for a probe result. */
export function atemTrouble(result: AtemProbeResult, host: string, port: number): string {
  switch (result) {
    case 'rejected':
      return t('switcher.atemRejected', { host, port });
    case 'silent':
      return t('switcher.atemSilent', { host, port });
    case 'accepted':
      return t('switcher.atemMute', { host, port });
  }
}
