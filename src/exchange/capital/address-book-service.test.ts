/**
 * The address book service on both dialects: the API rule on the injected clock, address comparison, per-account
 * scoping, the audit trail, two concurrent additions of one address (one wins, the other is a 409), and a
 * withdrawal refused by the rule debiting nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confirmIdentity } from '../../console/confirm-identity.ts';

import {
  createExchangeTestContext,
  type ExchangeTestContext,
} from '../../../test/helpers/exchange-context.ts';
import { DIALECTS } from '../../../test/helpers/dialects.ts';
import { createUser } from '../../accounts/accounts-service.ts';
import { listAuditEvents } from '../../accounts/audit.ts';
import { AppError } from '../../errors.ts';
import { AddressBook } from './address-book-service.ts';

const HOUR = 3_600_000;
const ETH = '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error) => error instanceof AppError && error.code === code);
}

describe.each(DIALECTS.map(([name]) => name))('AddressBook on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  let book: AddressBook;
  beforeEach(async () => {
    ctx = await createExchangeTestContext(dialect);
    book = new AddressBook({
      db: ctx.db,
      settings: { mode: 'book', coolingOffMs: HOUR },
      confirmIdentity: (input) => confirmIdentity(ctx.db, input),
    });
  });
  afterEach(async () => {
    expect((await ctx.exchange.audit()).problems).toEqual([]);
    await ctx.close();
  });

  const add = (changes: Partial<Parameters<AddressBook['add']>[0]> = {}) =>
    book.add({
      userId: ctx.userId,
      label: 'Cold',
      blockchain: 'Ethereum',
      address: ETH,
      allowApi: true,
      actor: { operator: true },
      now: ctx.clock.now,
      ...changes,
    });
  const authorize = (address = ETH, blockchain = 'Ethereum') =>
    book.authorizeApiWithdrawal({ userId: ctx.userId, blockchain, address, now: ctx.clock.now });

  it('allows an API withdrawal only after the cooling-off, to the same chain, in any EVM spelling', async () => {
    const entry = await add();
    expect(entry.activeAt).toBe(ctx.clock.now + HOUR);
    await expectCode(authorize(), 'WITHDRAWAL_ADDRESS_NOT_ALLOWED');
    ctx.clock.now += HOUR;
    await authorize();
    await authorize(ETH.toUpperCase().replace('0X', '0x'));
    await expectCode(authorize(ETH, 'Base'), 'WITHDRAWAL_ADDRESS_NOT_ALLOWED');
    expect(await book.list(ctx.userId)).toEqual([entry]);
  });

  it('keeps books per account', async () => {
    await add({ now: ctx.clock.now - HOUR });
    const other = await createUser(ctx.db, {
      email: `other-${dialect}-${Date.now()}@example.com`,
      password: 'x'.repeat(12),
    });
    await expectCode(
      book.authorizeApiWithdrawal({
        userId: other.id,
        blockchain: 'Ethereum',
        address: ETH,
        now: ctx.clock.now,
      }),
      'WITHDRAWAL_ADDRESS_NOT_ALLOWED',
    );
    const [entry] = await book.list(ctx.userId);
    await expectCode(
      book.remove({ userId: other.id, id: entry!.id, now: ctx.clock.now }),
      'RESOURCE_NOT_FOUND',
    );
    await authorize();
  });

  it('lets exactly one of two concurrent additions of the same address in', async () => {
    const results = await Promise.allSettled([
      add(),
      add({ address: ETH.toUpperCase().replace('0X', '0x') }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'CONFLICT' });
    expect(await book.list(ctx.userId)).toHaveLength(1);
  });

  it('records every change as an audit event, marked as the operator’s', async () => {
    const entry = await add({ allowApi: false });
    ctx.clock.now += HOUR;
    await book.setApiAccess({
      userId: ctx.userId,
      id: entry.id,
      allowApi: true,
      actor: { operator: true },
      now: ctx.clock.now,
    });
    ctx.clock.now += 1; // events of the same millisecond have no order among themselves
    await book.cancelPending({ userId: ctx.userId, id: entry.id, now: ctx.clock.now });
    ctx.clock.now += 1;
    await book.remove({ userId: ctx.userId, id: entry.id, actor: { operator: true }, now: ctx.clock.now });
    const events = (await listAuditEvents(ctx.db, ctx.userId))
      .filter((e) => e.type.startsWith('withdrawal_address.'))
      .reverse();
    expect(events.map((e) => [e.type, e.details['by']])).toEqual([
      ['withdrawal_address.added', 'operator'],
      ['withdrawal_address.api_allowed', 'operator'],
      ['withdrawal_address.cancelled', undefined],
      ['withdrawal_address.removed', 'operator'],
    ]);
  });

  it('refuses a withdrawal before debiting anything, and passes everything in mode any', async () => {
    const account = await ctx.createAccount('main');
    await ctx.fund(account, 'USDC', '100');
    const body = { symbol: 'USDC', blockchain: 'Ethereum', quantity: '20', address: ETH };
    const authorizeDestination = (destination: { blockchain: string; address: string }) =>
      book.authorizeApiWithdrawal({ userId: ctx.userId, ...destination, now: ctx.clock.now });
    await expectCode(
      ctx.exchange.requestWithdrawal(account, body, { authorize: authorizeDestination }),
      'WITHDRAWAL_ADDRESS_NOT_ALLOWED',
    );
    expect(await ctx.balances(account)).toEqual({ USDC: '100 / 0' });
    expect(await ctx.exchange.listWithdrawals(account, { limit: 10, offset: 0 })).toEqual([]);

    const open = new AddressBook({ db: ctx.db, settings: { mode: 'any', coolingOffMs: HOUR } });
    await ctx.exchange.requestWithdrawal(account, body, {
      authorize: (destination) =>
        open.authorizeApiWithdrawal({ userId: ctx.userId, ...destination, now: ctx.clock.now }),
    });
    expect(await ctx.balances(account)).toEqual({ USDC: '75 / 0' });
  });
});
