/**
 * Revocation and expiry on open streams: every `intervalMs`, the keys of this node's connections with private
 * subscriptions are re-read in one query; a key that is gone, revoked or expired ends those subscriptions with
 * error 4104 (API_KEY_REVOKED) and unbinds the connection. Each node checks its own connections.
 * Invariant: one check at a time (a slow database never stacks queries).
 */
import type { Kysely } from 'kysely';

import type { Database } from '../../store/schema.ts';
import { isPrivateStream } from './stream-frames.ts';
import type { StreamHub } from './stream-hub.ts';
import type { BoundKey, StreamConnection } from './stream-connection.ts';

/** Starts the checks; returns the function that stops them. */
export function watchBoundKeys(options: {
  readonly db: Kysely<Database>;
  readonly hub: StreamHub;
  readonly connections: ReadonlySet<StreamConnection>;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}): () => void {
  const { db, hub, connections } = options;
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    const bound = [...connections].filter((c) => c.key !== null && c.hasPrivateSubscription(isPrivateStream));
    if (bound.length === 0) return;
    checking = true;
    const ids = [...new Set(bound.map((c) => (c.key as BoundKey).id))];
    db.selectFrom('api_keys')
      .select(['id', 'revoked_at', 'expires_at'])
      .where('id', 'in', ids)
      .execute()
      .then((rows) => {
        const at = Date.now();
        const live = new Set(
          rows
            .filter(
              (row) => row.revoked_at === null && (row.expires_at === null || at < Number(row.expires_at)),
            )
            .map((row) => row.id),
        );
        for (const connection of bound) {
          if (connection.key === null || live.has(connection.key.id)) continue;
          for (const name of [...connection.subscriptions]) {
            if (!isPrivateStream(name)) continue;
            connection.subscriptions.delete(name);
            hub.unsubscribe(connection, name);
          }
          connection.key = null;
          connection.sendError('API_KEY_REVOKED');
        }
      })
      .catch(options.onError)
      .finally(() => (checking = false));
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
