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
import { UserError } from '../util/errors.js';
import { slug } from '../protocol/schemas.js';
import { PRESET } from './commands.js';
import { DEFAULT_TCP_PORT, DEFAULT_VISCA_IP_PORT } from './ip-header.js';

const port = z
  .number({ error: 'must be a port number (1-65535)' })
  .int({ error: 'must be a whole port number' })
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65535, { error: 'must be a port number from 1 to 65535' });

const host = z
  .string({ error: 'must be the camera\'s IP address or host name, e.g. "192.168.10.21"' })
  .min(1, { error: 'must not be empty: give the camera\'s IP address or host name' })
  .max(253);

const serialTransport = z.strictObject({
  type: z.literal('serial'),
  path: z.string({ error: 'must be the serial device, e.g. "/dev/ttyUSB0" (see `ls /dev/serial/by-id/`)' }).min(1, { error: 'must name the serial device, e.g. "/dev/ttyUSB0"' }),
  baud: z.union([z.literal(9600), z.literal(38400)], { error: 'must be 9600 or 38400 (the speed set on the camera)' }).default(9600),
  address: z
    .number({ error: 'must be the camera\'s place on the VISCA chain, 1 to 7' })
    .int({ error: 'must be a whole number from 1 to 7' })
    .min(1, { error: 'must be 1 to 7: the first camera on the chain is 1' })
    .max(7, { error: 'must be 1 to 7: a VISCA chain holds at most seven cameras' })
    .default(1),
});

const ipTransport = z.strictObject({ type: z.literal('visca-ip'), host, port: port.default(DEFAULT_VISCA_IP_PORT) });
const tcpTransport = z.strictObject({ type: z.literal('tcp'), host, port: port.default(DEFAULT_TCP_PORT) });

export const ptzTransportSchema = z.discriminatedUnion('type', [serialTransport, ipTransport, tcpTransport], {
  error: 'must have type "serial" (with path, baud, address), "visca-ip" (with host, port) or "tcp" (with host, port)',
});
export type PtzTransportConfig = z.infer<typeof ptzTransportSchema>;

const presetNumber = z
  .number({ error: `must be a preset number from ${PRESET.min} to ${PRESET.max}` })
  .int({ error: 'must be a whole preset number' })
  .min(PRESET.min, { error: `must be a preset number from ${PRESET.min} to ${PRESET.max}` })
  .max(PRESET.max, { error: `must be a preset number from ${PRESET.min} to ${PRESET.max}` });

/** A preset by its name in `presets` or by number. */
const presetRef = z.union([presetNumber, slug], { error: 'must be a preset name from `presets` or a preset number' });

export const bindingRoles = ['on-air', 'next', 'queued', 'idle'] as const;

export const ptzCameraSchema = z
  .strictObject({
    name: slug,
    transport: ptzTransportSchema,
    /** Named presets: `{ podium: 1, wide: 2 }`. */
    presets: z.record(slug, presetNumber).default({}),
    /** Light the camera's own tally lamp when this site is on air. */
    tally: z.boolean({ error: 'must be true or false' }).default(false),
    /** Preset recalled when this site's role becomes the key. */
    bindings: z.partialRecord(z.enum(bindingRoles, { error: `roles are ${bindingRoles.join(', ')}` }), presetRef).default({}),
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
          message: `preset "${ref}" is not in this camera's presets (${known.length ? known.join(', ') : 'none defined'}); add it under presets or use a number`,
        });
      }
      const number = typeof ref === 'number' ? ref : camera.presets[ref];
      if (number !== undefined && camera.maxPreset !== undefined && number > camera.maxPreset) {
        ctx.addIssue({ code: 'custom', path: ['bindings', role], message: `preset ${number} is above maxPreset ${camera.maxPreset}; pick a lower preset or raise maxPreset` });
      }
    }
  });
export type PtzCameraConfig = z.infer<typeof ptzCameraSchema>;

/** The site config's `cameras` list. */
export const ptzConfigSchema = z
  .array(ptzCameraSchema, { error: 'must be a list of cameras' })
  .max(32, { error: 'at most 32 cameras per site' })
  .default([])
  .superRefine((cameras, ctx) => {
    const names = new Map<string, number>();
    const serialSeats = new Map<string, number>();
    const bauds = new Map<string, number>();
    cameras.forEach((camera, i) => {
      const first = names.get(camera.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${camera.name}" is already the name of cameras[${first}]; give each camera its own name` });
      else names.set(camera.name, i);
      const t = camera.transport;
      if (t.type !== 'serial') return;
      const seat = `${t.path}#${t.address}`;
      const other = serialSeats.get(seat);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'transport', 'address'], message: `address ${t.address} on ${t.path} is already used by cameras[${other}]; give each camera on a chain its own address` });
      else serialSeats.set(seat, i);
      const baud = bauds.get(t.path);
      if (baud !== undefined && baud !== t.baud) ctx.addIssue({ code: 'custom', path: [i, 'transport', 'baud'], message: `${t.path} is already set to ${baud} baud by another camera; all cameras on one chain share one speed` });
      else bauds.set(t.path, t.baud);
    });
  });
export type PtzConfig = z.infer<typeof ptzConfigSchema>;

/** A config error listing every problem as `path: message`. */
export class PtzConfigError extends UserError {
  override readonly name = 'PtzConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid camera config:\n  ${problems.join('\n  ')}`);
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
  throw new PtzConfigError(parsed.error.issues.map((issue) => `${formatPath(prefix, issue.path)}: ${describeIssue(issue)}`));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const keys = issue.keys.map((k) => `"${k}"`).join(', ');
  const hint = issue.path[issue.path.length - 1] === 'bindings' ? ` (roles are ${bindingRoles.join(', ')})` : '';
  return `unknown key ${keys}${hint}: remove it or fix its spelling`;
}

/** The preset number a binding or command names (`podium` or `3`), or null. */
export function resolvePreset(camera: PtzCameraConfig, ref: string | number): number | null {
  if (typeof ref === 'number') return ref;
  if (/^\d+$/.test(ref)) return Number(ref);
  return camera.presets[ref] ?? null;
}
