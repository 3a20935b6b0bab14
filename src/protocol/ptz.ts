/**
 * PTZ payloads of the MQTT contract (v1); the topics are `ptzCommand` and
 * `ptzResult` in the map (topics.ts), below `relais/v1/<event>/`:
 *
 * | suffix | retained | QoS | payload |
 * |---|---|---|---|
 * | `site/<site>/ptz/command` | no | 1 | {@link PtzCommand} |
 * | `site/<site>/ptz/result` | no | 1 | {@link PtzResult} |
 *
 * Camera status is part of the retained `site/<site>/state` under `cameras`.
 */
import { z } from 'zod';
import { messageId, slug } from './schemas.js';

const preset = z.union([z.number().int().min(0).max(127), slug]);
const panSpeed = z.number().int().min(1).max(0x18);
const tiltSpeed = z.number().int().min(1).max(0x14);
const common = { id: messageId, camera: slug, origin: z.string().max(64).optional() };

export const ptzDirection = z.enum(['up', 'down', 'left', 'right', 'up-left', 'up-right', 'down-left', 'down-right']);

export const ptzCommand = z.discriminatedUnion('op', [
  /** Recall a preset by number or by its name in the camera's config. */
  z.strictObject({ ...common, op: z.literal('recall'), preset }),
  z.strictObject({ ...common, op: z.literal('store'), preset }),
  /** Start moving; with `forMs` relais sends the stop itself (bounded to 10 s). */
  z.strictObject({
    ...common,
    op: z.literal('drive'),
    direction: ptzDirection,
    panSpeed: panSpeed.optional(),
    tiltSpeed: tiltSpeed.optional(),
    forMs: z.number().int().min(1).max(10_000).optional(),
  }),
  z.strictObject({ ...common, op: z.literal('stop') }),
  /** VISCA Cancel of what the camera is running (a preset move on its way); `value` lists what was cancelled. */
  z.strictObject({ ...common, op: z.literal('cancel') }),
  z.strictObject({ ...common, op: z.literal('zoom'), direction: z.enum(['in', 'out', 'stop']), speed: z.number().int().min(0).max(7).optional() }),
  z.strictObject({ ...common, op: z.literal('zoom-to'), position: z.number().int().min(0).max(0x7fff) }),
  z.strictObject({
    ...common,
    op: z.literal('absolute'),
    pan: z.number().int().min(-0x8000).max(0x7fff),
    tilt: z.number().int().min(-0x8000).max(0x7fff),
    panSpeed: panSpeed.optional(),
    tiltSpeed: tiltSpeed.optional(),
  }),
  z.strictObject({ ...common, op: z.literal('home') }),
  z.strictObject({ ...common, op: z.literal('power'), on: z.boolean() }),
  z.strictObject({ ...common, op: z.literal('tally'), on: z.boolean() }),
  z.strictObject({ ...common, op: z.literal('inquire'), what: z.enum(['power', 'zoom', 'position']) }),
]);
export type PtzCommand = z.infer<typeof ptzCommand>;
export type PtzOp = PtzCommand['op'];

export const ptzResult = z.object({
  id: z.string(),
  camera: z.string(),
  op: z.string(),
  ok: z.boolean(),
  /** Person-readable failure (`camera 2 on /dev/ttyUSB0: preset recall 9: ...`), or null. */
  error: z.string().nullable(),
  /**
   * What an inquiry or a cancel answers: the power state (`"on"`), a zoom
   * position, `{ pan, tilt }`, or the list of what a cancel stopped.
   */
  value: z
    .union([z.enum(['on', 'standby', 'fault']), z.number().int(), z.object({ pan: z.number().int(), tilt: z.number().int() }), z.array(z.string().max(200)).max(16)])
    .optional(),
  at: z.string(),
});
export type PtzResult = z.infer<typeof ptzResult>;
