/**
 * The market page's order routes (`POST` / `DELETE /console/api/exchange/orders`): a person trades for their own
 * subaccounts only, through the exchange's own order path (funds locked, Backpack's error codes), and bad input of
 * any kind is a clear 4xx. Real app, real SQLite, real sessions and CSRF (console-context.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createConsoleTestContext,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

interface Subaccount {
  id: string;
  name: string;
}

let ctx: ConsoleTestContext;
let alice: ConsoleAgent;
let aliceMain: Subaccount;
let bob: ConsoleAgent;

beforeAll(async () => {
  ctx = await createConsoleTestContext();
  alice = (await ctx.signedUpAgent()).agent;
  aliceMain = (await alice.request('GET', '/subaccounts')).json<Subaccount[]>()[0] as Subaccount;
  bob = (await ctx.signedUpAgent()).agent;
  const funded = await alice.request('POST', '/exchange/deposits', {
    body: { symbol: 'USDC', quantity: '1000' },
  });
  expect(funded.statusCode).toBe(201);
});
afterAll(() => ctx.close());

const order = { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100', quantity: '2' };

describe('console order routes', () => {
  it('place a limit order that locks funds, and cancel it', async () => {
    const placed = await alice.request('POST', '/exchange/orders', {
      body: { subaccountId: aliceMain.id, ...order },
    });
    expect(placed.statusCode).toBe(201);
    const record = placed.json<{ id: string; status: string; price: string }>();
    expect(record).toMatchObject({ status: 'New', price: '100' });
    const open = (await alice.request('GET', `/exchange/orders?subaccountId=${aliceMain.id}`)).json<
      { id: string }[]
    >();
    expect(open.map((o) => o.id)).toEqual([record.id]);
    const cancelled = await alice.request('DELETE', '/exchange/orders', {
      body: { subaccountId: aliceMain.id, symbol: 'SOL_USDC', orderId: record.id },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json<{ status: string }>().status).toBe('Cancelled');
  });

  it('list finished orders of one market in the order history, newest first, never open ones', async () => {
    const history = async (query: string): Promise<{ id: string; status: string; symbol: string }[]> => {
      const response = await alice.request('GET', `/exchange/orders/history?${query}`);
      expect(response.statusCode).toBe(200);
      return response.json();
    };
    const place = async (body: object): Promise<{ id: string; status: string }> =>
      (
        await alice.request('POST', '/exchange/orders', { body: { subaccountId: aliceMain.id, ...body } })
      ).json();
    const resting = await place(order);
    const cancelled = await place({ ...order, price: '99' });
    await alice.request('DELETE', '/exchange/orders', {
      body: { subaccountId: aliceMain.id, symbol: 'SOL_USDC', orderId: cancelled.id },
    });
    // A market buy into an empty book has nothing to take: it expires.
    const expired = await place({ symbol: 'BTC_USDC', side: 'Bid', orderType: 'Market', quantity: '0.01' });
    expect(expired.status).toBe('Expired');

    const sol = await history(`subaccountId=${aliceMain.id}&symbol=SOL_USDC`);
    expect(sol[0]).toMatchObject({ id: cancelled.id, status: 'Cancelled' });
    expect(sol.map((o) => o.id)).not.toContain(resting.id);
    expect(new Set(sol.map((o) => o.symbol))).toEqual(new Set(['SOL_USDC']));
    expect(sol.every((o) => o.status !== 'New' && o.status !== 'PartiallyFilled')).toBe(true);
    expect(await history(`subaccountId=${aliceMain.id}&symbol=SOL_USDC&limit=1`)).toHaveLength(1);
    const btc = await history('symbol=BTC_USDC');
    expect(btc.map((o) => [o.id, o.status])).toEqual([[expired.id, 'Expired']]);

    // Someone else's subaccount is not found; bad queries are clear 400s.
    expect(
      (await bob.request('GET', `/exchange/orders/history?subaccountId=${aliceMain.id}&symbol=SOL_USDC`))
        .statusCode,
    ).toBe(404);
    for (const query of [
      '',
      'symbol=NOPE_USDC',
      'symbol=SOL_USDC&limit=0',
      'symbol=SOL_USDC&limit=x',
      'symbol=SOL_USDC&extra=1',
    ]) {
      const response = await alice.request('GET', `/exchange/orders/history?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ message: string }>().message).toBeTruthy();
    }
    expect((await ctx.agent().request('GET', '/exchange/orders/history?symbol=SOL_USDC')).statusCode).toBe(
      401,
    );
  });

  it("refuse another person's subaccount and order, without touching them", async () => {
    const placed = await alice.request('POST', '/exchange/orders', { body: order });
    const id = placed.json<{ id: string }>().id;
    const asBob = await bob.request('POST', '/exchange/orders', {
      body: { subaccountId: aliceMain.id, ...order },
    });
    expect(asBob.statusCode).toBe(404);
    const cancelAsBob = await bob.request('DELETE', '/exchange/orders', {
      body: { symbol: 'SOL_USDC', orderId: id },
    });
    expect(cancelAsBob.statusCode).toBe(404);
    const open = (await alice.request('GET', '/exchange/orders')).json<{ id: string }[]>();
    expect(open.map((o) => o.id)).toContain(id);
  });

  it.each([
    [{ ...order, price: 100 }, 400],
    [{ ...order, price: '1e3' }, 400],
    [{ ...order, price: '100.001' }, 400],
    [{ ...order, quantity: '100000' }, 400],
    [{ ...order, symbol: 'NOPE_USDC' }, 400],
    [{ ...order, side: 'Buy' }, 400],
    [{ ...order, extra: true }, 400],
    [{ symbol: 'SOL_USDC', side: 'Bid', orderType: 'Market' }, 400],
  ])('answer %j with a clear %i', async (body, status) => {
    const response = await alice.request('POST', '/exchange/orders', { body });
    expect(response.statusCode).toBe(status);
    expect(response.json<{ code: string; message: string }>().message).toBeTruthy();
  });

  it('need a session and a CSRF token', async () => {
    const anonymous = await ctx.agent().request('POST', '/exchange/orders', { body: order });
    expect(anonymous.statusCode).toBe(401);
    const noCsrf = await alice.request('POST', '/exchange/orders', { body: order, csrf: false });
    expect(noCsrf.statusCode).toBe(403);
  });
});
