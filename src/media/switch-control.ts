/**
 * How a switch command reaches the room switcher's ffmpeg.
 *
 * ffmpeg reads its stdin once every 100 ms (the keyboard poll of its main
 * loop), so a command written there waits 50 ms on average and up to 100 ms.
 * The `zmq` (pictures) and `azmq` (sound) filters instead take commands at
 * every frame that passes them: placed after `streamselect` and
 * `astreamselect`, each takes its switch at the next frame of its own stream
 * (a few milliseconds, the on-air feed's next picture at most). Each filter
 * runs its own ZeroMQ REP socket (here on a Unix socket in the display's
 * directory); this module holds the two REQ ends.
 *
 * The ZeroMQ binding (the `zeromq` package, a native addon with prebuilt
 * binaries for Linux x64 and arm64) is an optional dependency and ffmpeg
 * builds without libzmq exist: when either is missing the switcher falls back
 * to stdin ({@link controlAvailable}). Nothing else knows about ZeroMQ.
 */
import { join } from 'node:path';
import { filterArg, graphEscape } from './command.js';
import { runFfmpeg } from './ffmpeg.js';

/** The two sockets of one switcher process: `ipc://` endpoints. */
export interface ControlEndpoints {
  video: string;
  audio: string;
}

/** A Unix socket's path must fit `sun_path` (108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** The endpoints for process number `n` of a display whose files live in `dir`; null if the path is too long for a Unix socket. */
export function controlEndpoints(dir: string, n: number): ControlEndpoints | null {
  const video = join(dir, `switch-${n}-v.sock`);
  const audio = join(dir, `switch-${n}-a.sock`);
  if (Buffer.byteLength(video) > MAX_SOCKET_PATH) return null;
  return { video: `ipc://${video}`, audio: `ipc://${audio}` };
}

/** The filter that takes commands for `kind`'s stream, to follow its select filter in the graph. */
export function controlFilter(kind: 'video' | 'audio', endpoint: string): string {
  return `${kind === 'video' ? 'zmq' : 'azmq'}=${graphEscape(filterArg(`bind_address=${endpoint}`))}`;
}

/** The message that puts input `index` on screen, for `kind`'s select filter (the first filter of that name in the graph takes it). */
export function controlMessage(kind: 'video' | 'audio', index: number): string {
  return `${kind === 'video' ? 'streamselect' : 'astreamselect'} map ${index}`;
}

/** What this module uses of the binding (typed here: the package may be absent when this is built). */
interface ZmqRequest {
  connect(endpoint: string): void;
  send(message: string): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): void;
}
interface ZmqModule {
  Request: new (options: { relaxed: boolean; correlate: boolean; linger: number; receiveTimeout: number; sendTimeout: number }) => ZmqRequest;
}
const ZMQ_PACKAGE = 'zeromq';
let zmqModule: Promise<ZmqModule | null> | null = null;

/** The ZeroMQ binding, or null when it is not installed or does not load on this machine. */
function loadZmq(): Promise<ZmqModule | null> {
  zmqModule ??= (import(ZMQ_PACKAGE) as Promise<ZmqModule>).then(
    (m) => (typeof m.Request === 'function' ? m : null),
    () => null,
  );
  return zmqModule;
}

const filterChecks = new Map<string, Promise<boolean>>();

/** Whether `ffmpeg` has both filters (a build without libzmq has neither). */
export function ffmpegHasControlFilters(ffmpeg: string): Promise<boolean> {
  let check = filterChecks.get(ffmpeg);
  if (!check) {
    check = runFfmpeg(ffmpeg, ['-hide_banner', '-filters']).then(({ code, stdout }) => code === 0 && /^\s*\S+\s+zmq\s/m.test(stdout) && /^\s*\S+\s+azmq\s/m.test(stdout));
    filterChecks.set(ffmpeg, check);
  }
  return check;
}

/** Why the switcher uses stdin (null: it can use ZeroMQ). */
export async function controlAvailable(ffmpeg: string): Promise<null | 'no-binding' | 'no-filters'> {
  if (!(await loadZmq())) return 'no-binding';
  if (!(await ffmpegHasControlFilters(ffmpeg))) return 'no-filters';
  return null;
}

/** What a switch command got back from the filters. */
export interface ControlReply {
  video: string;
  audio: string;
}

/**
 * The REQ ends of one switcher process's two sockets. A command sent before
 * ffmpeg has bound them waits in ZeroMQ's queue and goes when it has. A
 * command that overtakes an unanswered one replaces it (the `relaxed` REQ):
 * the last switch is the one that counts.
 */
export class ZmqSwitch {
  private sockets: Promise<{ video: ZmqRequest; audio: ZmqRequest } | null>;
  private closed = false;

  constructor(
    endpoints: ControlEndpoints,
    /** How long a command waits for its answer before it is given up. */
    private readonly timeoutMs = 2000,
  ) {
    this.sockets = loadZmq().then((zmq) => {
      if (!zmq || this.closed) return null;
      const open = (endpoint: string): ZmqRequest => {
        const s = new zmq.Request({ relaxed: true, correlate: true, linger: 0, receiveTimeout: this.timeoutMs, sendTimeout: this.timeoutMs });
        s.connect(endpoint);
        return s;
      };
      return { video: open(endpoints.video), audio: open(endpoints.audio) };
    });
  }

  /** Sends the switch to input `index` to both filters at once; resolves with their answers ("0 Success"). */
  async select(index: number): Promise<ControlReply> {
    const s = await this.sockets;
    if (!s || this.closed) throw new Error('the switch control is closed');
    const ask = async (socket: ZmqRequest, message: string): Promise<string> => {
      await socket.send(message);
      const [reply] = await socket.receive();
      return reply!.toString();
    };
    const [video, audio] = await Promise.all([ask(s.video, controlMessage('video', index)), ask(s.audio, controlMessage('audio', index))]);
    return { video, audio };
  }

  close(): void {
    this.closed = true;
    void this.sockets.then((s) => {
      s?.video.close();
      s?.audio.close();
    });
  }
}
