/**
 * VISCA costs: software time per command (encode + parse of its ACK and
 * completion) beside the wire time of its bytes at 9600 baud, and preset
 * recall round trips against the simulator over a real pty pair, UDP and TCP.
 * Run: npx tsx bench/visca.ts
 */
import * as v from '../src/ptz/commands.js';
import { ViscaIpLink } from '../src/ptz/ip-link.js';
import { ViscaReplyParser } from '../src/ptz/parser.js';
import { createSerialLink } from '../src/ptz/serial-link.js';
import type { ViscaLink } from '../src/ptz/link.js';
import { createTcpLink } from '../src/ptz/tcp-link.js';
import { openPtyPair } from '../src/sim/pty.js';
import { SerialSim, TcpSim, UdpSim } from '../src/sim/servers.js';

const SOFTWARE_RUNS = 20_000;
const ROUND_TRIPS = 300;
const BAUD = 9600;
const BITS_PER_BYTE = 10; // start + 8 data + stop

function stats(samplesNs: number[]): { median: number; p99: number } {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

const wireMs = (bytes: number): number => (bytes * BITS_PER_BYTE * 1000) / BAUD;
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function software(): void {
  const cases: Array<[string, () => v.ViscaCommand<unknown>, number[]]> = [
    ['preset recall', () => v.presetRecall(7), [0x90, 0x41, 0xff, 0x90, 0x51, 0xff]],
    ['pan-tilt drive', () => v.drive('up-left', { pan: 0x10, tilt: 0x0a }), [0x90, 0x41, 0xff, 0x90, 0x51, 0xff]],
    ['absolute position', () => v.absolutePosition(-1200, 300), [0x90, 0x42, 0xff, 0x90, 0x52, 0xff]],
    ['pan-tilt inquiry', () => v.inquirePosition(), [0x90, 0x50, 0x0f, 0x0b, 0x05, 0x00, 0x00, 0x01, 0x02, 0x0c, 0xff]],
  ];
  for (const [name, make, replyBytes] of cases) {
    const reply = Uint8Array.from(replyBytes);
    const parser = new ViscaReplyParser();
    const samples: number[] = [];
    let sink = 0;
    for (let i = 0; i < SOFTWARE_RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const cmd = make();
      const bytes = v.frame(1, cmd);
      const replies = parser.push(reply);
      const last = replies[replies.length - 1];
      if (cmd.decode && last?.type === 'completion') sink += JSON.stringify(cmd.decode(last.data)).length;
      sink += bytes.length;
      samples.push(Number(process.hrtime.bigint() - t0));
    }
    const s = stats(samples);
    const sent = v.frame(1, make()).length;
    console.log(JSON.stringify({
      bench: 'visca-software', command: name, runs: SOFTWARE_RUNS,
      medianUs: round(s.median / 1000), p99Us: round(s.p99 / 1000),
      bytesOut: sent, bytesIn: reply.length,
      wireMsAt9600: round(wireMs(sent + reply.length)), sink: sink > 0,
    }));
  }
}

async function roundTrips(label: string, link: ViscaLink, address: number): Promise<void> {
  await link.open();
  await link.send(address, v.presetStore(1)); // recall to where the camera is: a zero-length move
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t0 = process.hrtime.bigint();
    await link.send(address, v.presetRecall(1));
    samples.push(Number(process.hrtime.bigint() - t0));
  }
  await link.close();
  const s = stats(samples);
  const bytes = 7 + 3 + 3;
  console.log(JSON.stringify({
    bench: 'visca-preset-recall-round-trip', transport: label, runs: ROUND_TRIPS,
    medianMs: round(s.median / 1e6), p99Ms: round(s.p99 / 1e6),
    ...(label.startsWith('serial') ? { realWireMsAt9600: round(wireMs(bytes)) } : {}),
  }));
}

software();

const pty = await openPtyPair();
const serialSim = new SerialSim(pty.b, 1, { minMoveMs: 0, msPerUnit: 0 });
await serialSim.start();
try {
  await roundTrips('serial (pty, simulated camera, no baud delay)', createSerialLink(pty.a), 1);
} finally {
  await serialSim.stop();
  await pty.close();
}

const udp = new UdpSim(0, '127.0.0.1', { minMoveMs: 0, msPerUnit: 0 });
await udp.start();
await roundTrips('visca-ip (udp loopback)', new ViscaIpLink('127.0.0.1', udp.address.port), 1).finally(() => udp.stop());

const tcp = new TcpSim(0, '127.0.0.1', { minMoveMs: 0, msPerUnit: 0 });
await tcp.start();
await roundTrips('tcp (loopback)', createTcpLink('127.0.0.1', tcp.address.port), 1).finally(() => tcp.stop());
