/**
 * The `buttons` section of a site config, and what a button's action means
 * for this site's part in the floor.
 *
 * ```yaml
 * buttons:
 *   podium:
 *     input: podium        # a name in io.inputs
 *     lamp: buttonLamp     # a name in io.outputs (optional)
 *     gestures: { press: auto, long: release, double: "preset:cam1:2" }
 *     bounceMs: 30
 *     longMs: 800
 *     doubleMs: 400
 * ```
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';
import type { IntentAction } from '../protocol/schemas.js';
import type { SiteRole } from '../protocol/site-state.js';
import type { PinReference } from '../hardware/config.js';
import { DEFAULT_GESTURE_OPTIONS } from './gestures.js';

const PRESET = /^preset:([A-Za-z0-9][A-Za-z0-9_-]*):(\d{1,3})$/;

/** `auto`, an intent action, or `preset:<camera>:<preset>` (a PTZ recall, no floor change). */
const ACTION_HELP = { error: () => t('config.buttons.action') };
export const buttonActionSchema = z.union([z.enum(['auto', 'request', 'cancel', 'release', 'pass']), z.string().regex(PRESET, ACTION_HELP)], ACTION_HELP);
export type ButtonAction = z.infer<typeof buttonActionSchema>;

export const buttonConfigSchema = z.strictObject({
  /** Name of the input in `io.inputs`. */
  input: z.string().min(1),
  /**
   * Name of the output in `io.outputs` that lights the button (optional): it
   * shows the podium lamp's pattern and flashes when a press of this button
   * fails (hardware/tally.md). The same output as `lamps.button` is that lamp.
   */
  lamp: z.string().min(1).optional(),
  /** Actions per gesture; `null` or absent: the gesture does nothing. */
  gestures: z
    .strictObject({
      press: buttonActionSchema.nullable().default('auto'),
      long: buttonActionSchema.nullable().default(null),
      double: buttonActionSchema.nullable().default(null),
    })
    .prefault({}),
  bounceMs: z.number().int().min(0).max(500, { error: () => t('config.buttons.bounceMax') }).default(DEFAULT_GESTURE_OPTIONS.bounceMs),
  longMs: z.number().int().min(200).max(10_000).default(DEFAULT_GESTURE_OPTIONS.longMs),
  doubleMs: z.number().int().min(0).max(2000).default(DEFAULT_GESTURE_OPTIONS.doubleMs),
});
export type ButtonConfig = z.output<typeof buttonConfigSchema>;

/** The `buttons` section. Omitted: one podium button on input `podium` with lamp `buttonLamp`. */
export const buttonsConfigSchema = z
  .record(z.string(), buttonConfigSchema)
  .default(() => ({ podium: buttonConfigSchema.parse({ input: 'podium', lamp: 'buttonLamp' }) }))
  .superRefine((buttons, ctx) => {
    for (const [name, button] of Object.entries(buttons)) {
      if (button.bounceMs >= button.longMs) {
        ctx.addIssue({ code: 'custom', path: [name, 'bounceMs'], message: t('config.buttons.bounceLong', { long: button.longMs }) });
      }
    }
  });
export type ButtonsConfig = z.output<typeof buttonsConfigSchema>;

/** Pin names the buttons refer to, for the cross-check against `io`. */
export function buttonPinReferences(buttons: ButtonsConfig): PinReference[] {
  return Object.entries(buttons).flatMap(([name, b]) => [
    { path: ['buttons', name, 'input'], kind: 'input' as const, name: b.input },
    ...(b.lamp ? [{ path: ['buttons', name, 'lamp'], kind: 'output' as const, name: b.lamp }] : []),
  ]);
}

/** What pressing means now. */
export type ResolvedAction =
  | { kind: 'intent'; action: IntentAction }
  | { kind: 'preset'; camera: string; preset: number }
  | { kind: 'none'; reason: string };

/**
 * Maps a configured action to something concrete for the site's role.
 * `auto` is the one-button speaker's action: idle -> request the floor,
 * queued or next -> cancel the request, on air -> pass the floor on to next.
 */
export function resolveButtonAction(action: ButtonAction | null, role: SiteRole): ResolvedAction {
  if (action === null) return { kind: 'none', reason: 'no action mapped to this gesture' };
  if (action === 'auto') {
    switch (role) {
      case 'idle':
        return { kind: 'intent', action: 'request' };
      case 'queued':
      case 'next':
        return { kind: 'intent', action: 'cancel' };
      case 'on-air':
        return { kind: 'intent', action: 'pass' };
    }
  }
  const preset = PRESET.exec(action);
  if (preset) return { kind: 'preset', camera: preset[1]!, preset: Number(preset[2]) };
  return { kind: 'intent', action: action as IntentAction };
}
