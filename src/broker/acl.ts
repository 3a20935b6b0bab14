/**
 * Who may publish where. The same rules are written for Mosquitto in
 * scripts/mosquitto/acl; the embedded broker enforces them with this function.
 */
export type BrokerRole = 'admin' | 'conductor' | 'site' | 'operator' | 'viewer';

export interface BrokerUser {
  username: string;
  password: string;
  role: BrokerRole;
  /** For `site` users: the one site they speak for. */
  site?: string;
}

const BASE = /^relais\/v1\/([a-z0-9-]+)\/(.+)$/;

/**
 * `null` when the publish is allowed, else the reason it is refused.
 * Topics outside `relais/v1/` are only for admins.
 */
export function publishRefusal(user: BrokerUser, topic: string): string | null {
  if (user.role === 'admin') return null;
  const match = BASE.exec(topic);
  if (!match) return `${user.username} may not publish outside relais/v1/`;
  const rest = match[2]!;
  switch (user.role) {
    case 'conductor':
      if (rest === 'floor' || rest === 'events' || rest === 'rundown' || rest.startsWith('conductor/') || rest.startsWith('relay/')) return null;
      return `conductor ${user.username} may publish only floor, events, rundown, conductor/# and relay/#`;
    case 'site': {
      const prefix = `site/${user.site}/`;
      if (user.site && rest.startsWith(prefix) && !rest.startsWith(`${prefix}ptz/command`)) return null;
      return `site user ${user.username} may publish only under site/${user.site ?? '?'}/`;
    }
    case 'operator':
      if (rest === 'control' || /^site\/[a-z0-9-]+\/ptz\/command$/.test(rest)) return null;
      return `operator ${user.username} may publish only control and site/+/ptz/command`;
    case 'viewer':
      return `viewer ${user.username} may not publish`;
  }
}

/** Reading is open to every authenticated user, inside relais/ only (admins: anything). */
export function subscribeRefusal(user: BrokerUser, filter: string): string | null {
  if (user.role === 'admin') return null;
  if (filter.startsWith('relais/')) return null;
  return `${user.username} may subscribe only below relais/`;
}
