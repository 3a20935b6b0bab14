/**
 * The `broker` section of every config (box, conductor) and of the command-line
 * clients' flags: where the broker is, who we are to it, how TLS is checked.
 * It sits with the MQTT client that reads it, below the config files that embed it.
 */
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { t } from '../i18n/index.js';
import '../i18n/zod-words.js';

export const brokerSchema = z
  .strictObject({
    /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://host:9001`; several for a cluster, tried in turn. */
    url: z.string().regex(/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/, { error: () => t('config.broker.url') }).default('mqtt://127.0.0.1:1883'),
    /** Other cluster nodes to fail over to (same scheme as `url`). */
    fallbackUrls: z.array(z.string()).default([]),
    username: z.string().optional(),
    password: z.string().optional(),
    /** PEM files for TLS: the CA that signed the broker, and optionally a client certificate. */
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** Checked against the broker certificate; leave on. */
    rejectUnauthorized: z.boolean().default(true),
    keepaliveSeconds: z.number().int().min(1).max(600).default(5),
    reconnectMs: z.number().int().min(100).max(60_000).default(1000),
    /**
     * MQTT protocol: 4 (3.1.1, what Aedes and NATS speak) or 5 (Mosquitto 2):
     * with 5 the broker says why it closes a connection, e.g. "session taken
     * over" when another box uses the same site id (src/mqtt/takeover.ts).
     */
    protocolVersion: z.union([z.literal(4), z.literal(5)], { error: () => t('config.broker.protocolVersion') }).default(4),
  })
  .prefault({});
export type BrokerConfig = z.infer<typeof brokerSchema>;

/** The flags every command-line client takes for its broker. */
export interface BrokerFlags {
  broker: string;
  username?: string;
  password?: string;
  ca?: string;
}

const FLAG_OF: Record<string, string> = { url: '--broker', username: '--username', password: '--password', ca: '--ca' };

/** The broker section from a command's flags; a bad value is a {@link UserError} that names the flag. */
export function brokerFromFlags(flags: BrokerFlags, settings: Partial<Pick<BrokerConfig, 'reconnectMs' | 'keepaliveSeconds'>> = {}): BrokerConfig {
  const parsed = brokerSchema.safeParse({ url: flags.broker, username: flags.username, password: flags.password, ca: flags.ca, ...settings });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return `${FLAG_OF[key] ?? key}${t('punct.colon')}${key === 'url' ? t('errors.brokerUrl') : issue.message}`;
  });
  throw new UserError(t('errors.brokerFlags', { problems: problems.join('; '), value: flags.broker }));
}
