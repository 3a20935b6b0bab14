/**
 * The `tallyIn` section of a site config: which switcher contacts carry each
 * camera's tally and which lamps show it. Kept apart from the feature
 * (./tally-in.ts) so the config schema does not load the feature.
 */
import { z } from 'zod';
import '../i18n/zod-words.js';
import type { PinReference } from '../hardware/config.js';
import { buttonConfigSchema } from '../buttons/config.js';

const pinName = z.string().min(1);

/** One camera: which inputs carry its tally, which outputs are its lamps. */
export const tallyInCameraSchema = z.strictObject({
  program: pinName,
  preview: pinName.optional(),
  red: pinName.optional(),
  green: pinName.optional(),
  /**
   * Settle time of the contacts, as the podium buttons' (`buttons.*.bounceMs`,
   * 30 ms by default): a change is taken at once, the relay's bounce after it
   * is ignored for this long (src/buttons/settle.ts).
   */
  bounceMs: buttonConfigSchema.shape.bounceMs,
});

/** The `tallyIn` section: per camera name. Omitted: no tally inputs. */
export const tallyInConfigSchema = z.record(z.string(), tallyInCameraSchema).default({});
export type TallyInConfig = z.output<typeof tallyInConfigSchema>;

/** Pin names the section refers to, for the cross-check against `io`. */
export function tallyInPinReferences(config: TallyInConfig): PinReference[] {
  const refs: PinReference[] = [];
  for (const [camera, c] of Object.entries(config)) {
    refs.push({ path: ['tallyIn', camera, 'program'], kind: 'input', name: c.program });
    if (c.preview) refs.push({ path: ['tallyIn', camera, 'preview'], kind: 'input', name: c.preview });
    if (c.red) refs.push({ path: ['tallyIn', camera, 'red'], kind: 'output', name: c.red });
    if (c.green) refs.push({ path: ['tallyIn', camera, 'green'], kind: 'output', name: c.green });
  }
  return refs;
}
