/** Pure parts of the room feed: encoder flags, command plan, progress parser, signing, config errors. */
import assert from 'node:assert/strict';
import { buildEncoderPlan, drawtextLiteral, planArgs } from '../../src/media/command.js';
import { parseDisplayConfig, parseEncoderConfig, parseRelayConfig } from '../../src/media/config.js';
import { ENCODER_NAMES } from '../../src/media/config.js';
import { encoderArgs } from '../../src/media/encoders.js';
import { ProgressParser, type ProgressSample } from '../../src/media/progress.js';
import { redactSign, signature, signPublishUrl, verifyPublishSign } from '../../src/media/sign.js';

const tuning = { fps: 25, bitrateKbps: 2000, keyframeSeconds: 2 };
const secret = '0123456789abcdef0123';
const base = { output: { kind: 'rtmp', secret } };

describe('media: encoder flags', () => {
  it('h264_v4l2m2m (Pi 4): yuv420p, -b:v, key frames forced by time, never -g', () => {
    const a = encoderArgs('h264_v4l2m2m', tuning);
    assert.deepEqual(a.filters, ['format=yuv420p']);
    assert.ok(!a.outputArgs.includes('-g'));
    assert.deepEqual(a.outputArgs.slice(a.outputArgs.indexOf('-force_key_frames'), a.outputArgs.indexOf('-force_key_frames') + 2), ['-force_key_frames', 'expr:gte(t,n_forced*2)']);
    assert.equal(a.outputArgs[a.outputArgs.indexOf('-b:v') + 1], '2000k');
  });

  it('h264_vaapi uploads to the configured device; nvenc uses a low-latency preset', () => {
    const v = encoderArgs('h264_vaapi', { ...tuning, vaapiDevice: '/dev/dri/renderD129' });
    assert.deepEqual(v.globalArgs, ['-vaapi_device', '/dev/dri/renderD129']);
    assert.deepEqual(v.filters, ['format=nv12', 'hwupload']);
    const n = encoderArgs('h264_nvenc', tuning).outputArgs;
    assert.equal(n[n.indexOf('-tune') + 1], 'll');
    assert.equal(n[n.indexOf('-bf') + 1], '0');
  });

  it('libx264: zerolatency, no B-frames, a key frame every 2 s', () => {
    const x = encoderArgs('libx264', { ...tuning, x264Preset: 'veryfast' }).outputArgs;
    assert.equal(x[x.indexOf('-tune') + 1], 'zerolatency');
    assert.equal(x[x.indexOf('-bf') + 1], '0');
    assert.equal(x[x.indexOf('-g') + 1], '50');
    assert.equal(x[x.indexOf('-preset') + 1], 'veryfast');
  });
});

describe('media: SPS/PPS on every key frame', () => {
  const pairs = (args: string[]): string[] => args.flatMap((a, i) => (a.startsWith('-') && args[i + 1] !== undefined ? [`${a} ${args[i + 1]}`] : []));

  it('every encoder repeats its headers before each key frame with dump_extra', () => {
    for (const name of ENCODER_NAMES) {
      const out = pairs(encoderArgs(name, tuning).outputArgs);
      assert.ok(out.includes('-bsf:v dump_extra=freq=keyframe'), `${name}: ${out.join(' ')}`);
    }
  });

  it('asks for extradata (global header) from every encoder but h264_v4l2m2m, which repeats them itself', () => {
    for (const name of ENCODER_NAMES) {
      const out = pairs(encoderArgs(name, tuning).outputArgs);
      assert.equal(out.includes('-flags +global_header'), name !== 'h264_v4l2m2m', `${name}: ${out.join(' ')}`);
    }
  });

  it('puts the headers flags in the plan of an SRT (MPEG-TS) feed and of an RTMP (FLV) feed alike', () => {
    const srt = parseEncoderConfig({ output: { kind: 'srt', url: 'srt://relay:9000' } });
    for (const [config, target] of [[srt, 'srt://relay:9000'], [parseEncoderConfig(base), 'rtmp://r/live/s']] as const) {
      const args = planArgs(buildEncoderPlan({ config, site: 's', encoder: 'libx264', target, fontFile: null }));
      assert.equal(args[args.indexOf('-bsf:v') + 1], 'dump_extra=freq=keyframe');
      assert.ok(args.indexOf('-bsf:v') < args.lastIndexOf('-f'), 'an output option, before the container');
    }
  });
});

