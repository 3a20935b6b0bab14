/**
 * Encoder choice by trial encode, with a stand-in `ffmpeg` first on PATH that
 * fails (or pretends to succeed) for chosen encoders and hands everything else
 * to the real ffmpeg.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boardInfo } from '../../src/media/encoders.js';
import { ffmpegBinary, resolveBinary } from '../../src/media/ffmpeg.js';
import { chooseEncoder, readBoardModel } from '../../src/media/probe.js';
import { quietLogger, tempDir } from './helpers.js';

const REAL_FFMPEG = resolveBinary('ffmpeg');

interface StandIn {
  dir: string;
  calls(): Promise<string[]>;
}

/** Writes `<dir>/ffmpeg`: fails for `fail`, exits 0 at once for `fake`, else runs the real one. */
async function standIn(dir: string, fail: string[], fake: string[] = []): Promise<StandIn> {
  const log = join(dir, 'calls.log');
  const script = `#!/bin/sh
echo "$*" >> '${log}'
for a in "$@"; do
  case "$a" in
${fail.map((e) => `    ${e}) echo "[${e} @ 0x1] Could not open encoder device (stand-in)" >&2; echo "Error initializing output stream 0:0" >&2; exit 1;;`).join('\n')}
${fake.map((e) => `    ${e}) exit 0;;`).join('\n')}
  esac
done
exec '${REAL_FFMPEG}' "$@"
`;
  const file = join(dir, 'ffmpeg');
  await writeFile(file, script);
  await chmod(file, 0o755);
  return {
    dir,
    calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  };
}

