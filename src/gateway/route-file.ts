/**
 * The gateway's route file (SIGNET_ROUTES, `signet serve --routes`): the operator's own API as data, checked
 * completely at start so that a mistake stops the server with every problem named, never a route that half works.
 * Pure: the caller reads the file and the environment (gateway-config.ts).
 *
 *   { "permissions": ["transfers"],
 *     "rateLimits": { "transfers": 60 },
 *     "routes": [ { "method": "POST", "path": "/v1/transfers/:id", "instruction": "transferExecute",
 *                   "permission": "transfers", "replay": true, "rateLimit": "transfers",
 *                   "upstream": "http://127.0.0.1:9001" } ] }
 *
 * Invariants (each a refusal at start):
 * - a route's permission is `read`, `trade`, `withdraw` or a name in `permissions`;
 * - no two routes share a method and path shape (`/a/:id` and `/a/:key` are one shape), and no two share an
 *   instruction: a signature covers the instruction and the parameters, not the method or path, so two routes
 *   with one instruction would accept each other's signatures;
 * - no path lies under Signet's own (console, docs, health, the key endpoint of the embedded verifier, the
 *   console's pages and files; `/api` and `/wapi` while the built-in exchange runs), and with the exchange on no instruction
 *   is one of Backpack's, so a signature made for the exchange is never good for the operator's API;
 * - instructions and parameter names are plain identifiers (they are spelt into the signing string, where `&` or
 *   `=` would let one string be read two ways);
 * - unknown fields are refused (a misspelt `"permision"` must not silently mean "read").
 */
import { INSTRUCTION_ROUTES, STREAM_SUBSCRIBE_ROUTE } from '../protocol/instructions.ts';
import {
  CUSTOM_PERMISSION_NAME,
  isBuiltInPermission,
  MAX_CUSTOM_PERMISSIONS,
  PERMISSIONS,
} from '../keys/index.ts';

export type GatewayMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const GATEWAY_METHODS: readonly GatewayMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The built-in rate-limit classes: every signed request counts in `signed`; `history` also in the history one. */
export const BUILT_IN_RATE_LIMITS = ['signed', 'history'] as const;

export interface GatewayRoute {
  method: GatewayMethod;
  /** Fastify's syntax: static segments and `:name` parameters. */
  path: string;
  instruction: string;
  /** `read`, `trade`, `withdraw` or a declared custom permission. */
  permission: string;
  /** Whether a repeated signature is refused (default: every method but GET). */
  replay: boolean;
  /** `signed`, `history` or a class named in the file's `rateLimits`. */
  rateLimit: string;
  /** The route's own upstream (origin plus optional path prefix); the default (SIGNET_UPSTREAM) when absent. */
  upstream?: string;
}

export interface RouteFile {
  /** Custom permissions, in the file's order. */
  permissions: string[];
  /** Extra rate-limit classes: requests per minute per subaccount, on top of the signed limit. */
  rateLimits: Record<string, number>;
  routes: GatewayRoute[];
}

/**
 * First path segments that belong to Signet: its JSON APIs, docs, probes, metrics, the console's assets and pages
 * (client-side routes of web/src/routes.ts), and the embedded verifier's key endpoint. A test walks every route
 * Signet registers and checks that each one falls under this list.
 */
export const SIGNET_PATH_SEGMENTS: readonly string[] = [
  'console',
  'docs',
  'healthz',
  'readyz',
  'metrics',
  'assets',
  'gateway',
  'settings',
  'exchange',
];

/** Signet's Backpack API; the operator may use these paths for their own API when the exchange is off. */
export const EXCHANGE_PATH_SEGMENTS: readonly string[] = ['api', 'wapi'];

const INSTRUCTION = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const STATIC_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAMETER = /^:[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const RATE_LIMIT_CLASS = /^[a-z][a-z0-9_-]{0,31}$/;
const MAX_ROUTES = 1000;
const MAX_PATH_LENGTH = 256;

const FILE_FIELDS = new Set(['permissions', 'rateLimits', 'routes']);
const ROUTE_FIELDS = new Set([
  'method',
  'path',
  'instruction',
  'permission',
  'replay',
  'rateLimit',
  'upstream',
]);

const BACKPACK_INSTRUCTIONS = new Set(
  [...INSTRUCTION_ROUTES, STREAM_SUBSCRIBE_ROUTE].map((route) => route.instruction),
);

/**
 * The file broke one or more rules; `problems` says each, and the message lists them all on one line (the CLI
 * reports errors in one line).
 */
export class RouteFileError extends Error {
  constructor(
    readonly problems: string[],
    source = 'the route file',
  ) {
    super(`Invalid gateway routes in ${source}: ${problems.join('; ')}`);
    this.name = 'RouteFileError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `http(s)://host[:port][/prefix]`: no credentials, query or fragment; the prefix without a trailing slash. */
export function parseUpstream(
  text: unknown,
): { ok: true; upstream: string } | { ok: false; message: string } {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, message: 'must be a URL' };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, message: `${JSON.stringify(text)} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `${JSON.stringify(text)} must be http:// or https://` };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      message: 'must not carry credentials (use SIGNET_UPSTREAM_SECRET to authenticate Signet)',
    };
  }
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, message: `${JSON.stringify(text)} must not have a query or fragment` };
  }
  return { ok: true, upstream: url.origin + url.pathname.replace(/\/+$/, '') };
}

