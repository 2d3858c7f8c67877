/**
 * SIGNET_WITHDRAW_REQUIRES_ALLOWLIST (issue 21.10, as Binance does): when on, a key that can withdraw must have an
 * IP allowlist: at creation, at every edit (adding withdraw, clearing the list), and on the withdrawal itself for
 * keys made before the operator turned it on. Off by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { consoleConfigFromEnv } from '../src/console/console-config.ts';
import { createApiKey, DEFAULT_KEY_POLICY } from '../src/keys/index.ts';
import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

const WITHDRAWAL = {
  method: 'POST',
  path: '/wapi/v1/capital/withdrawals',
  body: { symbol: 'USDC', blockchain: 'Solana', quantity: '6', address: '11111111111111111111111111111111' },
} as const;
const WITHDRAW = ['read', 'trade', 'withdraw'];

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext({
    console: {
      requireTwoFactorForKeys: false,
      keys: { ...DEFAULT_KEY_POLICY, withdrawRequiresAllowlist: true },
    },
  });
});
afterAll(() => ctx.close());

describe('SIGNET_WITHDRAW_REQUIRES_ALLOWLIST=on', () => {
  it('is off by default and read as on/off', () => {
    expect(consoleConfigFromEnv({}).keys?.withdrawRequiresAllowlist).toBe(false);
    expect(
      consoleConfigFromEnv({ SIGNET_WITHDRAW_REQUIRES_ALLOWLIST: 'on' }).keys?.withdrawRequiresAllowlist,
    ).toBe(true);
    expect(() => consoleConfigFromEnv({ SIGNET_WITHDRAW_REQUIRES_ALLOWLIST: 'maybe' })).toThrow(
      'SIGNET_WITHDRAW_REQUIRES_ALLOWLIST must be on or off',
    );
  });

  it('refuses a withdrawing key without an allowlist, at creation and at every edit', async () => {
    const { agent } = await ctx.signedUpAgent();
    const bare = await ctx.createKey(agent, { permissions: WITHDRAW });
    expect(bare.response.statusCode).toBe(400);
    expect(bare.response.json()).toMatchObject({ detail: 'ALLOWLIST_REQUIRED_FOR_WITHDRAW' });
    const listed = await ctx.createKey(agent, { permissions: WITHDRAW, allowedIps: ['192.0.2.1'] });
    expect(listed.response.statusCode).toBe(201);
    const id = listed.response.json<{ id: string }>().id;
    const cleared = await agent.request('PATCH', `/keys/${id}`, {
      body: { allowedIps: null, password: PASSWORD },
    });
    expect(cleared.json()).toMatchObject({ detail: 'ALLOWLIST_REQUIRED_FOR_WITHDRAW' });

    const trading = await ctx.createKey(agent);
    expect(trading.response.statusCode).toBe(201);
    const widened = await agent.request('PATCH', `/keys/${trading.response.json<{ id: string }>().id}`, {
      body: { permissions: WITHDRAW, password: PASSWORD },
    });
    expect(widened.json()).toMatchObject({ detail: 'ALLOWLIST_REQUIRED_FOR_WITHDRAW' });
  });

  it('refuses withdrawals of a key made before the setting', async () => {
    const { agent } = await ctx.signedUpAgent();
    const userId = (await agent.request('GET', '/session')).json<{ user: { id: string } }>().user.id;
    const { key, secret } = await createApiKey(ctx.db, { userId, name: 'old', now: ctx.clock.now });
    const refused = await ctx.signed({ apiKey: key.apiKey, secret: secret as string }, WITHDRAWAL);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      code: 'INVALID_CLIENT_REQUEST',
      message:
        'This server requires an IP allowlist for keys that can withdraw: add the addresses the key is used from',
    });
  });
});
