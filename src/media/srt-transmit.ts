/**
 * The srt-live-transmit edge (Debian's srt-tools): the only module that
 * spawns it. One process carries one SRT connection to or from a local UDP
 * port and prints SRT's own statistics as JSON lines on stdout; it looks like
 * an encoder process to the supervisor (a "frame" is a packet), so a silent
 * connection is restarted the same way a stalled encoder is.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import { eachLine } from '../util/lines.js';
import type { EncoderProcess, EncoderProcessEvents, ExitInfo } from './ffmpeg.js';
import { parseSrtStats, type SrtStatsSample } from './srt.js';

/** `RELAIS_SRT_LIVE_TRANSMIT`, else `srt-live-transmit` from PATH. */
export function srtTransmitBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.RELAIS_SRT_LIVE_TRANSMIT || 'srt-live-transmit';
}

export interface SrtTransmitOptions {
  binary?: string;
  /** Where the stream comes from: `srt://...` or `udp://127.0.0.1:PORT`. */
  input: string;
  /** Where it goes. */
  output: string;
  /** One stats line every this many packets (see statsEveryPackets). */
  statsEveryPackets: number;
  onStats?: (sample: SrtStatsSample) => void;
}

class SrtTransmitProcess extends EventEmitter<EncoderProcessEvents> implements EncoderProcess {
  exited = false;
  exitInfo: ExitInfo | null = null;
  pid: number | undefined;
  private readonly tail: string[] = [];
  private packets = 0;
  private kill_: (signal: NodeJS.Signals) => void = () => undefined;

  start(o: SrtTransmitOptions): void {
    const binary = o.binary ?? srtTransmitBinary();
    const args = [`-s:${o.statsEveryPackets}`, '-pf:json', '-loglevel:warn', o.input, o.output];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = child.pid;
    this.kill_ = (signal) => {
      try {
        child.kill(signal);
      } catch {
        // gone already: the exit event follows
      }
    };
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      pending = (pending + d).slice(-65_536);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const sample = parseSrtStats(line);
        if (sample) this.onSample(sample, o);
      }
    });
    eachLine(child.stderr, (line) => this.stderrLine(line));
    child.on('error', (err: NodeJS.ErrnoException) => this.finish({ code: null, signal: null, spawnError: `${binary}: ${err.code ?? err.message} (install srt-tools or set RELAIS_SRT_LIVE_TRANSMIT)`, stderrTail: [] }));
    child.on('exit', (code, signal) => this.finish({ code, signal, spawnError: null, stderrTail: [...this.tail] }));
  }

  private onSample(sample: SrtStatsSample, o: SrtTransmitOptions): void {
    this.packets += sample.received.packets + sample.sent.packets;
    o.onStats?.(sample);
    const kbps = Math.max(sample.received.mbitRate, sample.sent.mbitRate) * 1000;
    this.emit('progress', { frame: this.packets, fps: 0, bitrateKbps: kbps, speed: null, dropFrames: sample.received.dropped + sample.sent.dropped, dupFrames: 0, outTime: sample.timeMs / 1000, end: false });
  }

  private stderrLine(line: string): void {
    if (!line.trim()) return;
    this.tail.push(line);
    if (this.tail.length > 20) this.tail.shift();
    this.emit('stderr', line);
  }

  private finish(info: ExitInfo): void {
    if (this.exited) return;
    this.exited = true;
    this.exitInfo = info;
    this.emit('exit', info);
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.kill_(signal);
  }
}

/** Starts one srt-live-transmit; resolves at once with its handle (a spawn failure arrives as `exit`). */
export function launchSrtTransmit(o: SrtTransmitOptions): Promise<EncoderProcess> {
  const proc = new SrtTransmitProcess();
  proc.start(o);
  return Promise.resolve(proc);
}

/** A free UDP port on loopback right now (the kernel picks it). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
