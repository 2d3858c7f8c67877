/**
 * The ledger's one write path, applyBalanceChanges(), on a real database: guarded debits, upserted credits,
 * one entry per change written in the same transaction, and a cause that can never be applied twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createExchangeTestContext,
  type ExchangeTestContext,
} from '../../../test/helpers/exchange-context.ts';
import { DIALECTS } from '../../../test/helpers/dialects.ts';
import { AppError } from '../../errors.ts';
import { isUniqueViolation } from '../../store/errors.ts';
import { getLedger } from './ledger.ts';

describe.each(DIALECTS.map(([name]) => name))('applyBalanceChanges() on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  let account: string;
  beforeEach(async () => {
    ctx = await createExchangeTestContext(dialect);
    account = await ctx.createAccount();
  });
  afterEach(() => ctx.close());

  const apply = (reference: string, availableDelta: bigint, lockedDelta = 0n) =>
    ctx.db.transaction().execute((trx) =>
      getLedger(ctx.db).applyBalanceChanges(
        trx,
        [{ accountId: account, asset: 'USDC', availableDelta, lockedDelta }],
        {
          reason: 'deposit',
          reference,
          now: 1,
        },
      ),
    );

  it('credits a new balance row and writes one entry per change', async () => {
    await apply('test:1', 5_000_000n);
    await apply('test:2', -2_000_000n, 2_000_000n);
    expect(await ctx.balances(account)).toEqual({ USDC: '3 / 2' });
    const entries = await ctx.db
      .selectFrom('ledger_entries')
      .select(['id', 'reason'])
      .orderBy('id')
      .execute();
    expect(entries).toEqual([
      { id: 'test:1:0', reason: 'deposit' },
      { id: 'test:2:0', reason: 'deposit' },
    ]);
    // Raw changes that no deposit or order explains: the audit notices both.
    expect((await ctx.exchange.audit()).problems).toEqual([
      expect.stringMatching(/^locked 2000000 but resting orders hold 0/),
      'USDC: balances 5000000 + fees 0 != deposits 0 - withdrawals 0',
    ]);
  });

  it('refuses a debit larger than the balance, rolling the whole transaction back', async () => {
    await apply('test:1', 1_000_000n);
    await expect(apply('test:2', -1_000_001n)).rejects.toSatisfy(
      (error) => error instanceof AppError && error.code === 'INSUFFICIENT_FUNDS',
    );
    await expect(apply('test:3', 0n, -1n)).rejects.toBeInstanceOf(AppError);
    expect(await ctx.balances(account)).toEqual({ USDC: '1 / 0' });
    expect(await ctx.db.selectFrom('ledger_entries').select('id').execute()).toHaveLength(1);
  });

  it('never debits an account that has no balance row', async () => {
    await expect(apply('test:1', -1n)).rejects.toBeInstanceOf(AppError);
    expect(await ctx.balances(account)).toEqual({});
  });

  it('never applies the same cause twice', async () => {
    await apply('deposit:1', 1_000_000n);
    await expect(apply('deposit:1', 1_000_000n)).rejects.toSatisfy(isUniqueViolation);
    expect(await ctx.balances(account)).toEqual({ USDC: '1 / 0' });
  });

  it('must run inside a transaction', async () => {
    await expect(
      getLedger(ctx.db).applyBalanceChanges(ctx.db, [], { reason: 'deposit', reference: 'x', now: 1 }),
    ).rejects.toThrow(/inside a transaction/);
  });
});