describe('media encoder choice (trial encodes)', function () {
  this.timeout(30_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const savedPath = process.env.PATH;
  const savedFfmpeg = process.env.RELAIS_FFMPEG;

  beforeEach(async () => {
    tmp = await tempDir();
    delete process.env.RELAIS_FFMPEG;
  });

  afterEach(async () => {
    process.env.PATH = savedPath;
    if (savedFfmpeg === undefined) delete process.env.RELAIS_FFMPEG;
    else process.env.RELAIS_FFMPEG = savedFfmpeg;
    await tmp.remove();
  });

  it('takes the first encoder that really encodes, in order, and says why the earlier ones failed', async () => {
    const fake = await standIn(tmp.path, ['h264_v4l2m2m', 'h264_vaapi'], ['h264_qsv']);
    process.env.PATH = `${fake.dir}:${savedPath}`;
    const cacheFile = join(tmp.path, 'cache', 'probe.json');
    const result = await chooseEncoder({ cacheFile, modelPaths: [], log: quietLogger() });

    assert.equal(result.encoder, 'h264_qsv');
    assert.equal(result.binary, join(fake.dir, 'ffmpeg'), 'the stand-in first on PATH is the one used');
    assert.deepEqual(result.trials.map((t) => [t.encoder, t.ok]), [['h264_v4l2m2m', false], ['h264_vaapi', false], ['h264_qsv', true]]);
    assert.match(result.trials[0]?.reason ?? '', /h264_v4l2m2m .*Could not open encoder device/);
    const trials = (await fake.calls()).filter((c) => c.includes('-f null'));
    assert.equal(trials.length, 3, 'stops at the first encoder that works');

    // Same binary and version: from the cache, no new trial.
    const again = await chooseEncoder({ cacheFile, modelPaths: [] });
    assert.equal(again.encoder, 'h264_qsv');
    assert.equal(again.cached, true);
    assert.equal((await fake.calls()).filter((c) => c.includes('-f null')).length, 3);

    const stored = JSON.parse(await readFile(cacheFile, 'utf8')) as { entries: Record<string, { encoder: string }> };
    const [key] = Object.keys(stored.entries);
    assert.match(key ?? '', new RegExp(`^${join(fake.dir, 'ffmpeg')}\\|\\d`), 'keyed by binary path and version');
  });

  it('a listed but unusable hardware encoder loses to libx264 on this machine', async () => {
    // No stand-in: the real ffmpeg lists nvenc, qsv and vaapi here but has no GPU.
    const result = await chooseEncoder({ binary: REAL_FFMPEG ?? 'ffmpeg', cacheFile: null, modelPaths: [], candidates: ['h264_nvenc', 'h264_vaapi', 'libx264'] });
    assert.equal(result.encoder, 'libx264');
    assert.equal(result.trials.filter((t) => !t.ok).length, 2);
    for (const t of result.trials.filter((x) => !x.ok)) assert.ok(t.reason.length > 0, `a reason for ${t.encoder}`);
  });

  it('probes again when the binary changes, and with --fresh', async () => {
    const cacheFile = join(tmp.path, 'probe.json');
    const first = await chooseEncoder({ binary: REAL_FFMPEG ?? 'ffmpeg', cacheFile, modelPaths: [], candidates: ['libx264'] });
    assert.equal(first.cached, false);
    const fake = await standIn(tmp.path, ['libx264'], ['h264_nvenc']);
    process.env.PATH = `${fake.dir}:${savedPath}`;
    const second = await chooseEncoder({ cacheFile, modelPaths: [] });
    assert.equal(second.cached, false, 'another binary path is another cache key');
    assert.equal(second.encoder, 'h264_nvenc');
    const fresh = await chooseEncoder({ cacheFile, modelPaths: [], fresh: true });
    assert.equal(fresh.cached, false);
    const stored = JSON.parse(await readFile(cacheFile, 'utf8')) as { entries: Record<string, unknown> };
    assert.equal(Object.keys(stored.entries).length, 2, 'both binaries remembered');
  });

  it('fails with every reason and the fix when no encoder works', async () => {
    const fake = await standIn(tmp.path, ['h264_v4l2m2m', 'h264_vaapi', 'h264_qsv', 'h264_rkmpp', 'h264_nvenc', 'libx264']);
    process.env.PATH = `${fake.dir}:${savedPath}`;
    await assert.rejects(chooseEncoder({ cacheFile: null, modelPaths: [] }), (err: Error) => {
      assert.match(err.message, /aucun encodeur H\.264 ne fonctionne/);
      assert.match(err.message, /libx264\s: .*Could not open encoder device/);
      assert.match(err.message, /apt install ffmpeg/);
      return true;
    });
  });

  it('on a Raspberry Pi 5 skips the hardware trials and says why', async () => {
    const model = join(tmp.path, 'model');
    await writeFile(model, 'Raspberry Pi 5 Model B Rev 1.0\0');
    const fake = await standIn(tmp.path, []);
    process.env.PATH = `${fake.dir}:${savedPath}`;
    const result = await chooseEncoder({ cacheFile: null, modelPaths: [join(tmp.path, 'missing'), model] });
    assert.equal(result.encoder, 'libx264');
    assert.equal(result.board, 'Raspberry Pi 5 Model B Rev 1.0');
    assert.match(result.note ?? '', /aucun encodeur H\.264 matériel sur cette carte/);
    assert.ok(result.trials.slice(0, 5).every((t) => t.reason.startsWith('sauté\u00a0: le Raspberry Pi 5')));
    assert.equal((await fake.calls()).filter((c) => c.includes('-f null')).length, 1, 'only libx264 was tried');
  });

  it('reads the board from the device tree and treats a Pi 4 as having an encoder', () => {
    assert.equal(readBoardModel(['/nonexistent/model']), null);
    assert.deepEqual(boardInfo('Raspberry Pi 4 Model B Rev 1.4\0').unavailable, {});
    assert.equal(boardInfo(null).note, null);
  });

  it('a corrupt cache file is replaced, with a warning, not a crash', async () => {
    const cacheFile = join(tmp.path, 'probe.json');
    await writeFile(cacheFile, '{ not json');
    const result = await chooseEncoder({ binary: REAL_FFMPEG ?? 'ffmpeg', cacheFile, modelPaths: [], candidates: ['libx264'] });
    assert.equal(result.encoder, 'libx264');
    const stored = JSON.parse(await readFile(cacheFile, 'utf8')) as { entries: Record<string, { encoder: string }> };
    assert.deepEqual(Object.values(stored.entries).map((e) => e.encoder), ['libx264']);
  });

  it('names the fix when ffmpeg is missing, and RELAIS_FFMPEG wins over the config', async () => {
    await assert.rejects(chooseEncoder({ binary: join(tmp.path, 'no-ffmpeg'), cacheFile: null }), /ffmpeg introuvable .*RELAIS_FFMPEG/);
    process.env.RELAIS_FFMPEG = '/opt/ffmpeg/bin/ffmpeg';
    assert.equal(ffmpegBinary('/usr/bin/ffmpeg'), '/opt/ffmpeg/bin/ffmpeg');
    delete process.env.RELAIS_FFMPEG;
    assert.equal(ffmpegBinary('/usr/bin/ffmpeg'), '/usr/bin/ffmpeg');
    assert.equal(ffmpegBinary(undefined), 'ffmpeg');
  });
});

