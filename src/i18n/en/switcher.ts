/** The network tally sources' troubles in English: the same keys as fr/switcher.ts. */
import type { switcher as fr } from '../fr/switcher.js';
import type { Translation } from './shape.js';

export const switcher: Translation<typeof fr> = {
  atemRejected: 'the ATEM {{host}}:{{port}} refuses the connection: every client slot is taken (5 on an ATEM Mini); close an ATEM Software Control, Companion or another tally reader',
  atemSilent: 'no answer from the ATEM {{host}}:{{port}}: wrong IP address, ATEM off or another network (network settings in ATEM Setup)',
  atemMute: 'the ATEM {{host}}:{{port}} accepts the connection but does not send its state: restart the ATEM',
  refused: 'connection refused by {{where}}: the software does not listen on that port (setting enabled? right port?) [ECONNREFUSED]',
  unreachable: '{{where}} unreachable: wrong IP address or another network [{{code}}]',
  timedOut: '{{where}} does not answer: wrong IP address, device off or a firewall [ETIMEDOUT]',
  unknownHost: 'unknown host name: {{host}} [ENOTFOUND]',
  closed: '{{where}} closed the connection',
  obsPassword: 'OBS {{where}} refuses the password: check it in OBS, Tools > WebSocket Server Settings [4009]',
  obsVersion: 'OBS {{where}} does not speak version 1 of the obs-websocket protocol: OBS 28 or newer needed [4010]',
  obsSessionClosed: 'OBS {{where}} closed the session [4011]',
  obsNoAnswer: 'OBS {{where}} does not answer: is OBS running? WebSocket server enabled (Tools > WebSocket Server Settings)? right port? [{{code}}]',
  obsTimeout: 'OBS {{where}} does not answer in time',
  tslListen: 'cannot listen for TSL: {{reason}}',
  tslNothing: 'no TSL packet received',
  tslTcpClosed: 'the TSL sender closed the TCP connection',
  tslSilent: 'no TSL packet for {{ms}} ms',
  vmixRefused: 'vMix refuses TALLY: {{reason}}',
  vmixSilent: 'vMix silent for {{ms}} ms: link dropped, trying again',
};
