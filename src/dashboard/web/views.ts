/**
 * What the page shows of a site's state, read straight from the protocol's
 * typed parts (src/protocol/site-state.ts): nothing guessed, no aliases.
 */
import type { EventResult, LinkStats } from '../../protocol/schemas.js';
import type { SiteState } from '../../protocol/site-state.js';
import { t } from '../../i18n/index.js';
import { actionWord, reasonText } from '../../i18n/words.js';

/** How a line of the event log reads: good news, bad news, a notice, a warning. */
export type LogTone = 'ok' | 'bad' | 'info' | 'warn';

/** Encoder figures the page charts and lists. */
export interface EncoderView {
  state: string;
  fps: number | null;
  bitrateKbps: number | null;
  encoder: string | null;
  restarts: number | null;
}

/** Box health, when a box reports it. */
export interface SystemView {
  temperatureC: number | null;
  load1: number | null;
  cpus: number | null;
}

/** One preset button: the number the command sends and the label the operator reads. */
export interface PresetView {
  number: number;
  label: string;
}

/** One PTZ camera as the page shows it. */
export interface CameraView {
  name: string;
  online: boolean | null;
  lastError: string | null;
  preset: number | null;
  /** The camera's configured presets, by name where the site's config names them. */
  presets: PresetView[];
}

export function encoderView(state: SiteState | null): EncoderView | null {
  const encoder = state?.encoder;
  if (!encoder) return null;
  return { state: encoder.state, fps: encoder.fps, bitrateKbps: encoder.bitrateKbps, encoder: encoder.encoder, restarts: encoder.restarts };
}

/** A site's SRT link as the page shows it: the relay's view of the incoming feed first, else the box's own. */
export function linkView(state: SiteState | null, relayLink: LinkStats | null | undefined): LinkStats | null {
  return relayLink ?? state?.link ?? null;
}

export function systemView(state: SiteState | null): SystemView | null {
  const system = state?.system;
  if (!system) return null;
  return { temperatureC: system.temperatureC, load1: system.load1, cpus: system.cpus };
}

/** At most this many preset buttons per camera: a row the operator can read. */
export const MAX_PRESET_BUTTONS = 16;

export function cameraViews(state: SiteState | null): CameraView[] {
  return (state?.cameras ?? []).map((camera) => ({
    name: camera.name,
    online: camera.online,
    lastError: camera.lastError,
    preset: camera.preset,
    presets: camera.presets.slice(0, MAX_PRESET_BUTTONS).map((p) => ({ number: p.number, label: p.name ?? String(p.number) })),
  }));
}

/** One line of the event log for a conductor's answer; `name` gives a site's display name. */
export function describeEvent(result: EventResult, name: (site: string) => string = (site) => site): { text: string; tone: LogTone } {
  const who = result.site ? ` ${name(result.site)}` : '';
  const dup = result.duplicate ? t('log.repeat') : '';
  const kind = t(`log.kind.${result.kind}`);
  const action = actionWord(result.action);
  const reason = reasonText(result, name);
  if (result.result === 'info') return { text: `${kind} ${action}${who}${reason ? `${t('punct.colon')}${reason}` : ''}`, tone: 'info' };
  if (result.result === 'accepted') return { text: t('log.accepted', { kind, action, who, dup, epoch: result.epoch }), tone: 'ok' };
  return { text: t('log.rejected', { kind, action, who, dup, reason: reason ?? t('log.noReason') }), tone: 'bad' };
}
