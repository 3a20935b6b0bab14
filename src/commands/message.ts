/**
 * `relais message send --to operator "…" -c site.yaml`: a site's technician
 * writes to the operator from the box, with the box's own login (only that
 * site's box may write `site/<site>/message/operator`). The message is
 * retained until the next one, shown on every operator page with the site's
 * name, and marked read there; `--wait` waits for that read.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadSiteConfig } from '../config/load.js';
import { currentLang, t } from '../i18n/index.js';
import { formatTimeOfDay } from '../i18n/time.js';
import { connectBroker, waitConnected } from '../mqtt/connect.js';
import { siteMessage, type MessageAck } from '../protocol/schemas.js';
import { decode, encode, publishOptions, topic } from '../protocol/topics.js';
import { EXIT, UserError } from '../util/errors.js';
import { PublishRefusedError } from './floor-client.js';

export interface SendOptions {
  config: string;
  text: string;
  /** Seconds to wait for the operator's read; 0: do not wait. */
  waitS: number;
  timeoutMs: number;
}

/** Sends the message; resolves with the operator's read when `waitS` > 0 (null: not read in time). */
export async function sendToOperator(opts: SendOptions, print: (line: string) => void): Promise<MessageAck | null> {
  const config = await loadSiteConfig(opts.config);
  const message = { id: `tech-${randomUUID()}`, text: opts.text, from: config.site, at: new Date().toISOString() };
  const checked = siteMessage.safeParse(message);
  if (!checked.success) throw new UserError(t('techMessage.bad', { reason: checked.error.issues.map((i) => `${i.path.join('.')}${t('punct.colon')}${i.message}`).join('; ') }), EXIT.usage);
  const fullTopic = topic(config.event, 'operatorMessage', config.site);
  const client = connectBroker(config.broker, { clientId: `relais-message-${config.site}-${randomUUID().slice(0, 6)}` });
  client.on('error', () => undefined);
  try {
    await waitConnected(client, config.broker.url, opts.timeoutMs);
    const refused = new Promise<never>((_, reject) => client.once('close', () => reject(new PublishRefusedError(fullTopic, config.broker.username ?? t('header.anonymous')))));
    refused.catch(() => undefined);
    const ackTopic = topic(config.event, 'operatorMessageAck', config.site);
    let resolveAck: (ack: MessageAck) => void = () => undefined;
    const acked = new Promise<MessageAck>((resolve) => (resolveAck = resolve));
    if (opts.waitS > 0) {
      client.on('message', (t2, payload) => {
        if (t2 !== ackTopic) return;
        const d = decode('operatorMessageAck', payload);
        if (d.ok && d.value.id === message.id) resolveAck(d.value);
      });
      await client.subscribeAsync(ackTopic, { qos: 1 });
    }
    await Promise.race([client.publishAsync(fullTopic, encode('operatorMessage', checked.data), publishOptions('operatorMessage')), refused]);
    print(t('techMessage.sent', { site: config.name ?? config.site }));
    if (opts.waitS <= 0) return null;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), opts.waitS * 1000)));
    const ack = await Promise.race([acked, late, refused]);
    clearTimeout(timer);
    print(ack ? t('techMessage.read', { time: formatTimeOfDay(ack.at, currentLang()) }) : t('techMessage.notRead', { s: opts.waitS }));
    return ack;
  } finally {
    client.removeAllListeners('close');
    await client.endAsync(true).catch(() => undefined);
  }
}

export function registerMessageCommand(program: Command): void {
  program
    .command('message')
    .description(t('help.message.description'))
    .command('send')
    .description(t('help.message.send'))
    .argument('<text>', t('help.message.text'))
    .requiredOption('--to <who>', t('help.message.to'))
    .option('-c, --config <file>', t('help.message.config'), '/etc/relais/appliance.yaml')
    .option('--wait <seconds>', t('help.message.wait'), '0')
    .option('--timeout <ms>', t('help.message.timeout'), '5000')
    .action(async (text: string, opts: { to: string; config: string; wait: string; timeout: string }) => {
      if (opts.to !== 'operator') throw new UserError(t('techMessage.onlyOperator', { to: opts.to }), EXIT.usage);
      const waitS = Number(opts.wait);
      const timeoutMs = Number(opts.timeout);
      if (!Number.isFinite(waitS) || waitS < 0 || !Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UserError(t('techMessage.badNumber'), EXIT.usage);
      const ack = await sendToOperator({ config: opts.config, text, waitS, timeoutMs }, (line) => process.stdout.write(`${line}\n`));
      if (waitS > 0 && !ack) process.exitCode = EXIT.failure;
    });
}
