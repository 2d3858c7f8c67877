/**
 * Keys bound to open streams stay accepted, or their streams end: every `intervalMs`, each (key, client address)
 * of this node's connections with private subscriptions is decided again by the verifier's own rules
 * (SignedRequestVerifier.refusalNow: revoked, expired or retired, the IP allowlist, the subscribe permission), so
 * any change that would refuse the key on a new request (revocation, revoke-all, an allowlist narrowed, a
 * permission removed, an expiry moved into the past) ends those subscriptions within `intervalMs` plus one lookup,
 * with error 4104 (API_KEY_REVOKED, its detail saying why) and unbinds the connection. Key records come through
 * the key cache, which every key change invalidates (keys/key-cache.ts), so an unchanged key costs no query.
 * Each node checks its own connections. Invariant: one check at a time (a slow database never stacks checks).
 */
import type { SignedRequestVerifier } from '../../keys/index.ts';
import { STREAM_SUBSCRIBE_ROUTE } from '../../protocol/instructions.ts';
import { isPrivateStream } from './stream-frames.ts';
import type { StreamHub } from './stream-hub.ts';
import type { BoundKey, StreamConnection } from './stream-connection.ts';

/** Starts the checks; returns the function that stops them. */
export function watchBoundKeys(options: {
  readonly verifier: Pick<SignedRequestVerifier, 'refusalNow'>;
  readonly hub: StreamHub;
  readonly connections: ReadonlySet<StreamConnection>;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly onError: (error: unknown) => void;
}): () => void {
  const { verifier, hub, connections } = options;
  let checking = false;
  const check = async (): Promise<void> => {
    const bound = [...connections].filter((c) => c.key !== null && c.hasPrivateSubscription(isPrivateStream));
    const at = options.now();
    // One decision per key and address, however many connections share them.
    const refusals = new Map<string, Promise<string | undefined>>();
    for (const connection of bound) {
      const { apiKey } = connection.key as BoundKey;
      const pair = `${apiKey} ${connection.address}`;
      if (!refusals.has(pair)) {
        refusals.set(pair, verifier.refusalNow(apiKey, connection.address, STREAM_SUBSCRIBE_ROUTE, at));
      }
    }
    for (const connection of bound) {
      const key = connection.key;
      if (key === null) continue;
      const refusal = await refusals.get(`${key.apiKey} ${connection.address}`);
      if (refusal === undefined || connection.key !== key) continue;
      end(connection, refusal);
    }
  };
  const end = (connection: StreamConnection, refusal: string): void => {
    for (const name of [...connection.subscriptions]) {
      if (!isPrivateStream(name)) continue;
      connection.subscriptions.delete(name);
      hub.unsubscribe(connection, name);
    }
    connection.key = null;
    connection.sendError('API_KEY_REVOKED', refusal);
  };
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    check()
      .catch(options.onError)
      .finally(() => (checking = false));
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
