/**
 * Configuration schemas. One YAML file per box (`site`) and one for the
 * conductor; every field has a default a demo can live with.
 */
import { z } from 'zod';
import { slug } from '../protocol/schemas.js';
import { ioConfigSchema, pinReferenceIssues, type PinReference } from '../hardware/config.js';
import { buttonsConfigSchema, buttonPinReferences } from '../buttons/config.js';
import { tallyInConfigSchema, tallyInPinReferences } from '../appliance/tally-in-config.js';
import { tallyOutConfigSchema, tallySourcesConfigSchema, tallySourcesIssues, tallySourcesPinReferences } from '../tally/config.js';
import { displayConfigSchema, encoderConfigSchema } from '../media/config.js';
import { ptzConfigSchema } from '../ptz/config.js';
import { brokerSchema } from '../mqtt/config.js';
import { headerUartIssues } from './header-uart.js';
import { t } from '../i18n/index.js';

export { brokerSchema, type BrokerConfig } from '../mqtt/config.js';


export const siteEntrySchema = z.strictObject({
  id: slug,
  name: z.string().optional(),
});

export const rundownEntrySchema = z.strictObject({
  title: z.string().min(1, { error: () => t('tools.configIssue.notEmpty') }),
  speaker: z.string().default(''),
  site: slug,
  minutes: z.number().positive({ error: () => t('tools.configIssue.minutes') }),
});

export const conductorConfigSchema = z
  .strictObject({
    event: slug.default('demo'),
    title: z.string().default('relais'),
    /** The event's language for what people read (`fr` Quebec French, `en`); `--lang` and LANG win on a command line. */
    lang: z.enum(['fr', 'en']).default('fr'),
    broker: brokerSchema,
    conductor: z
      .strictObject({
        /** Stable name of this conductor (default: the host name). */
        id: z.string().min(1).max(64).optional(),
        stateFile: z.string().default('./var/conductor-state.json'),
        heartbeatMs: z.number().int().min(50).max(60_000).default(1000),
        leaseMs: z.number().int().min(200).max(300_000).default(5000),
        autoGrant: z.boolean().default(false),
        nextPolicy: z.enum(['rundown', 'queue']).default('rundown'),
        idWindow: z.number().int().min(1).max(100_000).default(1000),
        /** The ids of every conductor of the event; when set, only these can depose a primary (docs/protocol.md, Fencing). */
        peers: z.array(z.string().min(1).max(64)).max(16).default([]),
        /** Hold a grant, next or pass until every display reports the new site's feed ready (docs/media.md), at most `holdMs`. */
        holdUntilBuffered: z.boolean().default(false),
        holdMs: z.number().int().min(100).max(10_000).default(2000),
      })
      .prefault({}),
    sites: z.array(siteEntrySchema).min(1, { error: () => t('tools.configIssue.noSite') }),
    rundown: z.array(rundownEntrySchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.conductor.heartbeatMs >= cfg.conductor.leaseMs) {
      ctx.addIssue({ code: 'custom', path: ['conductor', 'heartbeatMs'], message: t('tools.configIssue.heartbeat', { heartbeat: cfg.conductor.heartbeatMs, lease: cfg.conductor.leaseMs }) });
    }
    const ids = new Set<string>();
    cfg.sites.forEach((site, i) => {
      if (ids.has(site.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: t('tools.configIssue.siteTwice', { site: site.id }) });
      ids.add(site.id);
    });
    cfg.rundown.forEach((item, i) => {
      if (!ids.has(item.site)) ctx.addIssue({ code: 'custom', path: ['rundown', i, 'site'], message: t('tools.configIssue.notASite', { site: item.site, sites: [...ids].join(', ') }) });
    });
  });
export type ConductorConfig = z.infer<typeof conductorConfigSchema>;

const outputName = z.string().min(1);

export const siteConfigSchema = z
  .strictObject({
  event: slug.default('demo'),
  /** The event's language for what people read at this box (`fr`, `en`). */
  lang: z.enum(['fr', 'en']).default('fr'),
  site: slug,
  name: z.string().optional(),
  broker: brokerSchema,
  link: z
    .strictObject({
      /** Broker or conductor silent longer than this: lamps go to the link-lost pattern. */
      leaseMs: z.number().int().min(200).max(300_000).default(5000),
      /** A press made while the link is down is sent on reconnect if younger than this, else dropped. */
      holdPressMs: z.number().int().min(0).max(600_000).default(10_000),
    })
    .prefault({}),
  /** Which outputs (by name in `io.outputs`) are the room lamps. */
  lamps: z
    .strictObject({
      onAir: outputName.default('onAir'),
      next: outputName.default('next'),
      button: outputName.default('buttonLamp'),
    })
    .prefault({}),
  /** Period of the retained `state` refresh; changes are published at once anyway. */
  stateIntervalMs: z.number().int().min(1000).max(600_000).default(10_000),
  /** Which I/O driver and the named pins (hardware/pinout.md). */
  io: ioConfigSchema,
  /** Podium buttons: which input, which gestures do what. */
  buttons: buttonsConfigSchema,
  /** Switcher tally contacts per camera, and their red/green lamps. */
  tallyIn: tallyInConfigSchema,
  /** Network switchers' tally: ATEM, OBS, vMix, TSL UMD in (hardware/tally.md). */
  tallySources: tallySourcesConfigSchema,
  /** relais's own tally (floor × local program) out as TSL UMD. */
  tallyOut: tallyOutConfigSchema.optional(),
  /** PTZ cameras over VISCA (serial, IP, TCP), their presets and floor bindings (docs/ptz.md). */
  cameras: ptzConfigSchema,
  /** The room feed: capture or test pattern, encoder choice, relay URL (docs/media.md). */
  encoder: encoderConfigSchema.optional(),
  /** The room display: plays whichever site is on air (docs/media.md). */
  display: displayConfigSchema.optional(),
})
  .superRefine((cfg, ctx) => {
    const lampRefs: PinReference[] = (['onAir', 'next', 'button'] as const).map((lamp) => ({ path: ['lamps', lamp], kind: 'output', name: cfg.lamps[lamp] }));
    for (const issue of pinReferenceIssues(cfg.io, [...lampRefs, ...buttonPinReferences(cfg.buttons), ...tallyInPinReferences(cfg.tallyIn), ...tallySourcesPinReferences(cfg.tallySources)])) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    for (const issue of tallySourcesIssues(cfg.tallySources, Object.keys(cfg.tallyIn), cfg.tallyOut)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    for (const issue of headerUartIssues(cfg.io, cfg.cameras)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type SiteConfig = z.infer<typeof siteConfigSchema>;
