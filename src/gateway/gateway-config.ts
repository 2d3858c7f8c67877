/**
 * The gateway's configuration from the environment and the route file, read once at start by the server, the CLI
 * (for the custom permission names) and the embedded verifier:
 *
 *   SIGNET_ROUTES=routes.json        the route file (route-file.ts); `signet serve --routes` overrides it
 *   SIGNET_UPSTREAM=http://h:9000     default upstream of every route without its own
 *   SIGNET_UPSTREAM_SECRET=...        when set, each forwarded request carries an HMAC (identity-headers.ts);
 *                                     at least 32 characters
 *   SIGNET_UPSTREAM_TIMEOUT=10000     ms to wait for the upstream's headers, and between body chunks (502/504)
 *   SIGNET_EXCHANGE=on|off            off: no built-in exchange (a gateway-only deployment); the route file may then
 *                                     use /api and /wapi and Backpack's instruction names
 *
 * Every mistake stops the start with a message naming the variable or the file and the rule.
 */
import { readFileSync } from 'node:fs';

import {
  parseRouteFile,
  parseUpstream,
  RouteFileError,
  type GatewayRoute,
  type RouteFile,
} from './route-file.ts';

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
export const MIN_UPSTREAM_SECRET_LENGTH = 32;

export interface ResolvedGatewayRoute extends GatewayRoute {
  upstream: string;
}

export interface GatewayConfig extends RouteFile {
  /** The file the routes came from (messages). */
  source: string;
  routes: ResolvedGatewayRoute[];
  /** SIGNET_UPSTREAM_SECRET; no HMAC when absent. */
  secret?: string;
  timeoutMs: number;
}

/** SIGNET_EXCHANGE: `on` (default) or `off`. */
export function exchangeEnabledFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.SIGNET_EXCHANGE?.trim().toLowerCase() || 'on';
  if (value !== 'on' && value !== 'off') throw new Error('SIGNET_EXCHANGE must be on or off');
  return value === 'on';
}

/** Reads and validates a route file; errors name the file. */
export function readRouteFile(path: string, options: { exchange: boolean }): RouteFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the gateway route file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RouteFileError([`not valid JSON: ${(error as Error).message}`], path);
  }
  return parseRouteFile(value, { exchange: options.exchange, source: path });
}

function timeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.SIGNET_UPSTREAM_TIMEOUT?.trim();
  if (text === undefined || text === '') return DEFAULT_UPSTREAM_TIMEOUT_MS;
  const ms = Number(text);
  if (!/^\d{1,7}$/.test(text) || ms < 100 || ms > 600_000) {
    throw new Error('SIGNET_UPSTREAM_TIMEOUT must be milliseconds from 100 to 600000');
  }
  return ms;
}

/**
 * The gateway's configuration, or undefined when no route file is named (`routesFile`, else SIGNET_ROUTES).
 * Every route gets an upstream: its own, else SIGNET_UPSTREAM.
 */
export function gatewayConfigFromEnv(
  env: NodeJS.ProcessEnv,
  options: { routesFile?: string; exchange?: boolean } = {},
): GatewayConfig | undefined {
  const source = options.routesFile ?? (env.SIGNET_ROUTES?.trim() || undefined);
  const secret = env.SIGNET_UPSTREAM_SECRET;
  if (source === undefined) {
    if (secret || env.SIGNET_UPSTREAM) {
      throw new Error('SIGNET_UPSTREAM and SIGNET_UPSTREAM_SECRET need a route file: set SIGNET_ROUTES');
    }
    return undefined;
  }
  const file = readRouteFile(source, { exchange: options.exchange ?? exchangeEnabledFromEnv(env) });
  let fallback: string | undefined;
  if (env.SIGNET_UPSTREAM !== undefined && env.SIGNET_UPSTREAM.trim() !== '') {
    const parsed = parseUpstream(env.SIGNET_UPSTREAM);
    if (!parsed.ok) throw new Error(`SIGNET_UPSTREAM ${parsed.message}`);
    fallback = parsed.upstream;
  }
  const missing = file.routes.filter((route) => route.upstream === undefined && fallback === undefined);
  if (missing.length > 0) {
    throw new RouteFileError(
      missing.map(
        (route) =>
          `route ${route.method} ${route.path} has no upstream: set SIGNET_UPSTREAM or the route's "upstream"`,
      ),
      source,
    );
  }
  if (secret !== undefined && secret.length < MIN_UPSTREAM_SECRET_LENGTH) {
    throw new Error(
      `SIGNET_UPSTREAM_SECRET must be at least ${MIN_UPSTREAM_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  }
  return {
    ...file,
    source,
    routes: file.routes.map((route) => ({ ...route, upstream: route.upstream ?? (fallback as string) })),
    ...(secret ? { secret } : {}),
    timeoutMs: timeoutFromEnv(env),
  };
}

/**
 * The custom permission names the route file declares (the CLI's `keys create/update --permissions`): the same
 * file as the server's, so the CLI accepts exactly what the console offers. None without SIGNET_ROUTES.
 */
export function declaredPermissionsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const source = env.SIGNET_ROUTES?.trim();
  if (!source) return [];
  return readRouteFile(source, { exchange: exchangeEnabledFromEnv(env) }).permissions;
}
