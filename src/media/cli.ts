/**
 * Commands of the media area: `relais relay`, `relais media probe`,
 * `relais media sign <site>`.
 */
import { connectBroker } from '../mqtt/connect.js';
import { brokerFromFlags } from '../mqtt/config.js';
import { encode, publishOptions, topic } from '../protocol/topics.js';
import type { RelayStreams } from '../protocol/schemas.js';
import { announceService } from '../system/service.js';
import type { Command } from 'commander';
import { intArg, parsePort } from '../util/args.js';
import { nextSignal } from '../util/signals.js';
import { createLogger } from '../util/log.js';
import { parseRelayConfig } from './config.js';
import { chooseEncoder, defaultProbeCache } from './probe.js';
import { Relay, type StreamsSnapshot } from './relay.js';
import { signPublishUrl } from './sign.js';
import { slug } from '../protocol/schemas.js';
import { t } from '../i18n/index.js';

/** Every failure of these commands is the input's or the setup's: exit status 2 with the command's name. */
function fail(cmd: Command, err: unknown): never {
  const message = (err as Error).message;
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  cmd.error(`relais ${names.join(' ')}: ${message}`, { exitCode: 2 });
}

interface RelayFlags {
  rtmpPort?: number;
  httpPort?: number;
  whepPort?: number;
  whep?: boolean;
  secret?: string;
  bind?: string;
  dataDir?: string;
  srtSites?: string;
  srtPort?: number;
  srtEgressPort?: number;
  srtLatency?: number;
  srtPassphrase?: string;
  ffmpeg?: string;
}

interface ProbeFlags {
  ffmpeg?: string;
  cache?: string;
  json?: boolean;
}

interface SignFlags {
  secret?: string;
  base: string;
  ttl?: number;
}