describe('media: command plan', () => {
  it('test pattern: paced lavfi sources, text only with a font, FLV to the target', () => {
    const config = parseEncoderConfig({ ...base, size: '640x360', fps: 15 });
    const withFont = planArgs(buildEncoderPlan({ config, site: 'saint-camille', encoder: 'libx264', target: 'rtmp://r/live/saint-camille?sign=1-2', fontFile: '/f.ttf' }));
    assert.deepEqual(withFont.slice(withFont.indexOf('-re'), withFont.indexOf('-re') + 5), ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15']);
    assert.match(withFont[withFont.indexOf('-vf') + 1] ?? '', /^drawtext=fontfile=\/f\.ttf:text=saint-camille:.*localtime.*,format=yuv420p$/);
    assert.equal(withFont.at(-1), 'rtmp://r/live/saint-camille?sign=1-2');
    assert.equal(withFont[withFont.lastIndexOf('-f') + 1], 'flv');
    assert.ok(!withFont.includes('-pes_payload_size'), 'an MPEG-TS option only');
    const noFont = planArgs(buildEncoderPlan({ config, site: 's', encoder: 'libx264', target: 'rtmp://r/live/s', fontFile: null }));
    assert.equal(noFont[noFont.indexOf('-vf') + 1], 'format=yuv420p');
    // A plain colour per room, with grain so the encoder has work to do; a colour that is not one is refused.
    const colour = planArgs(buildEncoderPlan({ config: parseEncoderConfig({ ...base, size: '320x180', fps: 15, input: { kind: 'test-pattern', pattern: 'color', color: '0x00A000' } }), site: 's', encoder: 'libx264', target: 'rtmp://r/live/s', fontFile: null }));
    assert.equal(colour[colour.indexOf('-re') + 4], 'color=c=0x00A000:size=320x180:rate=15');
    assert.match(colour[colour.indexOf('-vf') + 1] ?? '', /^noise=alls=24:allf=t,/);
    assert.throws(() => parseEncoderConfig({ ...base, input: { kind: 'test-pattern', pattern: 'color', color: 'red;rm' } }), /encoder\.input\.color\s: doit être un nom de couleur/);
  });

  it('v4l2 with ALSA: device options, scaling to the output size; SRT goes out as MPEG-TS', () => {
    const config = parseEncoderConfig({
      output: { kind: 'srt', url: 'srt://relay:9000?streamid=publish:s' },
      size: '1280x720',
      fps: 25,
      input: { kind: 'v4l2', device: '/dev/video2', size: '1920x1080', rate: 30, pixelFormat: 'yuyv422', audioDevice: 'hw:1,0' },
    });
    const args = planArgs(buildEncoderPlan({ config, site: 's', encoder: 'h264_v4l2m2m', target: config.output.url, fontFile: null }));
    assert.deepEqual(args.slice(args.indexOf('v4l2') - 1, args.indexOf('/dev/video2') + 1), ['-f', 'v4l2', '-thread_queue_size', '512', '-input_format', 'yuyv422', '-video_size', '1920x1080', '-framerate', '30', '-i', '/dev/video2']);
    assert.ok(args.includes('alsa') && args.includes('hw:1,0'));
    assert.equal(args[args.indexOf('-vf') + 1], 'scale=1280:720,fps=25,format=yuv420p');
    assert.equal(args[args.lastIndexOf('-f') + 1], 'mpegts');
    // One PES per AAC frame (test/media/mux.test.ts reads the packets), each picture's PES with its length.
    assert.deepEqual(args.slice(args.indexOf('-pes_payload_size'), args.indexOf('-pes_payload_size') + 6), ['-pes_payload_size', '0', '-muxdelay', '0.04', '-omit_video_pes_length', '0']);
  });

  it('escapes drawtext text so percent signs are literal', () => {
    assert.equal(drawtextLiteral('100% \\ ok'), '100\\% \\\\ ok');
  });
});

describe('media: progress parser', () => {
  it('turns -progress blocks into samples, across chunk boundaries', () => {
    const samples: ProgressSample[] = [];
    const p = new ProgressParser((s) => samples.push(s));
    p.push('frame=30\nfps=14.92\nbitrate=1243.3kbits/s\nout_time_us=2006000\ndup_frames=1\ndrop');
    p.push('_frames=2\nspeed=0.998x\nprogress=continue\nframe=45\nfps=15.0\nbitrate=N/A\nspeed=N/A\nprogress=end\n');
    assert.deepEqual(samples, [
      { frame: 30, fps: 14.92, bitrateKbps: 1243.3, speed: 0.998, dropFrames: 2, dupFrames: 1, outTime: 2.006, end: false },
      { frame: 45, fps: 15, bitrateKbps: null, speed: null, dropFrames: 0, dupFrames: 0, outTime: null, end: true },
    ]);
  });

  it('ignores garbage and stays bounded', () => {
    const samples: ProgressSample[] = [];
    const p = new ProgressParser((s) => samples.push(s));
    p.push('x'.repeat(100_000));
    p.push('\n=oops\nframe=1\nprogress=continue\n');
    assert.equal(samples.length, 1);
    assert.equal(samples[0]?.frame, 1);
  });
});

describe('media: signed publish URLs', () => {
  const now = 1_700_000_000;
  it('signs /live/<site>-<expiry> with HMAC-SHA256 and verifies it', () => {
    const url = signPublishUrl({ base: 'rtmp://relay:1935/live/', site: 'saint-camille', secret, ttlSeconds: 600, nowSeconds: now });
    const expiry = now + 600;
    assert.equal(url, `rtmp://relay:1935/live/saint-camille?sign=${expiry}-${signature('/live/saint-camille', expiry, secret)}`);
    const sign = new URL(url.replace('rtmp:', 'http:')).searchParams.get('sign');
    assert.deepEqual(verifyPublishSign('/live/saint-camille', sign, secret, now), { ok: true, expiry });
    assert.match((verifyPublishSign('/live/saint-camille', sign, secret, expiry + 1) as { reason: string }).reason, /expired 1 s ago/);
    assert.match((verifyPublishSign('/live/other', sign, secret, now) as { reason: string }).reason, /wrong signature/);
    assert.match((verifyPublishSign('/live/x', undefined, secret, now) as { reason: string }).reason, /unsigned/);
    assert.match((verifyPublishSign('/live/x', ['a', 'b'], secret, now) as { reason: string }).reason, /unsigned/);
    assert.match((verifyPublishSign('/live/x', '123-zz', secret, now) as { reason: string }).reason, /malformed/);
    assert.equal(redactSign(url), 'rtmp://relay:1935/live/saint-camille?sign=***');
  });
});

describe('media: config', () => {
  it('names the path and the fix for each problem', () => {
    assert.throws(
      () => parseEncoderConfig({ size: '1280x721', fps: 0, encoder: 'x265', output: { kind: 'rtmp', url: 'http://x', secret: 'short' } }),
      (err: Error) => {
        assert.match(err.message, /encoder\.size\s: la largeur et la hauteur doivent être des nombres pairs/);
        assert.match(err.message, /encoder\.fps\s: doit être au moins 1\n/);
        assert.match(err.message, /encoder\.encoder\s: doit être «\sauto\s» ou un de ces encodeurs\s: h264_v4l2m2m/);
        assert.match(err.message, /encoder\.output\.url\s: doit être la base du relais, p\. ex\. rtmp:/);
        assert.match(err.message, /encoder\.output\.secret\s: doit compter au moins 16 caractères; générez-en un/);
        return true;
      },
    );
    assert.throws(() => parseRelayConfig({}), /relay\.secret\s: manquant; donnez le secret de publication partagé/);
    assert.throws(() => parseDisplayConfig({ relayHttp: 'ftp://x' }), /display\.relayHttp\s: doit être la base HTTP du relais/);
    assert.throws(() => parseEncoderConfig({ ...base, input: { kind: 'ndi' } }), /encoder\.input\.kind\s: doit être \{ kind: "test-pattern" \}/);
  });

  it('fills in defaults a demo can live with', () => {
    const c = parseEncoderConfig(base);
    assert.equal(c.encoder, 'auto');
    assert.equal(c.input.kind, 'test-pattern');
    assert.equal(c.output.kind === 'rtmp' && c.output.url, 'rtmp://127.0.0.1:1935/live');
    const r = parseRelayConfig({ secret });
    assert.deepEqual([r.rtmpPort, r.httpPort], [1935, 8000]);
    assert.equal(parseDisplayConfig(undefined).relayHttp, 'http://127.0.0.1:8000');
  });
});
