/**
 * Reads a YAML config, applies environment overrides and validates it. Errors
 * name the path and the fix: `sites[1].id : doit être un identifiant en minuscules ...`.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { EXIT, UserError } from '../util/errors.js';
import { conductorConfigSchema, siteConfigSchema, type ConductorConfig, type SiteConfig } from './schema.js';
import { describeIssues, formatPath } from './issues.js';
import { t } from '../i18n/index.js';

/** A config file that cannot be used: `source` is the file, each problem names its path and the fix. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : '\n  ' + problems.join('\n  ')}`, EXIT.usage, options);
  }
}

export { describeIssues, formatPath } from './issues.js';

export type ConfigKind = 'site' | 'conductor';

/** Environment variables that override a file (for containers and systemd drop-ins). */
export function applyEnvOverrides(raw: Record<string, unknown>, kind: ConfigKind, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const broker = { ...((out.broker as Record<string, unknown> | undefined) ?? {}) };
  if (env.RELAIS_BROKER_URL) broker.url = env.RELAIS_BROKER_URL;
  if (env.RELAIS_BROKER_USERNAME) broker.username = env.RELAIS_BROKER_USERNAME;
  if (env.RELAIS_BROKER_PASSWORD) broker.password = env.RELAIS_BROKER_PASSWORD;
  if (env.RELAIS_BROKER_CA) broker.ca = env.RELAIS_BROKER_CA;
  if (Object.keys(broker).length) out.broker = broker;
  if (env.RELAIS_EVENT) out.event = env.RELAIS_EVENT;
  if (kind === 'site' && env.RELAIS_SITE) out.site = env.RELAIS_SITE;
  if (kind === 'conductor' && env.RELAIS_STATE_FILE) {
    out.conductor = { ...((out.conductor as Record<string, unknown> | undefined) ?? {}), stateFile: env.RELAIS_STATE_FILE };
  }
  return out;
}

function parseText(text: string, source: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const detail = err instanceof YAMLParseError ? t('errors.configYamlLine', { line: err.linePos?.[0]?.line ?? '?', message: err.message.split('\n')[0]! }) : String(err);
    throw new ConfigError(source, [t('errors.configYaml', { detail })]);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(source, [t('errors.configTopLevel', { path: formatPath([]) })]);
  return raw as Record<string, unknown>;
}

export function validateConfig(kind: 'site', raw: unknown, source: string): SiteConfig;
export function validateConfig(kind: 'conductor', raw: unknown, source: string): ConductorConfig;
export function validateConfig(kind: ConfigKind, raw: unknown, source: string): SiteConfig | ConductorConfig;
export function validateConfig(kind: ConfigKind, raw: unknown, source: string): SiteConfig | ConductorConfig {
  const schema = kind === 'site' ? siteConfigSchema : conductorConfigSchema;
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error, schema));
  return result.data;
}

/** Keys only a box's config has: a file with one of them is a site config even when its `site:` is missing. */
const SITE_ONLY_KEYS = ['site', 'link', 'lamps', 'stateIntervalMs', 'io', 'buttons', 'tallyIn', 'cameras', 'encoder', 'display'];

/** Which kind a raw config is: a `site` key, or any key only a box has, makes it a box's config. */
export function guessKind(raw: Record<string, unknown>): ConfigKind {
  return SITE_ONLY_KEYS.some((key) => key in raw) ? 'site' : 'conductor';
}

/** `--kind` as given: only the two kinds there are. */
export function parseKind(value: string): ConfigKind {
  if (value === 'site' || value === 'conductor') return value;
  throw new UserError(t('cli.configKind', { kind: value }));
}

export async function loadConfigFile(path: string, kind?: ConfigKind, env: NodeJS.ProcessEnv = process.env): Promise<{ kind: ConfigKind; config: SiteConfig | ConductorConfig }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? t('errors.configNotFound') : t('errors.configUnreadable', { reason: code ?? String(err) })], { cause: err });
  }
  const raw = parseText(text, path);
  const resolved = kind ?? guessKind(raw);
  return { kind: resolved, config: validateConfig(resolved, applyEnvOverrides(raw, resolved, env), path) };
}

export async function loadSiteConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<SiteConfig> {
  return (await loadConfigFile(path, 'site', env)).config as SiteConfig;
}

export async function loadConductorConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConductorConfig> {
  return (await loadConfigFile(path, 'conductor', env)).config as ConductorConfig;
}
