/**
 * The encoder settings of `relais demo`'s room feeds (src/demo/media-extension.ts
 * runs them), shared with the media tests: a light test-pattern feed for a
 * laptop, 640x360, 15 fps, libx264 ultrafast, sent to the relay by `output`
 * (`{ kind: 'srt', url, ... }` to the SRT hub, or `{ kind: 'rtmp', url, secret }`).
 */
const VIDEO_KBPS = 600;
const AUDIO_KBPS = 64;
/** The demo feed's bitrate in all (picture and sound): the SRT hub's statistics period follows it. */
export const DEMO_FEED_KBPS = VIDEO_KBPS + AUDIO_KBPS;

export function demoEncoderSettings(label: string, output: Record<string, unknown>): Record<string, unknown> {
  return {
    size: '640x360',
    fps: 15,
    bitrateKbps: VIDEO_KBPS,
    audioBitrateKbps: AUDIO_KBPS,
    x264Preset: 'ultrafast',
    encoder: 'libx264',
    input: { kind: 'test-pattern', label },
    output,
  };
}

/** The demo displays' picture: the feeds' own size, so the switcher scales nothing. */
export const DEMO_DISPLAY_SIZE = '640x360';
