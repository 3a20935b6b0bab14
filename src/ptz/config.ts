/**
 * The `cameras` list of a site config (zod 4). Every error names its path
 * (`cameras[1].transport.port`) and says how to fix it.
 *
 * ```yaml
 * cameras:
 *   - name: podium-cam
 *     transport: { type: serial, path: /dev/ttyUSB0, baud: 9600, address: 1 }
 *     presets: { podium: 1, wide: 2, audience: 3 }
 *     tally: true
 *     bindings: { on-air: podium, next: wide, idle: wide }
 *   - name: room-cam
 *     transport: { type: visca-ip, host: 192.168.10.21 }
 * ```
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';
import { UserError } from '../util/errors.js';
import { slug } from '../protocol/schemas.js';
import { PRESET } from './commands.js';
import { DEFAULT_TCP_PORT, DEFAULT_VISCA_IP_PORT } from './ip-header.js';

const port = z
  .number({ error: () => t('config.ptz.port') })
  .int({ error: () => t('config.ptz.portWhole') })
  .min(1, { error: () => t('config.ptz.portRange') })
  .max(65535, { error: () => t('config.ptz.portRange') });

const host = z
  .string({ error: () => t('config.ptz.host') })
  .min(1, { error: () => t('config.ptz.hostEmpty') })
  .max(253);

const serialTransport = z.strictObject({
  type: z.literal('serial'),
  path: z.string({ error: () => t('config.ptz.path') }).min(1, { error: () => t('config.ptz.pathEmpty') }),
  baud: z.union([z.literal(9600), z.literal(38400)], { error: () => t('config.ptz.baud') }).default(9600),
  address: z
    .number({ error: () => t('config.ptz.address') })
    .int({ error: () => t('config.ptz.addressWhole') })
    .min(1, { error: () => t('config.ptz.addressFirst') })
    .max(7, { error: () => t('config.ptz.addressLast') })
    .default(1),
});

const ipTransport = z.strictObject({ type: z.literal('visca-ip'), host, port: port.default(DEFAULT_VISCA_IP_PORT) });
const tcpTransport = z.strictObject({ type: z.literal('tcp'), host, port: port.default(DEFAULT_TCP_PORT) });

export const ptzTransportSchema = z.discriminatedUnion('type', [serialTransport, ipTransport, tcpTransport], {
  error: () => t('config.ptz.transport'),
});
export type PtzTransportConfig = z.infer<typeof ptzTransportSchema>;

const PRESET_RANGE = { error: () => t('config.ptz.preset', { min: PRESET.min, max: PRESET.max }) };
const presetNumber = z
  .number(PRESET_RANGE)
  .int({ error: () => t('config.ptz.presetWhole') })
  .min(PRESET.min, PRESET_RANGE)
  .max(PRESET.max, PRESET_RANGE);

/** A preset by its name in `presets` or by number. */
const presetRef = z.union([presetNumber, slug], { error: () => t('config.ptz.presetRef') });

export const bindingRoles = ['on-air', 'next', 'queued', 'idle'] as const;

export const ptzCameraSchema = z
  .strictObject({
    name: slug,
    transport: ptzTransportSchema,
    /** Named presets: `{ podium: 1, wide: 2 }`. */
    presets: z.record(slug, presetNumber).default({}),
    /** Light the camera's own tally lamp when this site is on air. */
    tally: z.boolean({ error: () => t('config.ptz.bool') }).default(false),
    /** Preset recalled when this site's role becomes the key. */
    bindings: z.partialRecord(z.enum(bindingRoles, { error: () => t('config.ptz.roles', { roles: bindingRoles.join(', ') }) }), presetRef).default({}),
    /** Highest preset the camera stores (older models: 5 or 15). */
    maxPreset: presetNumber.optional(),
    /** Per-camera timeouts for slow links or long moves. */
    ackTimeoutMs: z.number().int().min(50).max(30_000).optional(),
    completionTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  })
  .superRefine((camera, ctx) => {
    for (const [role, ref] of Object.entries(camera.bindings)) {
      if (typeof ref === 'string' && !(ref in camera.presets)) {
        const known = Object.keys(camera.presets);
        ctx.addIssue({
          code: 'custom',
          path: ['bindings', role],
          message: t('config.ptz.presetUnknown', { ref, known: known.length ? known.join(', ') : t('config.ptz.noPresets') }),
        });
      }
      const number = typeof ref === 'number' ? ref : camera.presets[ref];
      if (number !== undefined && camera.maxPreset !== undefined && number > camera.maxPreset) {
        ctx.addIssue({ code: 'custom', path: ['bindings', role], message: t('config.ptz.presetAbove', { number, max: camera.maxPreset }) });
      }
    }
  });
export type PtzCameraConfig = z.infer<typeof ptzCameraSchema>;

/** The site config's `cameras` list. */
export const ptzConfigSchema = z
  .array(ptzCameraSchema, { error: () => t('config.ptz.list') })
  .max(32, { error: () => t('config.ptz.max') })
  .default([])
  .superRefine((cameras, ctx) => {
    const names = new Map<string, number>();
    const serialSeats = new Map<string, number>();
    const bauds = new Map<string, number>();
    cameras.forEach((camera, i) => {
      const first = names.get(camera.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: t('config.ptz.nameTwice', { name: camera.name, first }) });
      else names.set(camera.name, i);
      const link = camera.transport;
      if (link.type !== 'serial') return;
      const seat = `${link.path}#${link.address}`;
      const other = serialSeats.get(seat);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'transport', 'address'], message: t('config.ptz.addressTwice', { address: link.address, path: link.path, other }) });
      else serialSeats.set(seat, i);
      const baud = bauds.get(link.path);
      if (baud !== undefined && baud !== link.baud) ctx.addIssue({ code: 'custom', path: [i, 'transport', 'baud'], message: t('config.ptz.baudTwice', { path: link.path, baud }) });
      else bauds.set(link.path, link.baud);
    });
  });
export type PtzConfig = z.infer<typeof ptzConfigSchema>;

/** A config error listing every problem as `path: message`. */
export class PtzConfigError extends UserError {
  override readonly name = 'PtzConfigError';
  constructor(readonly problems: string[]) {
    super(`${t('config.ptz.invalid')}\n  ${problems.join('\n  ')}`);
  }
}

function formatPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** Parses the `cameras` list; throws {@link PtzConfigError} naming each bad path (`cameras[0].transport.baud: ...`). */
export function parsePtzConfig(raw: unknown, prefix = 'cameras'): PtzConfig {
  const parsed = ptzConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new PtzConfigError(parsed.error.issues.map((issue) => `${formatPath(prefix, issue.path)}${t('punct.colon')}${describeIssue(issue)}`));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const keys = issue.keys.map((k) => `"${k}"`).join(', ');
  const hint = issue.path[issue.path.length - 1] === 'bindings' ? t('config.ptz.rolesHint', { roles: bindingRoles.join(', ') }) : '';
  return t('config.ptz.unknownKey', { keys, hint });
}

/** The preset number a binding or command names (`podium` or `3`), or null. */
export function resolvePreset(camera: PtzCameraConfig, ref: string | number): number | null {
  if (typeof ref === 'number') return ref;
  if (/^\d+$/.test(ref)) return Number(ref);
  return camera.presets[ref] ?? null;
}
