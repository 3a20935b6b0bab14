/**
 * Reads a cut of an MPEG-TS stream (any 188-byte boundary, starting anywhere)
 * down to the H.264 NAL unit types of each video access unit: enough to tell
 * whether a player joining at that point finds the SPS/PPS before a key frame.
 */
const TS = 188;

/** NAL unit types of H.264 (ITU-T H.264 table 7-1) that matter here. */
export const NAL = { slice: 1, idr: 5, sei: 6, sps: 7, pps: 8, aud: 9 } as const;

interface TsPacket {
  pid: number;
  start: boolean;
  payload: Buffer;
}

function packets(cut: Buffer): TsPacket[] {
  // The cut may begin inside a packet: find the first offset where sync bytes repeat.
  let offset = 0;
  while (offset < TS && !(cut[offset] === 0x47 && cut[offset + TS] === 0x47 && cut[offset + 2 * TS] === 0x47)) offset += 1;
  const out: TsPacket[] = [];
  for (; offset + TS <= cut.length; offset += TS) {
    if (cut[offset] !== 0x47) continue;
    const b1 = cut[offset + 1]!;
    const b3 = cut[offset + 3]!;
    const control = (b3 >> 4) & 3;
    if ((control & 1) === 0) continue; // no payload
    let at = offset + 4;
    if (control === 3) at += 1 + cut[at]!;
    if (at >= offset + TS) continue;
    out.push({ pid: ((b1 & 0x1f) << 8) | cut[offset + 2]!, start: (b1 & 0x40) !== 0, payload: cut.subarray(at, offset + TS) });
  }
  return out;
}

/** MPEG-TS stream types (ISO/IEC 13818-1 table 2-34) of the box's streams. */
const STREAM_TYPE = { h264: 0x1b, aac: 0x0f } as const;

/** PID of the H.264 stream from the PAT/PMT in the cut (ffmpeg repeats them), or null. */
function videoPid(list: TsPacket[]): number | null {
  return streamPid(list, STREAM_TYPE.h264);
}

/** PID of the first stream of `streamType` from the PAT/PMT in the cut, or null. */
function streamPid(list: TsPacket[], streamType: number): number | null {
  const pmtPids = new Set<number>();
  for (const p of list) {
    if (p.pid === 0 && p.start) {
      const section = p.payload.subarray(1 + p.payload[0]!);
      const length = ((section[1]! & 0x0f) << 8) | section[2]!;
      for (let i = 8; i + 4 <= 3 + length - 4; i += 4) {
        const program = (section[i]! << 8) | section[i + 1]!;
        if (program !== 0) pmtPids.add(((section[i + 2]! & 0x1f) << 8) | section[i + 3]!);
      }
    } else if (pmtPids.has(p.pid) && p.start) {
      const section = p.payload.subarray(1 + p.payload[0]!);
      const length = ((section[1]! & 0x0f) << 8) | section[2]!;
      const infoLength = ((section[10]! & 0x0f) << 8) | section[11]!;
      for (let i = 12 + infoLength; i + 5 <= 3 + length - 4; ) {
        const type = section[i]!;
        const pid = ((section[i + 1]! & 0x1f) << 8) | section[i + 2]!;
        if (type === streamType) return pid;
        i += 5 + (((section[i + 3]! & 0x0f) << 8) | section[i + 4]!);
      }
    }
  }
  return null;
}

/** The NAL unit types of one Annex B buffer, in order. */
export function nalTypes(es: Buffer): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < es.length; i += 1) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1) {
      types.push(es[i + 3]! & 0x1f);
      i += 3;
    }
  }
  return types;
}

/** Every complete PES of the cut's `kind` stream: its length field (0: not written) and its payload. */
export function pesPackets(cut: Buffer, kind: keyof typeof STREAM_TYPE): Array<{ lengthField: number; payload: Buffer }> {
  const list = packets(cut);
  const pid = streamPid(list, STREAM_TYPE[kind]);
  if (pid === null) throw new Error(`no ${kind} stream in the ${cut.length}-byte cut (no PAT/PMT naming one)`);
  const out: Array<{ lengthField: number; payload: Buffer }> = [];
  let current: Buffer[] | null = null;
  for (const p of list) {
    if (p.pid !== pid) continue;
    if (p.start) {
      const pes = current && Buffer.concat(current);
      if (pes && pes.length > 9 && pes[0] === 0 && pes[1] === 0 && pes[2] === 1) out.push({ lengthField: pes.readUInt16BE(4), payload: pes.subarray(9 + pes[8]!) });
      current = [p.payload];
    } else current?.push(p.payload);
  }
  // The last PES may be cut short: left out.
  return out;
}

/** How many whole ADTS frames (AAC, ISO/IEC 14496-3 1.A.2) one buffer holds, walking their lengths; -1 when it is not ADTS. */
export function adtsFrames(es: Buffer): number {
  let count = 0;
  for (let at = 0; at < es.length; count += 1) {
    if (at + 7 > es.length || es[at] !== 0xff || (es[at + 1]! & 0xf0) !== 0xf0) return -1;
    const length = ((es[at + 3]! & 0x03) << 11) | (es[at + 4]! << 3) | (es[at + 5]! >> 5);
    if (length < 7) return -1;
    at += length;
  }
  return count;
}

/** The NAL types of each complete video access unit (one PES each, as ffmpeg writes them) in the cut. */
export function accessUnits(cut: Buffer): number[][] {
  const list = packets(cut);
  const pid = videoPid(list);
  if (pid === null) throw new Error(`no H.264 stream in the ${cut.length}-byte cut (no PAT/PMT naming one)`);
  const units: number[][] = [];
  let current: Buffer[] | null = null;
  const flush = (): void => {
    if (!current) return;
    const pes = Buffer.concat(current);
    // PES header: 00 00 01 id, length (2), flags (2), header length (1), header data.
    if (pes.length > 9 && pes[0] === 0 && pes[1] === 0 && pes[2] === 1) units.push(nalTypes(pes.subarray(9 + pes[8]!)));
  };
  for (const p of list) {
    if (p.pid !== pid) continue;
    if (p.start) {
      flush();
      current = [p.payload];
    } else current?.push(p.payload);
  }
  // The last unit may be cut short: leave it out.
  return units;
}

/** Key frames in the cut, and how many of them carry SPS and PPS before their first IDR slice. */
export function keyFrameHeaders(cut: Buffer): { keyFrames: number; withHeaders: number; units: number } {
  const units = accessUnits(cut);
  let keyFrames = 0;
  let withHeaders = 0;
  for (const types of units) {
    const idr = types.indexOf(NAL.idr);
    if (idr < 0) continue;
    keyFrames += 1;
    const before = types.slice(0, idr);
    if (before.includes(NAL.sps) && before.includes(NAL.pps)) withHeaders += 1;
  }
  return { keyFrames, withHeaders, units: units.length };
}