/** The route's path shape: parameters unnamed, so `/a/:id` and `/a/:key` compare equal. */
function shapeOf(path: string): string {
  return path.replace(/\/:[^/]+/g, '/:');
}

function checkPath(path: unknown, exchange: boolean, problems: string[], where: string): path is string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    problems.push(`${where}: path must be a string starting with /`);
    return false;
  }
  if (path.length > MAX_PATH_LENGTH) {
    problems.push(`${where}: path is longer than ${MAX_PATH_LENGTH} characters`);
    return false;
  }
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  for (const segment of segments) {
    if (segment.startsWith(':')) {
      if (!PARAMETER.test(segment)) {
        problems.push(`${where}: parameter ${segment} must be : and a name of letters, digits and _`);
        return false;
      }
      if (names.has(segment)) {
        problems.push(`${where}: parameter ${segment} appears twice`);
        return false;
      }
      names.add(segment);
    } else if (!STATIC_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      problems.push(
        `${where}: segment ${JSON.stringify(segment)} must be letters, digits, . _ ~ - (no empty segments or trailing /)`,
      );
      return false;
    }
  }
  const first = segments[0] ?? '';
  if (first.startsWith(':')) {
    problems.push(
      `${where}: the first segment must be fixed (a parameter there would take Signet's own paths)`,
    );
    return false;
  }
  if (first.includes('.')) {
    problems.push(
      `${where}: the first segment must not be a file name (the console's files are served there)`,
    );
    return false;
  }
  if (SIGNET_PATH_SEGMENTS.includes(first)) {
    problems.push(`${where}: clashes with Signet's own routes under /${first}`);
    return false;
  }
  if (exchange && EXCHANGE_PATH_SEGMENTS.includes(first)) {
    problems.push(
      `${where}: clashes with the built-in exchange's routes under /${first} (SIGNET_EXCHANGE=off frees them)`,
    );
    return false;
  }
  return true;
}

interface ParseOptions {
  /** Whether the built-in exchange runs (its paths and instruction names are then taken). */
  exchange: boolean;
  /** Names the file in error messages. */
  source?: string;
}

/** Validates a parsed route file; throws RouteFileError naming every problem. */
export function parseRouteFile(value: unknown, options: ParseOptions): RouteFile {
  const problems: string[] = [];
  if (!isObject(value)) throw new RouteFileError(['the file must hold a JSON object'], options.source);
  for (const field of Object.keys(value)) {
    if (!FILE_FIELDS.has(field))
      problems.push(`unknown field ${JSON.stringify(field)} (use permissions, rateLimits, routes)`);
  }

  const permissions: string[] = [];
  const declared = value.permissions ?? [];
  if (!Array.isArray(declared)) problems.push('permissions must be an array of names');
  else {
    if (declared.length > MAX_CUSTOM_PERMISSIONS) {
      problems.push(`permissions: at most ${MAX_CUSTOM_PERMISSIONS} custom permissions`);
    }
    for (const name of declared) {
      if (typeof name !== 'string' || !CUSTOM_PERMISSION_NAME.test(name)) {
        problems.push(
          `permission ${JSON.stringify(name)} must be a lowercase letter then up to 31 lowercase letters, digits, _ or -`,
        );
      } else if (isBuiltInPermission(name)) {
        problems.push(`permission ${name} is built in (${PERMISSIONS.join(', ')}); declare only your own`);
      } else if (permissions.includes(name)) {
        problems.push(`permission ${name} is declared twice`);
      } else permissions.push(name);
    }
  }

  const rateLimits: Record<string, number> = {};
  const limits = value.rateLimits ?? {};
  if (!isObject(limits)) problems.push('rateLimits must be an object of class name to requests per minute');
  else {
    for (const [name, max] of Object.entries(limits)) {
      if (!RATE_LIMIT_CLASS.test(name) || (BUILT_IN_RATE_LIMITS as readonly string[]).includes(name)) {
        problems.push(
          `rate-limit class ${JSON.stringify(name)} must be a lowercase name other than signed, history`,
        );
      } else if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1_000_000) {
        problems.push(
          `rate-limit class ${name} must be a whole number of requests per minute (1 to 1000000)`,
        );
      } else rateLimits[name] = max;
    }
  }

  const routes: GatewayRoute[] = [];
  const list = value.routes;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push('routes must be a non-empty array');
  } else if (list.length > MAX_ROUTES) {
    problems.push(`routes: at most ${MAX_ROUTES}`);
  } else {
    const shapes = new Map<string, string>();
    const instructions = new Map<string, string>();
    list.forEach((entry: unknown, index) => {
      const route = parseRoute(entry, index, { ...options, permissions, rateLimits }, problems);
      if (route === undefined) return;
      const name = `${route.method} ${route.path}`;
      const shape = `${route.method} ${shapeOf(route.path)}`;
      const sameShape = shapes.get(shape);
      if (sameShape !== undefined) problems.push(`route ${name} duplicates route ${sameShape}`);
      else shapes.set(shape, name);
      const sameInstruction = instructions.get(route.instruction);
      if (sameInstruction !== undefined) {
        problems.push(
          `route ${name} reuses instruction ${route.instruction} of ${sameInstruction}: each route needs its own, or their signatures would be interchangeable`,
        );
      } else instructions.set(route.instruction, name);
      routes.push(route);
    });
  }
  if (problems.length > 0) throw new RouteFileError(problems, options.source);
  return { permissions, rateLimits, routes };
}

