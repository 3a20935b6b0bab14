/** The box's warn and error log lines in English: the same keys as fr/logs.ts. */
import type { logs as fr } from '../fr/logs.js';
import type { Translation } from './shape.js';

export const logs: Translation<typeof fr> = {
  brokerError: 'broker error',
  brokerLinkDown: 'broker link down; retrying',
  brokerSlow: 'broker slow to acknowledge; going on',
  featureFailed: 'feature {{feature}} did not start; the box runs on without it',
  badPayload: 'dropped a bad payload',
  pressNoAnswer: 'no answer from the conductor to a press',
  pressTooOld: 'dropped a press made while the link was down (too old)',
  encoderEnded: 'encoder ended',
  encoderStalled: 'encoder stalled, restarting',
  feedNotStarted: 'room feed not started',
  srtUplinkEnded: 'SRT uplink ended',
  noFontPattern: 'no font found for the site name and clock; the test pattern is sent without text (install fonts-dejavu-core)',
  noFontSlate: 'no font found for the slate text; the slate is a plain colour (install fonts-dejavu-core)',
  displayFailed: 'display player could not start; check display.player / display.slate',
  displayEnded: 'display player ended; starting it again',
  firmataLost: 'firmata board on {{port}} lost; reopening it, lamps are set back and inputs re-read once it answers',
  firmataStopped: 'firmata reconnect stopped',
  firmataPinMissing: 'firmata pin missing on the reconnected board',
  loginRefused: 'login refused',
  publishRefused: 'publish refused',
  subscribeRefused: 'subscribe refused',
  socatMissing: 'cannot start socat for sd_notify; install the Debian package "socat"',
  unhealthy: 'unhealthy: withholding watchdog ping, systemd will restart the service',
  fenced: 'fenced: another conductor holds a newer term; stepping down',
};
