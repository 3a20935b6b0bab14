/**
 * The encoder settings of `relais demo`'s room feeds (src/demo/media-extension.ts
 * runs them), shared with the media tests: a light test-pattern feed for a
 * laptop, 640x360, 15 fps, libx264 ultrafast, pushed to `rtmpUrl` with signed
 * publishing.
 */
export function demoEncoderSettings(label: string, rtmpUrl: string, secret: string): Record<string, unknown> {
  return {
    size: '640x360',
    fps: 15,
    bitrateKbps: 600,
    audioBitrateKbps: 64,
    x264Preset: 'ultrafast',
    encoder: 'libx264',
    input: { kind: 'test-pattern', label },
    output: { kind: 'rtmp', url: rtmpUrl, secret },
  };
}
