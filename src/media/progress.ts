/**
 * Parser of ffmpeg's `-progress` output (pure). ffmpeg writes blocks of
 * `key=value` lines, each block closed by `progress=continue` or
 * `progress=end`; one block is one sample of the live figures.
 */

export interface ProgressSample {
  frame: number;
  fps: number;
  /** kbit/s, or null while ffmpeg reports `N/A`. */
  bitrateKbps: number | null;
  /** Encoding speed relative to real time (1 = keeping up). */
  speed: number | null;
  dropFrames: number;
  dupFrames: number;
  /** Output time in seconds. */
  outTime: number | null;
  end: boolean;
}

function num(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

/** Feed it chunks of stdout; it calls `onSample` for each complete block. */
export class ProgressParser {
  private pending = '';
  private fields = new Map<string, string>();

  constructor(private readonly onSample: (sample: ProgressSample) => void) {}

  push(chunk: string): void {
    this.pending += chunk;
    // A block is a few hundred bytes; anything far larger is not progress output.
    if (this.pending.length > 64 * 1024) this.pending = this.pending.slice(-4096);
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).trim();
      this.pending = this.pending.slice(nl + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      if (this.fields.size < 64) this.fields.set(key, value);
      return;
    }
    const f = this.fields;
    this.fields = new Map();
    const outUs = num(f.get('out_time_us') ?? f.get('out_time_ms'));
    this.onSample({
      frame: num(f.get('frame')) ?? 0,
      fps: num(f.get('fps')) ?? 0,
      bitrateKbps: num(f.get('bitrate')?.replace(/kbits\/s$/, '')),
      speed: num(f.get('speed')?.replace(/x$/, '')),
      dropFrames: num(f.get('drop_frames')) ?? 0,
      dupFrames: num(f.get('dup_frames')) ?? 0,
      outTime: outUs === null ? null : outUs / 1e6,
      end: value === 'end',
    });
  }
}
