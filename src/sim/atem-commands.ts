/**
 * The few ATEM commands the emulator sends, as bytes: an 8-byte header (u16
 * length including it, u16 zero, four ASCII letters) and the fields at the
 * offsets atem-connection and the ATEM's own clients read them.
 */

export function atemCommand(name: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(8 + payload.length, 0);
  head.write(name, 4, 4, 'ascii');
  return Buffer.concat([head, payload]);
}

/** Protocol 2.30 (firmware 8.1.1): what an ATEM Mini on current firmware reports. */
export const ATEM_PROTOCOL_V8_1_1 = 0x0002001e;

export function versionCommand(version = ATEM_PROTOCOL_V8_1_1): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(version, 0);
  return atemCommand('_ver', p);
}

export function productCommand(name: string, model: number): Buffer {
  const p = Buffer.alloc(44);
  p.write(name.slice(0, 39), 0, 'latin1');
  p[40] = model;
  return atemCommand('_pin', p);
}

/** Topology: one M/E, `sources` inputs, one DSK, no aux, one SuperSource (protocol ≥ 8.0.1 layout). */
export function topologyCommand(sources: number): Buffer {
  const p = Buffer.alloc(24);
  p[0] = 1; // mix effects
  p[1] = sources;
  p[2] = 1; // downstream keyers
  p[11] = 1; // supersources (10 + 1 for protocol > 8.0.1)
  return atemCommand('_top', p);
}

export function inputPropertiesCommand(input: number, longName: string, shortName: string): Buffer {
  const p = Buffer.alloc(36);
  p.writeUInt16BE(input, 0);
  p.write(longName.slice(0, 19), 2, 'latin1');
  p.write(shortName.slice(0, 4), 22, 'latin1');
  p[26] = 0; // names set by the user, not the defaults
  p.writeUInt16BE(1, 28); // SDI / HDMI port available
  p.writeUInt16BE(1, 30);
  p[32] = 0; // external input
  p[34] = 0x1f; // available everywhere
  p[35] = 0x01; // on M/E 1
  return atemCommand('InPr', p);
}

export function programInputCommand(me: number, source: number): Buffer {
  const p = Buffer.alloc(4);
  p[0] = me;
  p.writeUInt16BE(source, 2);
  return atemCommand('PrgI', p);
}

export function previewInputCommand(me: number, source: number): Buffer {
  const p = Buffer.alloc(8);
  p[0] = me;
  p.writeUInt16BE(source, 2);
  return atemCommand('PrvI', p);
}

/** Tally by source: the switcher's own verdict, keys and SuperSource boxes included. */
export function tallyBySourceCommand(tally: ReadonlyMap<number, { program: boolean; preview: boolean }>): Buffer {
  const p = Buffer.alloc(2 + tally.size * 3);
  p.writeUInt16BE(tally.size, 0);
  let at = 2;
  for (const [source, t] of tally) {
    p.writeUInt16BE(source, at);
    p[at + 2] = (t.program ? 1 : 0) | (t.preview ? 2 : 0);
    at += 3;
  }
  return atemCommand('TlSr', p);
}

export function initCompleteCommand(): Buffer {
  return atemCommand('InCm', Buffer.alloc(4));
}
