/**
 * Records when and from where each key was last used, at most once a minute per key and never on the request's
 * own path: `note()` is synchronous and cheap, the write happens later. Each process throttles itself; the guarded
 * UPDATE also skips the write when another process recorded a use within the minute.
 */
import type { Kysely } from 'kysely';

import type { Database } from '../store/schema.ts';

export const LAST_USE_INTERVAL_MS = 60_000;

export class LastUseRecorder {
  private readonly writtenAt = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  note(keyId: string, ip: string, now: number): void {
    const last = this.writtenAt.get(keyId);
    if (last !== undefined && now - last < LAST_USE_INTERVAL_MS) return;
    this.writtenAt.set(keyId, now);
    const write = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        this.db
          .updateTable('api_keys')
          .set({ last_used_at: now, last_used_ip: ip })
          .where('id', '=', keyId)
          .where((eb) =>
            eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - LAST_USE_INTERVAL_MS)]),
          )
          .execute(),
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.writtenAt.delete(keyId);
          this.onError(error);
        },
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for the writes already scheduled (tests, graceful shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
