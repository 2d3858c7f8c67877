/** `signet audit` as an operator runs it: a real process on a real SQLite file, passing, then deliberately broken. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
const dir = mkdtempSync(join(tmpdir(), 'signet-cli-audit-'));
const database = join(dir, 'audit.db');

async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'audit', ...args, '--database', database]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  const db = await openStore(database);
  const user = await createUser(db, { email: 'audit@example.com', password: 'long enough' });
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  await depositTestFunds(db, config, { userId: user.id, symbol: 'USDC', quantity: '1000' });
  await db.destroy();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signet audit', () => {
  it('passes on a consistent ledger, as text and as JSON', async () => {
    const text = await audit();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Ledger audit passed/);
    const json = await audit('--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      problems: [],
      assets: [{ asset: 'USDC', deposits: '1000000000', userBalances: '1000000000' }],
    });
  });

  it('exits 1 and names the broken invariant on a deliberately corrupted database', async () => {
    const db = await openStore(database);
    // A balance changed behind the ledger's back: no entry, no deposit.
    await db.updateTable('balances').set({ available: '1000000001' }).where('asset', '=', 'USDC').execute();
    await db.destroy();
    const text = await audit();
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/balance differs from its ledger entries/);
    expect(text.stdout).toMatch(/USDC: balances 1000000001/);
    expect(text.stderr).toMatch(/^signet: ledger audit failed: 2 broken invariant/);
    const json = await audit('--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false });
  });
});
