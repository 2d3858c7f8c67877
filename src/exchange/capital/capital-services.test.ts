/**
 * Sandbox deposits and withdrawals through the exchange service on a real database: exact amounts in the
 * asset's decimals, chain validation, quantity + fee debited once, and settlement from pending to confirmed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createExchangeTestContext,
  type ExchangeTestContext,
} from '../../../test/helpers/exchange-context.ts';
import { DIALECTS } from '../../../test/helpers/dialects.ts';
import { AppError } from '../../errors.ts';
import { isValidAddress } from './blockchain-addresses.ts';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error) => error instanceof AppError && error.code === code);
}

const page = { limit: 100, offset: 0 };

describe.each(DIALECTS.map(([name]) => name))('capital services on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  let account: string;
  beforeEach(async () => {
    ctx = await createExchangeTestContext(dialect);
    account = await ctx.createAccount('main');
  });
  afterEach(async () => {
    expect((await ctx.exchange.audit()).problems).toEqual([]);
    await ctx.close();
  });

  describe('depositTestFunds()', () => {
    it('lists deposits newest first within an inclusive time range, paged by limit and offset', async () => {
      const start = ctx.clock.now;
      for (const quantity of ['1', '2', '3']) {
        await ctx.exchange.depositTestFunds({
          userId: ctx.userId,
          subaccountName: 'main',
          symbol: 'USDC',
          quantity,
        });
        ctx.clock.now += 1000;
      }
      const amounts = async (filter: { from?: number; to?: number; limit?: number; offset?: number }) =>
        (await ctx.exchange.listDeposits(account, { ...page, ...filter })).map((d) => d.quantity);
      expect(await amounts({})).toEqual([3_000_000n, 2_000_000n, 1_000_000n]);
      expect(await amounts({ from: start + 1000 })).toEqual([3_000_000n, 2_000_000n]);
      expect(await amounts({ to: start + 1000 })).toEqual([2_000_000n, 1_000_000n]);
      expect(await amounts({ limit: 1, offset: 1 })).toEqual([2_000_000n]);
    });

    it('credits the subaccount and records a confirmed deposit on the asset’s first chain', async () => {
      const deposit = await ctx.exchange.depositTestFunds({
        userId: ctx.userId,
        subaccountName: 'main',
        symbol: 'USDC',
        quantity: '1000.5',
      });
      expect(deposit).toMatchObject({
        subaccountId: account,
        blockchain: 'Solana',
        quantity: 1_000_500_000n,
        status: 'confirmed',
      });
      expect(deposit.toAddress).toBe(ctx.exchange.getDepositAddress(account, 'Solana'));
      expect(await ctx.balances(account)).toEqual({ USDC: '1000.5 / 0' });
      expect(await ctx.exchange.listDeposits(account, page)).toEqual([deposit]);
    });

    it('credits the main subaccount when none is named, on the chain asked for', async () => {
      const deposit = await ctx.exchange.depositTestFunds({
        userId: ctx.userId,
        symbol: 'ETH',
        quantity: '2',
        blockchain: 'Base',
      });
      expect(deposit.blockchain).toBe('Base');
      expect(deposit.subaccountId).not.toBe(account);
      expect(isValidAddress('Base', deposit.toAddress as string)).toBe(true);
    });

    it('refuses amounts finer than the asset’s decimals instead of truncating them (ETH has 8)', async () => {
      await expectCode(
        ctx.exchange.depositTestFunds({ userId: ctx.userId, symbol: 'ETH', quantity: '0.000000001' }),
        'INVALID_QUANTITY',
      );
      await ctx.exchange.depositTestFunds({ userId: ctx.userId, symbol: 'ETH', quantity: '0.00000001' });
    });

    it('refuses unknown assets, chains and subaccounts, zero and malformed amounts', async () => {
      const base = { userId: ctx.userId, symbol: 'USDC', quantity: '1' };
      await expectCode(ctx.exchange.depositTestFunds({ ...base, symbol: 'DOGE' }), 'INVALID_ASSET');
      await expectCode(
        ctx.exchange.depositTestFunds({ ...base, blockchain: 'Bitcoin' }),
        'INVALID_CLIENT_REQUEST',
      );
      await expectCode(
        ctx.exchange.depositTestFunds({ ...base, subaccountName: 'nope' }),
        'RESOURCE_NOT_FOUND',
      );
      for (const quantity of ['0', '-1', '1e3', ' 1', '']) {
        await expectCode(ctx.exchange.depositTestFunds({ ...base, quantity }), 'INVALID_QUANTITY');
      }
      await expectCode(
        ctx.exchange.depositTestFunds({ ...base, quantity: '1000000001' }),
        'INVALID_QUANTITY',
      );
    });
  });

  describe('getDepositAddress()', () => {
    it('is stable per subaccount and chain, and 400 for a chain no asset uses', async () => {
      const other = await ctx.createAccount('other');
      const address = ctx.exchange.getDepositAddress(account, 'Solana');
      expect(ctx.exchange.getDepositAddress(account, 'Solana')).toBe(address);
      expect(ctx.exchange.getDepositAddress(other, 'Solana')).not.toBe(address);
      expect(ctx.exchange.getDepositAddress(account, 'Bitcoin')).toMatch(/^bc1q/);
      expect(() => ctx.exchange.getDepositAddress(account, 'Cardano')).toThrow(AppError);
      expect(() => ctx.exchange.getDepositAddress(account, 'solana')).toThrow(AppError);
    });
  });

  describe('requestWithdrawal() and settleWithdrawals()', () => {
    const to = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
    beforeEach(() => ctx.fund(account, 'USDC', '100'));

    it('debits quantity + fee once, pending until settled, then confirmed with a hash', async () => {
      const withdrawal = await ctx.exchange.requestWithdrawal(account, {
        symbol: 'USDC',
        blockchain: 'Solana',
        quantity: '10',
        address: to,
        clientId: 'my-ref',
      });
      expect(withdrawal).toMatchObject({
        status: 'pending',
        quantity: 10_000_000n,
        fee: 1_000_000n,
        clientId: 'my-ref',
      });
      expect(await ctx.balances(account)).toEqual({ USDC: '89 / 0' });
      expect(await ctx.exchange.settleWithdrawals()).toBe(1);
      expect(await ctx.exchange.settleWithdrawals()).toBe(0);
      const [listed] = await ctx.exchange.listWithdrawals(account, page);
      expect(listed).toMatchObject({ id: withdrawal.id, status: 'confirmed' });
      expect(listed?.transactionHash).toMatch(/^[1-9A-HJ-NP-Za-km-z]{80,90}$/);
      expect(await ctx.balances(account)).toEqual({ USDC: '89 / 0' });
      expect(await ctx.exchange.listWithdrawals(account, { ...page, clientId: 'other' })).toEqual([]);
    });

    it('validates the chain, the address, the limits and the funds', async () => {
      const base = { symbol: 'USDC', blockchain: 'Solana', quantity: '10', address: to };
      const refuse = (body: Record<string, unknown>, code: string) =>
        expectCode(ctx.exchange.requestWithdrawal(account, { ...base, ...body }), code);
      await refuse({ blockchain: 'Bitcoin' }, 'INVALID_CLIENT_REQUEST');
      await refuse({ blockchain: 'solana' }, 'INVALID_CLIENT_REQUEST');
      await refuse({ address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749' }, 'INVALID_CLIENT_REQUEST');
      await refuse({ address: 'DestAddr111' }, 'INVALID_CLIENT_REQUEST');
      await refuse({ quantity: '4.99' }, 'INVALID_QUANTITY'); // minimum 5
      await refuse({ quantity: '0.0000001' }, 'INVALID_QUANTITY'); // 7 decimals
      await refuse({ quantity: '99.01' }, 'INSUFFICIENT_FUNDS'); // + 1 fee > 100
      await refuse({ symbol: 'XYZ' }, 'INVALID_ASSET');
      await refuse({ autoBorrow: true }, 'INVALID_CLIENT_REQUEST');
      await ctx.exchange.requestWithdrawal(account, { ...base, quantity: '99' });
      expect(await ctx.balances(account)).toEqual({ USDC: '0 / 0' });
    });
  });
});