function parseRoute(
  entry: unknown,
  index: number,
  options: ParseOptions & { permissions: string[]; rateLimits: Record<string, number> },
  problems: string[],
): GatewayRoute | undefined {
  if (!isObject(entry)) {
    problems.push(`routes[${index}] must be an object`);
    return undefined;
  }
  const where = `route ${typeof entry.method === 'string' ? entry.method : '?'} ${
    typeof entry.path === 'string' ? entry.path : `#${index}`
  }`;
  const before = problems.length;
  for (const field of Object.keys(entry)) {
    if (!ROUTE_FIELDS.has(field)) {
      problems.push(`${where}: unknown field ${JSON.stringify(field)} (use ${[...ROUTE_FIELDS].join(', ')})`);
    }
  }
  const method = entry.method;
  if (typeof method !== 'string' || !(GATEWAY_METHODS as readonly string[]).includes(method)) {
    problems.push(`${where}: method must be one of ${GATEWAY_METHODS.join(', ')}`);
  }
  checkPath(entry.path, options.exchange, problems, where);
  const instruction = entry.instruction;
  if (typeof instruction !== 'string' || !INSTRUCTION.test(instruction)) {
    problems.push(`${where}: instruction must be a name of letters, digits and _ (what the client signs)`);
  } else if (options.exchange && BACKPACK_INSTRUCTIONS.has(instruction)) {
    problems.push(
      `${where}: instruction ${instruction} is one of the built-in exchange's; name your own, or set SIGNET_EXCHANGE=off`,
    );
  }
  const permission = entry.permission;
  if (typeof permission !== 'string') {
    problems.push(`${where}: permission is required (read, trade, withdraw or one you declare)`);
  } else if (!isBuiltInPermission(permission) && !options.permissions.includes(permission)) {
    problems.push(
      `${where}: unknown permission ${JSON.stringify(permission)}; use ${[...PERMISSIONS, ...options.permissions].join(', ')} or declare it in "permissions"`,
    );
  }
  if (entry.replay !== undefined && typeof entry.replay !== 'boolean') {
    problems.push(`${where}: replay must be true or false`);
  }
  const rateLimit = entry.rateLimit ?? 'signed';
  if (
    typeof rateLimit !== 'string' ||
    (!(BUILT_IN_RATE_LIMITS as readonly string[]).includes(rateLimit) &&
      !Object.hasOwn(options.rateLimits, rateLimit))
  ) {
    problems.push(
      `${where}: rateLimit ${JSON.stringify(rateLimit)} must be signed, history or a class declared in "rateLimits"`,
    );
  }
  let upstream: string | undefined;
  if (entry.upstream !== undefined) {
    const parsed = parseUpstream(entry.upstream);
    if (parsed.ok) upstream = parsed.upstream;
    else problems.push(`${where}: upstream ${parsed.message}`);
  }
  if (problems.length > before) return undefined;
  return {
    method: method as GatewayMethod,
    path: entry.path as string,
    instruction: instruction as string,
    permission: permission as string,
    replay: (entry.replay as boolean | undefined) ?? method !== 'GET',
    rateLimit: rateLimit as string,
    ...(upstream === undefined ? {} : { upstream }),
  };
}
