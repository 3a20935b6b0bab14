/**
 * The `io` section of a site config: which driver, and the named pins that
 * buttons, lamps and tally inputs refer to. The defaults are the pin map of
 * hardware/pinout.md; an `inputs` or `outputs` map given in the config
 * replaces the default one as a whole, so the file shows every pin in use.
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';
import type { PinSpec } from './types.js';

/** Default named pins, BCM numbers on the 40-pin header (hardware/pinout.md). */
export const DEFAULT_GPIO_PINS = {
  inputs: {
    podium: { pin: 17, activeLow: true },
    cam1Program: { pin: 5, activeLow: true },
    cam1Preview: { pin: 6, activeLow: true },
    cam2Program: { pin: 13, activeLow: true },
    cam2Preview: { pin: 19, activeLow: true },
  },
  outputs: {
    onAir: { pin: 22, activeLow: false },
    next: { pin: 23, activeLow: false },
    buttonLamp: { pin: 24, activeLow: false },
    cam1Red: { pin: 25, activeLow: false },
    cam1Green: { pin: 12, activeLow: false },
    cam2Red: { pin: 16, activeLow: false },
    cam2Green: { pin: 20, activeLow: false },
  },
} as const;

/** Default named pins on an Arduino Nano running StandardFirmata (hardware/pinout.md). */
export const DEFAULT_FIRMATA_PINS = {
  inputs: {
    podium: { pin: 2, activeLow: true },
    cam1Program: { pin: 3, activeLow: true },
    cam1Preview: { pin: 4, activeLow: true },
    cam2Program: { pin: 5, activeLow: true },
    cam2Preview: { pin: 6, activeLow: true },
  },
  outputs: {
    onAir: { pin: 7, activeLow: false },
    next: { pin: 8, activeLow: false },
    buttonLamp: { pin: 9, activeLow: false },
    cam1Red: { pin: 10, activeLow: false },
    cam1Green: { pin: 11, activeLow: false },
    cam2Red: { pin: 12, activeLow: false },
    cam2Green: { pin: 'A0', activeLow: false },
  },
} as const;

const bcmPin = z
  .number({ error: () => t('config.io.bcmPin') })
  .int({ error: () => t('config.io.bcmWhole') })
  .min(0, { error: () => t('config.io.bcmRange') })
  .max(27, { error: () => t('config.io.bcmPhysical') });

const FIRMATA_PIN_HELP = { error: () => t('config.io.firmataPin') };
const firmataPin = z.union(
  [z.number().int(FIRMATA_PIN_HELP).min(0, FIRMATA_PIN_HELP).max(127, FIRMATA_PIN_HELP), z.string().regex(/^(D\d{1,3}|A\d)$/, FIRMATA_PIN_HELP)],
  FIRMATA_PIN_HELP,
);

const simulatedPin = z.union([z.number().int().min(0), z.string().min(1)], { error: () => t('config.io.simulatedPin') });

function pinMaps<P extends z.ZodType<number | string>>(
  pin: P,
  defaults: { inputs: Record<string, { pin: number | string; activeLow: boolean }>; outputs: Record<string, { pin: number | string; activeLow: boolean }> },
) {
  const input = z.strictObject({
    pin,
    /** Inputs wired through an optocoupler or a button to ground read inverted: the default. */
    activeLow: z.boolean().default(true),
  });
  const output = z.strictObject({
    pin,
    /** Relay boards that switch on a low level (many cheap ones). */
    activeLow: z.boolean().default(false),
  });
  return {
    inputs: z.record(z.string(), input).default(() => structuredClone(defaults.inputs) as never),
    outputs: z.record(z.string(), output).default(() => structuredClone(defaults.outputs) as never),
  };
}

const simulatedIo = z.strictObject({
  driver: z.literal('simulated'),
  ...pinMaps(simulatedPin, DEFAULT_GPIO_PINS),
});

