/**
 * `signet backup FILE` copies a SQLite database that a running server keeps writing to: the copy opens, holds
 * the data written before it, and its ledger audits clean. It refuses to overwrite a file and points PostgreSQL
 * users to pg_dump.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { auditLedger } from '../src/exchange/persistence/ledger-audit.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { DEFAULT_MARKETS_FILE, startServer } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { signetCli } from './helpers/signed-fetch.ts';

const dir = mkdtempSync(join(tmpdir(), 'signet-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cliFailure(args: string[]): Promise<{ code: number; stderr: string }> {
  return signetCli(args).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
}

describe('signet backup', () => {
  it('copies a database in use into a consistent file', async () => {
    const databaseUrl = join(dir, 'live.db');
    const server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl });
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const user = await createUser(server.db, { email: 'b@example.com', password: 'long enough password' });
    let writing = true;
    let deposits = 0;
    const writer = (async () => {
      while (writing) {
        await depositTestFunds(server.db, config, { userId: user.id, symbol: 'USDC', quantity: '10' });
        deposits += 1;
        // SQLite calls complete without I/O: yield so timers and the child process get their turn.
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      while (deposits < 20) await new Promise((r) => setTimeout(r, 10));
      const file = join(dir, 'copy.db');
      const printed = JSON.parse(await signetCli(['backup', file, '--database', databaseUrl, '--json']));
      expect(printed.file).toBe(file);
      expect(printed.pages).toBeGreaterThan(0);
      const copied = deposits;

      const copy = await openStore(file);
      try {
        const rows = await copy.selectFrom('deposits').select('id').execute();
        expect(rows.length).toBeGreaterThanOrEqual(20);
        expect(rows.length).toBeLessThanOrEqual(copied + 1);
        expect((await auditLedger(copy, config)).problems).toEqual([]);
      } finally {
        await copy.destroy();
      }

      const again = await cliFailure(['backup', file, '--database', databaseUrl]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already exists/);
    } finally {
      writing = false;
      await writer;
      await server.close();
    }
  }, 60_000);

  it('sends PostgreSQL users to pg_dump', async () => {
    const failure = await cliFailure([
      'backup',
      join(dir, 'pg.db'),
      '--database',
      'postgres://127.0.0.1/none',
    ]);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe(
      'signet: signet backup copies SQLite databases; use pg_dump for PostgreSQL',
    );
  });
});
