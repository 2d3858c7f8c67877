/**
 * Replay refusal across restarts without Redis. The replay store lives in memory (replay-store.ts), so a restart
 * forgets which signatures were accepted. Instead of writing every claim to disk, the store writes one number
 * before it accepts a timestamp later than any it promised so far: the latest timestamp it may have accepted
 * (`through`, rounded up by `STEP_MS`, so at most a few small writes a second). After a restart (a crash
 * included), every replay-guarded request signed at or before that instant is refused with 401 ("signed before
 * the server restarted"): it may have been accepted by the previous run. A client signs such a request again with
 * a new timestamp; requests signed after the restart are unaffected, unless a client's clock runs ahead (up to the
 * 5 s a timestamp may lead the server's clock).
 *
 * The file is the node's own (one per database, in the system's temporary directory unless
 * SIGNET_REPLAY_HORIZON_FILE says otherwise), written atomically (a temporary file renamed over it). It needs no
 * fsync: it must survive the process, not the machine (a reboot takes longer than the 5 s lead). A file that
 * cannot be read is treated as "no previous run"; a failed write is logged once and never refuses a request.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MAX_TIMESTAMP_LEAD_MS } from '../protocol/signed-request.ts';

/** How far past the latest accepted timestamp each write promises (ms). */
export const STEP_MS = 250;

export interface ReplayHorizon {
  /** Requests signed at or before this instant (ms) may have been accepted by the previous run. */
  refuseSignedThrough: number;
  /** Writes `through` before a timestamp up to it is accepted. */
  persist: (through: number) => void;
}

/** The default file of a node: one per database (two nodes on one machine sharing a database set their own). */
export function defaultReplayHorizonFile(databaseUrl: string): string {
  const id = createHash('sha256').update(databaseUrl).digest('hex').slice(0, 20);
  return join(tmpdir(), `signet-replay-horizon-${id}`);
}

export function openReplayHorizon(
  file: string,
  options: { now?: number; log?: { warn: (message: string) => void } } = {},
): ReplayHorizon {
  const now = options.now ?? Date.now();
  let previous = -Infinity;
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (/^\d{1,16}$/.test(text)) previous = Number(text);
  } catch {
    // No previous run (or an unreadable file): nothing to refuse.
  }
  // A previous run never accepted a timestamp more than the lead (plus one step) ahead of its clock: a value past
  // that (a clock set back since) is capped, so it cannot refuse requests for longer than a few seconds.
  const refuseSignedThrough = Math.min(previous, now + MAX_TIMESTAMP_LEAD_MS + STEP_MS);
  let failureLogged = false;
  const temporary = `${file}.${process.pid}.tmp`;
  return {
    refuseSignedThrough,
    persist: (through) => {
      try {
        writeFileSync(temporary, `${through}\n`);
        renameSync(temporary, file);
        failureLogged = false;
      } catch (error) {
        if (failureLogged) return;
        failureLogged = true;
        options.log?.warn(
          `Cannot write the replay horizon file ${file} (${(error as Error).message}): after a restart, requests accepted just before it could be replayed once`,
        );
      }
    },
  };
}
