/**
 * Appliance feature: the newest `relais link test --report` of this site
 * (retained on `site/<site>/link-test`, published with the site's login)
 * carried into the site's state as `linkTest`, so the operator sees on the
 * site's card what the link measured and which SRT settings it calls for.
 */
import type { Feature, FeatureContext } from '../appliance/feature.js';

export class LinkTestFeature implements Feature {
  readonly name = 'link-test';

  async start(ctx: FeatureContext): Promise<void> {
    await ctx.subscribe('siteLinkTest', { site: ctx.site }, (result) => {
      ctx.log.info('link test result', { at: result.at, latencyMs: result.recommended.latencyMs, bitrateKbps: result.recommended.bitrateKbps });
      ctx.reportState('linkTest', result);
    });
  }

  async stop(): Promise<void> {
    // The subscription goes with the feature (the runtime removes it).
  }
}
