/** `signet deposit` as an operator runs it: a real process, a real SQLite file, the exchange's deposit service. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { getLedger } from '../src/exchange/persistence/ledger.ts';
import { openStore } from '../src/store/create-database.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
const dir = mkdtempSync(join(tmpdir(), 'signet-cli-deposit-'));
const database = join(dir, 'cli.db');

async function signet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--database', database]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let botId: string;
beforeAll(async () => {
  const db = await openStore(database);
  const user = await createUser(db, { email: 'op@example.com', password: 'long enough' });
  botId = (await createSubaccount(db, { userId: user.id, name: 'Bot' })).id;
  await db.destroy();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signet deposit', () => {
  it('credits a named subaccount and prints the deposit as JSON', async () => {
    const res = await signet(
      'deposit',
      ...[
        '--email',
        'op@example.com',
        '--subaccount',
        'Bot',
        '--symbol',
        'USDC',
        '--quantity',
        '1000.25',
        '--json',
      ],
    );
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      id: 1,
      subaccount: 'Bot',
      symbol: 'USDC',
      quantity: '1000.25',
      status: 'confirmed',
      source: 'solana',
      blockchain: 'Solana',
    });
    const db = await openStore(database);
    try {
      const balance = (await getLedger(db).readBalances(botId)).get('USDC');
      expect(balance).toEqual({ available: 1_000_250_000n, locked: 0n, staked: 0n });
    } finally {
      await db.destroy();
    }
  });

  it('prints one line for people', async () => {
    const res = await signet('deposit', '--email', 'op@example.com', '--symbol', 'SOL', '--quantity', '2');
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^Deposited 2 SOL to Main \(deposit \d+ on Solana\)$/);
  });

  it('refuses a finer amount than the asset allows with a one-line error and exit 1', async () => {
    const res = await signet(
      'deposit',
      '--email',
      'op@example.com',
      '--symbol',
      'ETH',
      '--quantity',
      '0.000000001',
    );
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('decimal places');
  });
});
