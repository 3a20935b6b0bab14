/**
 * The 8-byte header of Sony's VISCA over IP (UDP 52381): payload type,
 * payload length and a 32-bit sequence number, all big-endian.
 */

export const DEFAULT_VISCA_IP_PORT = 52381;
/** Raw VISCA over TCP (no VISCA over IP header): the port PTZOptics and many Chinese-made cameras listen on. */
export const DEFAULT_TCP_PORT = 5678;

export const PAYLOAD_TYPE = {
  command: 0x0100,
  inquiry: 0x0110,
  reply: 0x0111,
  deviceSetting: 0x0120,
  control: 0x0200,
  controlReply: 0x0201,
} as const;

/** Control payloads: RESET (sent and acknowledged), and the two error answers. */
export const CONTROL = {
  reset: 0x01,
  /** `0F 01`: sequence number abnormal. */
  errorSequence: 0x0f01,
  /** `0F 02`: message (type) abnormal. */
  errorMessage: 0x0f02,
} as const;

export interface IpMessage {
  type: number;
  seq: number;
  payload: Uint8Array;
}

export const HEADER_BYTES = 8;
/** VISCA payloads are at most 16 bytes. */
export const MAX_IP_PAYLOAD = 16;

export function encodeIp(type: number, seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(payload.length, 2);
  out.writeUInt32BE(seq >>> 0, 4);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Reads one datagram; `null` when it is too short, too long or its length field disagrees. Never throws. */
export function decodeIp(datagram: Uint8Array): IpMessage | null {
  if (datagram.length < HEADER_BYTES + 1) return null;
  const view = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const length = view.readUInt16BE(2);
  if (length < 1 || length > MAX_IP_PAYLOAD || length !== datagram.length - HEADER_BYTES) return null;
  return { type: view.readUInt16BE(0), seq: view.readUInt32BE(4), payload: new Uint8Array(datagram.subarray(HEADER_BYTES)) };
}