/** Adds `relay` and `media probe|sign` to the program. */
export function registerMediaCommands(program: Command): void {
  program
    .command('relay')
    .description(t('help.relay.description'))
    .option('--rtmp-port <port>', t('help.relay.rtmpPort'), parsePort)
    .option('--http-port <port>', t('help.relay.httpPort'), parsePort)
    .option('--whep-port <port>', t('help.relay.whepPort'), parsePort)
    .option('--no-whep', t('help.relay.noWhep'))
    .option('--secret <secret>', t('help.relay.secret'))
    .option('--bind <address>', t('help.relay.bind'))
    .option('--data-dir <dir>', t('help.relay.dataDir'))
    .option('--srt-sites <sites>', t('help.relay.srtSites'))
    .option('--srt-port <port>', t('help.relay.srtPort'), intArg('--srt-port', 1, 65000))
    .option('--srt-egress-port <port>', t('help.relay.srtEgressPort'), intArg('--srt-egress-port', 1, 65000))
    .option('--srt-latency <ms>', t('help.relay.srtLatency'), intArg('--srt-latency', 20, 8000))
    .option('--srt-passphrase <secret>', t('help.relay.srtPassphrase'))
    .option('--ffmpeg <path>', t('help.relay.ffmpeg'))
    .option('--broker <url>', t('help.relay.broker'), process.env.RELAIS_BROKER_URL)
    .option('--event <id>', t('help.relay.event'), process.env.RELAIS_EVENT ?? 'demo')
    .option('-u, --username <name>', t('help.broker.username'), process.env.RELAIS_BROKER_USERNAME)
    .option('-P, --password <secret>', t('help.broker.password'), process.env.RELAIS_BROKER_PASSWORD)
    .action(async (flags: RelayFlags & { broker?: string; event: string; username?: string; password?: string }, cmd: Command) => {
      // Listen for Ctrl-C before starting, so an early one still stops cleanly.
      const interrupted = nextSignal();
      let relay: Relay;
      const stops: Array<() => Promise<void>> = [];
      try {
        const config = parseRelayConfig({
          secret: flags.secret || process.env.RELAIS_RELAY_SECRET || undefined,
          ...(flags.rtmpPort !== undefined ? { rtmpPort: flags.rtmpPort } : {}),
          ...(flags.httpPort !== undefined ? { httpPort: flags.httpPort } : {}),
          ...(flags.whep === false ? { whepPort: null } : flags.whepPort !== undefined ? { whepPort: flags.whepPort } : {}),
          ...(flags.bind ? { bind: flags.bind } : {}),
          ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
          ...(flags.srtSites
            ? {
                srt: {
                  sites: flags.srtSites.split(',').map((s) => s.trim()).filter(Boolean),
                  ...(flags.srtPort ? { ingestPort: flags.srtPort } : {}),
                  ...(flags.srtEgressPort ? { egressPort: flags.srtEgressPort } : {}),
                  ...(flags.srtLatency ? { latencyMs: flags.srtLatency } : {}),
                  ...(flags.srtPassphrase || process.env.RELAIS_SRT_PASSPHRASE ? { passphrase: flags.srtPassphrase || process.env.RELAIS_SRT_PASSPHRASE } : {}),
                },
              }
            : {}),
        });
        const log = createLogger('relay');
        relay = new Relay({ ...config, log, ffmpeg: flags.ffmpeg });
        relay.on('streams', (snap) => {
          const live = snap.streams.filter((s) => s.status !== 'idle').map((s) => `${s.site}(${s.status}, ${s.viewers} watching)`);
          log.info('streams', { live: live.join(' ') || 'none' });
        });
        await relay.start();
        if (flags.broker) {
          const client = connectBroker(brokerFromFlags({ broker: flags.broker, username: flags.username, password: flags.password }), { clientId: `relais-relay-${process.pid}` });
          client.on('error', (err) => log.warn(t('logs.brokerError'), { error: err.message }));
          const report = (snap: StreamsSnapshot): void => {
            client.publish(topic(flags.event, 'relayStreams'), encode('relayStreams', snap), publishOptions('relayStreams'));
          };
          relay.on('streams', report);
          client.on('connect', () => report(relay.snapshot()));
          stops.push(() => client.endAsync().then(() => undefined));
        }
      } catch (err) {
        fail(cmd, err);
      }
      const service = announceService('relay');
      await interrupted;
      await service.stopping();
      await Promise.allSettled(stops.map((s) => s()));
      await relay.stop();
    });

  const media = program.command('media').description(t('help.media.description'));

  media
    .command('probe')
    .description(t('help.media.probe'))
    .option('--ffmpeg <path>', t('help.media.ffmpeg'))
    .option('--cache <file>', t('help.media.cache', { file: defaultProbeCache() }))
    .option('--json', t('help.json'))
    .action(async (flags: ProbeFlags, cmd: Command) => {
      try {
        const result = await chooseEncoder({ binary: flags.ffmpeg, cacheFile: flags.cache, all: true, fresh: true, log: createLogger('probe') });
        if (flags.json) {
          process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          return;
        }
        const lines = [`ffmpeg ${result.version} (${result.binary})`];
        if (result.board) lines.push(`board: ${result.board}`);
        if (result.note) lines.push(`note: ${result.note}`);
        for (const t of result.trials) lines.push(`  ${t.ok ? 'ok  ' : 'no  '} ${t.encoder.padEnd(13)} ${t.reason}${t.ms ? ` (${t.ms} ms)` : ''}`);
        lines.push(`chosen: ${result.encoder}`);
        process.stdout.write(lines.join('\n') + '\n');
      } catch (err) {
        fail(cmd, err);
      }
    });

  media
    .command('sign <site>')
    .description(t('help.media.sign'))
    .option('--secret <secret>', t('help.media.secret'))
    .option('--base <url>', t('help.media.base'), 'rtmp://127.0.0.1:1935/live')
    .option('--ttl <seconds>', t('help.media.ttl'), intArg('--ttl', 30, 7 * 24 * 3600))
    .action((site: string, flags: SignFlags, cmd: Command) => {
      try {
        const parsedSite = slug.safeParse(site);
        if (!parsedSite.success) throw new Error(t('errors.mediaSiteSlug', { site }));
        const config = parseRelayConfig({ secret: flags.secret || process.env.RELAIS_RELAY_SECRET || undefined, ...(flags.ttl ? { urlTtlSeconds: flags.ttl } : {}) });
        if (!/^rtmps?:\/\/[^\s/]+(?::\d+)?\/live\/?$/.test(flags.base)) throw new Error(t('errors.mediaBase', { base: flags.base }));
        process.stdout.write(signPublishUrl({ base: flags.base, site, secret: config.secret, ttlSeconds: config.urlTtlSeconds }) + '\n');
      } catch (err) {
        fail(cmd, err);
      }
    });
}