const gpioIo = z.strictObject({
  driver: z.literal('gpio'),
  /** sysfs root (only for tests and unusual mounts). */
  sysfsRoot: z.string().default('/sys/class/gpio'),
  /** Label of the GPIO chip carrying the header (default: the Raspberry Pi SoC labels). */
  chip: z.string().min(1).optional(),
  /** sysfs number of BCM 0, to skip the lookup. */
  base: z.number().int().min(0).max(4096).optional(),
  ...pinMaps(bcmPin, DEFAULT_GPIO_PINS),
});

const firmataIo = z.strictObject({
  driver: z.literal('firmata'),
  /** Serial device of the Arduino; the udev rules make it stable. */
  port: z.string().min(1, { error: () => t('config.io.firmataPort') }).default('/dev/relais-firmata'),
  baud: z
    .number()
    .int()
    .refine((b) => [9600, 19200, 38400, 57600, 115200].includes(b), { error: () => t('config.io.firmataBaud') })
    .default(57600),
  /** How long to wait for the Firmata handshake after opening the port. */
  readyTimeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
  /** Liveness check: the board is asked for its version this often; 0 turns it off. */
  heartbeatMs: z.number().int().min(0).max(60_000).default(5000),
  /** After the USB link drops, the wait before the first reopen attempt; doubled after each failure. */
  reconnectDelayMs: z.number().int().min(10).max(60_000).default(500),
  /** The longest wait between reopen attempts. */
  reconnectMaxDelayMs: z.number().int().min(10).max(300_000).default(10_000),
  ...pinMaps(firmataPin, DEFAULT_FIRMATA_PINS),
});

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The `io` section. Omitted, it is the simulated driver with the default pin names. */
export const ioConfigSchema = z.preprocess(
  (value) => (value === undefined || value === null ? { driver: 'simulated' } : typeof value === 'object' && !('driver' in value) ? { driver: 'simulated', ...value } : value),
  z
    .discriminatedUnion('driver', [simulatedIo, gpioIo, firmataIo], {
      error: (issue) => (issue.code === 'invalid_union' ? t('config.io.driver') : undefined),
    })
    .superRefine((io, ctx) => {
      const seen = new Map<string, string>();
      for (const kind of ['inputs', 'outputs'] as const) {
        for (const [name, spec] of Object.entries(io[kind])) {
          if (!NAME.test(name)) {
            ctx.addIssue({ code: 'custom', path: [kind, name], message: t('config.io.pinName', { name }) });
          }
          const key = String(spec.pin).toUpperCase();
          const other = seen.get(key);
          if (other) ctx.addIssue({ code: 'custom', path: [kind, name, 'pin'], message: t('config.io.pinTwice', { pin: String(spec.pin), other }) });
          else seen.set(key, `${kind}.${name}`);
        }
      }
    }),
);
export type IoConfig = z.output<typeof ioConfigSchema>;

/** A place in the config that names a pin, for cross-checks: `buttons.podium.input` names input `podium`. */
export interface PinReference {
  path: (string | number)[];
  kind: 'input' | 'output';
  name: string;
}

function notDefined(kind: 'input' | 'output', name: string, known: readonly string[]): string {
  return t(kind === 'input' ? 'config.io.noInput' : 'config.io.noOutput', { name, known: known.join(', ') || t('config.io.none') });
}

/** Issues for every reference to a pin name that `io` does not define (for the site config's superRefine). */
export function pinReferenceIssues(io: IoConfig, refs: readonly PinReference[]): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const ref of refs) {
    const map = ref.kind === 'input' ? io.inputs : io.outputs;
    if (!(ref.name in map)) {
      issues.push({ path: ref.path, message: notDefined(ref.kind, ref.name, Object.keys(map)) });
    }
  }
  return issues;
}

/** The {@link PinSpec} for a named pin; throws naming the config path when it is missing. */
export function pinSpec(io: IoConfig, kind: 'input' | 'output', name: string, usedAt: string): PinSpec {
  const map = kind === 'input' ? io.inputs : io.outputs;
  const entry = map[name];
  if (!entry) {
    throw new Error(`${usedAt}${t('punct.colon')}${notDefined(kind, name, Object.keys(map))}`);
  }
  return { name, pin: entry.pin, activeLow: entry.activeLow };
}
