/**
 * Who may publish where: the protocol's topic map says who writes each topic
 * (`writers` in src/protocol/topics.ts). The embedded broker enforces it with
 * this function; scripts/mosquitto/make-users.sh writes the same rules for
 * Mosquitto and NATS, and a test checks the two agree.
 */
import { matchSuffix, splitTopic, TOPICS } from '../protocol/topics.js';

export type BrokerRole = 'admin' | 'conductor' | 'site' | 'operator' | 'viewer';

export interface BrokerUser {
  username: string;
  password: string;
  role: BrokerRole;
  /** For `site` users: the one site they speak for. */
  site?: string;
}

/**
 * `null` when the publish is allowed, else the reason it is refused.
 * Only topics of the contract, and only by their writers; admins: anything.
 */
export function publishRefusal(user: BrokerUser, fullTopic: string): string | null {
  if (user.role === 'admin') return null;
  const split = splitTopic(fullTopic);
  const match = split ? matchSuffix(split.rest) : null;
  if (!match) return user.role === 'viewer' ? `viewer ${user.username} may not publish` : `${user.username} may publish only relais/v1/ topics of the contract (docs/protocol.md)`;
  const writers: readonly string[] = TOPICS[match.name].writers;
  if (!writers.includes(user.role)) return user.role === 'viewer' ? `viewer ${user.username} may not publish ${match.name}` : `${user.role} ${user.username} may not publish ${match.name} (${TOPICS[match.name].pattern})`;
  if (user.role === 'site' && match.site !== user.site) return `site user ${user.username} may publish only for site ${user.site ?? '?'}, not ${match.site ?? '?'}`;
  return null;
}

/** Reading is open to every authenticated user, inside relais/ only (admins: anything). */
export function subscribeRefusal(user: BrokerUser, filter: string): string | null {
  if (user.role === 'admin') return null;
  if (filter.startsWith('relais/')) return null;
  return `${user.username} may subscribe only below relais/`;
}
