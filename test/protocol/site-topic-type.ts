// Compile-time checks of the topic map's types (type-checked by `npm run build`, never run):
// a site topic needs its site, a topic of the whole event takes none.
import type { TopicParams } from '../../src/mqtt/publisher.js';
import { topic, type SiteTopicName } from '../../src/protocol/topics.js';

const siteTopic: SiteTopicName = 'ptzCommand';
// @ts-expect-error floor names no site
const eventTopic: SiteTopicName = 'floor';
const withSite: TopicParams<'ptzResult'> = { site: 'saint-camille' };
// @ts-expect-error ptz/result needs the site
const missingSite: TopicParams<'ptzResult'> = {};
// @ts-expect-error the floor takes no site
const extraSite: TopicParams<'floor'> = { site: 'saint-camille' };
const built = (): string => topic('demo', 'siteState', 'saint-camille');
// @ts-expect-error a site topic built without its site
const unbuilt = (): string => topic('demo', 'siteState');
// @ts-expect-error the floor built with a site
const misbuilt = (): string => topic('demo', 'floor', 'saint-camille');
export const checks = [siteTopic, eventTopic, withSite, missingSite, extraSite, built, unbuilt, misbuilt];
