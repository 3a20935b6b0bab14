/**
 * The `tallySources` and `tallyOut` sections of a site config: which network
 * switchers the box reads tally from, how their inputs map to the site's
 * cameras (and which lamps show them), and where relais's own tally goes out
 * as TSL UMD. Kept apart from the sources so the config schema loads no socket code.
 */
import { z } from 'zod';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';
import type { PinReference } from '../hardware/config.js';

const host = z.string().min(1, { error: () => t('config.tally.host') });
const port = z.number().int().min(1).max(65_535);
const pinName = z.string().min(1);

/** A switcher input: ATEM/vMix input number or TSL index, or a name (ATEM input name, OBS scene or source). */
const inputRef = z.union([z.number().int().min(0).max(65_535), z.string().min(1)]);

/** One camera: a bare input, or the input and the camera's red/green lamps. */
const cameraMapping = z.union([
  inputRef.transform((input) => ({ input })),
  z.strictObject({ input: inputRef, red: pinName.optional(), green: pinName.optional() }),
]);

const common = {
  /** Camera name to switcher input. */
  cameras: z.record(z.string(), cameraMapping).refine((c) => Object.keys(c).length > 0, { error: () => t('config.tally.oneCamera') }),
  /** After the link drops, the last tally holds this long, then the lamps show "tally unknown". */
  trustMs: z.number().int().min(0).max(600_000).default(3000),
  reconnect: z.strictObject({ initialDelayMs: z.number().int().min(10).max(60_000).default(500), maxDelayMs: z.number().int().min(10).max(600_000).default(10_000) }).prefault({}),
};

export const tallySourceConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('atem'), host, port: port.default(9910), ...common }),
  z.strictObject({ kind: z.literal('obs'), host, port: port.default(4455), password: z.string().optional(), ...common }),
  z.strictObject({ kind: z.literal('vmix'), host, port: port.default(8099), pollMs: z.number().int().min(100).max(60_000).default(2000), ...common }),
  z.strictObject({
    kind: z.literal('tsl'),
    version: z.enum(['3.1', '5.0']),
    /** Listen address. */
    host: z.string().default('0.0.0.0'),
    udpPort: port.optional(),
    tcpPort: port.optional(),
    silenceMs: z.number().int().min(0).max(600_000).default(10_000),
    programTally: z.number().int().min(1).max(4).default(1),
    previewTally: z.number().int().min(1).max(4).default(2),
    ...common,
  }),
]);
export type TallySourceConfig = z.output<typeof tallySourceConfigSchema>;

export const tallySourcesConfigSchema = z.array(tallySourceConfigSchema).default([]);

export const tallyOutConfigSchema = z.strictObject({
  version: z.enum(['3.1', '5.0']).default('5.0'),
  destinations: z.array(z.strictObject({ host, port, transport: z.enum(['udp', 'tcp']).default('udp') })).min(1, { error: () => t('config.tally.destination') }),
  screen: z.number().int().min(0).max(65_534).default(0),
  refreshMs: z.number().int().min(0).max(60_000).default(1000),
  /** Camera name to the TSL index (display address) it goes out on. */
  cameras: z.record(z.string(), z.number().int().min(0).max(65_534)),
});
export type TallyOutConfig = z.output<typeof tallyOutConfigSchema>;

/** Config mistakes the schemas alone cannot see, with their paths. */
export function tallySourcesIssues(sources: readonly TallySourceConfig[], gpiCameras: readonly string[], tallyOut: TallyOutConfig | undefined): Array<{ path: (string | number)[]; message: string }> {
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  const owner = new Map<string, string>(gpiCameras.map((c) => [c, t('config.tally.gpi')]));
  sources.forEach((source, i) => {
    if (source.kind === 'atem' && sources.findIndex((s) => s.kind === 'atem') !== i) {
      issues.push({ path: ['tallySources', i, 'kind'], message: t('config.tally.oneAtem') });
    }
    if (source.kind === 'tsl') {
      if (source.udpPort === undefined && source.tcpPort === undefined) issues.push({ path: ['tallySources', i], message: t('config.tally.tslPort') });
      if (source.tcpPort !== undefined && source.version === '3.1') issues.push({ path: ['tallySources', i, 'tcpPort'], message: t('config.tally.tsl31Udp') });
    }
    for (const camera of Object.keys(source.cameras)) {
      const before = owner.get(camera);
      if (before) issues.push({ path: ['tallySources', i, 'cameras', camera], message: t('config.tally.cameraTwice', { camera, before }) });
      else owner.set(camera, `tallySources[${i}] (${source.kind})`);
    }
  });
  for (const camera of Object.keys(tallyOut?.cameras ?? {})) {
    if (!owner.has(camera)) issues.push({ path: ['tallyOut', 'cameras', camera], message: t('config.tally.noTally', { camera, known: [...owner.keys()].join(', ') || t('config.io.none') }) });
  }
  if (tallyOut?.version === '3.1' && tallyOut.destinations.some((d) => d.transport === 'tcp')) {
    issues.push({ path: ['tallyOut', 'destinations'], message: t('config.tally.tsl31Udp') });
  }
  return issues;
}

/** Lamp pins the sections refer to, for the cross-check against `io`. */
export function tallySourcesPinReferences(sources: readonly TallySourceConfig[]): PinReference[] {
  const refs: PinReference[] = [];
  sources.forEach((source, i) => {
    for (const [camera, m] of Object.entries(source.cameras)) {
      if ('red' in m && m.red) refs.push({ path: ['tallySources', i, 'cameras', camera, 'red'], kind: 'output', name: m.red });
      if ('green' in m && m.green) refs.push({ path: ['tallySources', i, 'cameras', camera, 'green'], kind: 'output', name: m.green });
    }
  });
  return refs;
}
