/**
 * SQLite with several writers (issue 17.3): `signet serve` with its two default workers on one file, orders,
 * key revocations and key edits at once. Before write transactions took the write lock up front, about a third
 * of the revocations answered 500 SQLITE_BUSY and left the key alive. Now: no 5xx at all, and every revocation
 * that answered 200 is refused by the signed API right after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { startSignetProcess } from '../helpers/signet-process.ts';
import {
  audit,
  consoleSession,
  LoadRecord,
  missingOrders,
  orderLoad,
  seedFaultAccount,
  sendSigned,
  type Trader,
} from './fault-load.ts';

const dir = mkdtempSync(join(tmpdir(), 'signet-faults-busy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECONDS = Number(process.env.SIGNET_FAULT_SECONDS ?? 5);

describe('SQLite, two workers, revocations + key edits + orders at once', () => {
  it('answers no 5xx, and every revoked key is refused afterwards', async () => {
    const database = join(dir, 'busy.db');
    const account = await seedFaultAccount(database, { spares: 100 });
    const server = await startSignetProcess({ databaseUrl: database, workers: 2 });
    try {
      const record = new LoadRecord();
      const stop = { now: false };
      const revokable = account.spares.slice(0, 75);
      const editable = account.spares.slice(75);
      const revoked: Trader[] = [];
      const sessions = await Promise.all([1, 2, 3].map(() => consoleSession(server.url, account)));
      const revoker = async (session: (typeof sessions)[number]) => {
        while (!stop.now && revokable.length > 0) {
          const key = revokable.shift() as Trader;
          const answer = await session.call(`/keys/${key.keyId}`, { method: 'DELETE', body: {} });
          record.count(answer, 'revoke');
          if (answer.status === 200) revoked.push(key);
        }
      };
      let edits = 0;
      const editor = async (session: (typeof sessions)[number]) => {
        while (!stop.now) {
          const key = editable[edits++ % editable.length] as Trader;
          const answer = await session.call(`/keys/${key.keyId}`, {
            method: 'PATCH',
            body: { name: `edited ${edits}` },
          });
          record.count(answer, 'edit');
        }
      };
      const reader = async () => {
        while (!stop.now) {
          const key = editable[edits % editable.length] as Trader;
          record.count(await sendSigned(server.url, key, { method: 'GET', path: '/api/v1/capital' }), 'read');
        }
      };
      const load = [
        ...Array.from({ length: 4 }, () => orderLoad([server.url], account.traders, record, stop)),
        revoker(sessions[0]!),
        revoker(sessions[1]!),
        editor(sessions[2]!),
        reader(),
      ];
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      stop.now = true;
      await Promise.all(load);

      expect(record.serverErrors, 'answers of 500 and up').toEqual([]);
      expect(
        record.countOf((s) => s === 0),
        'requests without an answer',
      ).toBe(0);
      expect(revoked.length).toBeGreaterThan(10);
      expect(record.ackedOrders.size).toBeGreaterThan(20);
      for (const key of revoked) {
        const answer = await sendSigned(server.url, key, { method: 'GET', path: '/api/v1/capital' });
        expect(answer.status, `revoked key ${key.keyId}`).toBe(401);
      }
      expect(await missingOrders(database, record.ackedOrders)).toEqual([]);
    } finally {
      await server.stop();
    }
    expect(await audit(database)).toMatchObject({ ok: true, problems: [] });
  }, 90_000);
});
