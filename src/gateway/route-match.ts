/**
 * Which gateway route a concrete request names, for the embedded verifier (the server lets Fastify's router do
 * it): method and path against the route file's patterns, with the path parameters decoded. Pure.
 *
 * Rules, the router's: segments compare exactly (case included); a parameter takes one non-empty segment,
 * percent-decoded; a fixed segment wins over a parameter (`/things/new` before `/things/:id`). A path that URL
 * parsing would rewrite (dot segments, backslashes) matches nothing: what was matched and signed must be what the
 * service acts on.
 */
import type { GatewayRoute } from './route-file.ts';

export interface RouteMatch<R extends GatewayRoute> {
  route: R;
  params: Record<string, string>;
}

const PROBE_ORIGIN = 'http://signet.invalid';

/** Characters and segments URL parsing might rewrite; a path without any is normal without parsing it. */
const MAYBE_REWRITTEN = /[^A-Za-z0-9/_~-]|\/\.|^[^/]/;

/** True when URL parsing leaves the path as it is (no `.`/`..` segment, no backslash, nothing to escape). */
export function isNormalPath(path: string): boolean {
  // The hot path's usual case (plain segments) costs one regular expression, not a URL parse.
  if (!MAYBE_REWRITTEN.test(path)) return true;
  try {
    return new URL(path, PROBE_ORIGIN).pathname === path;
  } catch {
    return false;
  }
}

interface Compiled<R> {
  route: R;
  segments: string[];
  /** Fixed segments before the first parameter, weighted: more specific routes are tried first. */
  rank: number[];
}

export class RouteMatcher<R extends GatewayRoute> {
  private readonly byMethod = new Map<string, Compiled<R>[]>();

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const segments = route.path.slice(1).split('/');
      const compiled = { route, segments, rank: segments.map((s) => (s.startsWith(':') ? 0 : 1)) };
      const list = this.byMethod.get(route.method) ?? [];
      list.push(compiled);
      this.byMethod.set(route.method, list);
    }
    for (const list of this.byMethod.values()) {
      list.sort((a, b) => {
        for (let i = 0; i < Math.min(a.rank.length, b.rank.length); i++) {
          const order = (b.rank[i] as number) - (a.rank[i] as number);
          if (order !== 0) return order;
        }
        return 0;
      });
    }
  }

  match(method: string, path: string): RouteMatch<R> | undefined {
    const candidates = this.byMethod.get(method.toUpperCase());
    if (candidates === undefined || !path.startsWith('/') || !isNormalPath(path)) return undefined;
    const parts = path.slice(1).split('/');
    for (const candidate of candidates) {
      if (candidate.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < parts.length && matched; i++) {
        const segment = candidate.segments[i] as string;
        const part = parts[i] as string;
        if (!segment.startsWith(':')) matched = segment === part;
        else if (part === '') matched = false;
        else {
          try {
            params[segment.slice(1)] = decodeURIComponent(part);
          } catch {
            matched = false;
          }
        }
      }
      if (matched) return { route: candidate.route, params };
    }
    return undefined;
  }
}
