/**
 * Which peers may tell Signet the client's address (`X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`).
 *
 * `SIGNET_TRUSTED_PROXIES` is a comma- or space-separated list of addresses and CIDR ranges (your load balancer,
 * your nginx). The client address is the socket peer, unless that peer is on the list: then Fastify walks
 * X-Forwarded-For from the right and takes the first address that is not a trusted proxy. A header from any other
 * peer changes nothing, so an IP allowlist cannot be dodged by sending `X-Forwarded-For: <allowed address>`.
 *
 * `SIGNET_TRUST_PROXY=true` (the old boolean, which trusted every peer) is read as a deprecated alias for the
 * loopback ranges `127.0.0.0/8,::1` — the common case of a proxy on the same host — never as "trust everyone".
 * A range matching every address (`0.0.0.0/0`, `::/0`) is refused: it would let any client pick its own address.
 *
 * WebSocket upgrades never reach Fastify's request object, so `clientAddressOf` gives the stream server the same
 * address by the same code (Fastify's own proxy-addr and trust list): a stream's key allowlist, its per-address
 * connection cap and its usage records see the client REST sees, never the proxy.
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

import { parseAllowlistEntry } from '../keys/index.ts';

type TrustFn = (address: string, hop: number) => boolean;

/** Fastify's own copy of proxy-addr, so REST and streams resolve the client address by exactly the same rules. */
const proxyAddr = createRequire(createRequire(import.meta.url).resolve('fastify'))('@fastify/proxy-addr') as {
  all: (request: IncomingMessage, trust: TrustFn) => string[];
  compile: (list: string[]) => TrustFn;
};

/**
 * The client address of a raw request (a WebSocket upgrade) as Fastify's `request.ip` gives it with the same
 * `trustProxy` (buildApp's option): the socket peer, or with trusted proxies the rightmost X-Forwarded-For address
 * that is not one of them.
 */
export function clientAddressOf(
  trustProxy: boolean | string[] | undefined,
): (request: IncomingMessage) => string {
  if (
    trustProxy === undefined ||
    trustProxy === false ||
    (Array.isArray(trustProxy) && trustProxy.length === 0)
  ) {
    return (request) => request.socket.remoteAddress ?? 'unknown';
  }
  const trust: TrustFn = trustProxy === true ? () => true : proxyAddr.compile(trustProxy);
  return (request) => {
    const addresses = proxyAddr.all(request, trust);
    return addresses[addresses.length - 1] ?? request.socket.remoteAddress ?? 'unknown';
  };
}

export const LOOPBACK_PROXIES = ['127.0.0.0/8', '::1'];

/** Canonical entries of a trusted-proxy list; throws on a bad entry (a startup error, not a request error). */
export function parseTrustedProxies(text: string): string[] {
  const entries: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    let parsed;
    try {
      parsed = parseAllowlistEntry(raw);
    } catch (error) {
      throw new Error(`SIGNET_TRUSTED_PROXIES: ${(error as Error).message}`, { cause: error });
    }
    if (parsed.matchesAll) {
      throw new Error(
        `SIGNET_TRUSTED_PROXIES: ${parsed.canonical} would trust every peer; list your proxies`,
      );
    }
    if (!entries.includes(parsed.canonical)) entries.push(parsed.canonical);
  }
  return entries;
}

/** The trusted proxies from the environment; [] when none (the socket peer is the client). */
export function trustedProxiesFromEnv(
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void = () => {},
): string[] {
  const list = env.SIGNET_TRUSTED_PROXIES?.trim();
  if (list) return parseTrustedProxies(list);
  const legacy = env.SIGNET_TRUST_PROXY?.trim().toLowerCase();
  if (legacy === 'true' || legacy === '1' || legacy === 'yes') {
    warn(
      'SIGNET_TRUST_PROXY is deprecated: trusting loopback proxies only (127.0.0.0/8, ::1). ' +
        'Set SIGNET_TRUSTED_PROXIES to your proxies’ addresses instead.',
    );
    return LOOPBACK_PROXIES;
  }
  return [];
}
