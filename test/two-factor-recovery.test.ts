/**
 * 2FA recovery (issue 21.11). Regressions: there were no recovery codes (a lost phone locked the owner out);
 * turning 2FA off was one field and a button and left API withdrawals as they were; re-enabling 2FA refused the
 * new secret's first code as "already used". Now: ten single-use codes at enrolment, stored hashed, good for
 * sign-in and turning 2FA off (nothing else); regenerating needs a TOTP code; turning 2FA off pauses the user's
 * API withdrawals for 24 h (SIGNET_2FA_OFF_WITHDRAWAL_PAUSE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { consoleConfigFromEnv } from '../src/console/console-config.ts';
import {
  createConsoleTestContext,
  PASSWORD,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

const DAY = 24 * 3600_000;
const WITHDRAWAL = {
  method: 'POST',
  path: '/wapi/v1/capital/withdrawals',
  body: { symbol: 'USDC', blockchain: 'Solana', quantity: '6', address: '11111111111111111111111111111111' },
} as const;

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

const nextStep = () => {
  ctx.clock.now += 30_000;
};

async function enrol(agent: ConsoleAgent): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret } = (await agent.request('POST', '/2fa/setup')).json<{ secret: string }>();
  const enabled = await agent.request('POST', '/2fa/enable', { body: { code: ctx.totpCode(secret) } });
  expect(enabled.statusCode).toBe(200);
  return { secret, recoveryCodes: enabled.json<{ recoveryCodes: string[] }>().recoveryCodes };
}

describe('recovery codes', () => {
  it('are ten distinct codes, shown once at enrolment and stored hashed', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { recoveryCodes } = await enrol(agent);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await ctx.db.selectFrom('totp_recovery_codes').selectAll().execute();
    const text = JSON.stringify(stored);
    for (const code of recoveryCodes) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replace('-', ''));
    }
  });

  it('sign in once each, instead of the TOTP code (regression: a lost phone locked the owner out)', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const { recoveryCodes } = await enrol(agent);
    const [first] = recoveryCodes as [string];
    const fresh = ctx.agent();
    expect((await fresh.logIn(email, PASSWORD)).json()).toEqual({ status: 'two_factor_required' });
    const signedIn = await fresh.logIn(email, PASSWORD, ` ${first.toUpperCase().replace('-', ' ')} `);
    expect(signedIn.json()).toMatchObject({ status: 'signed_in' });
    const again = await ctx.agent().logIn(email, PASSWORD, first);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    const events = (await fresh.request('GET', '/audit')).json<Array<{ type: string; details: object }>>();
    expect(events.find((e) => e.type === 'totp.recovery_code_used')?.details).toEqual({ left: 9 });
  });

  it('are no substitute for a TOTP code anywhere else', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { recoveryCodes } = await enrol(agent);
    const key = await ctx.createKey(agent, { totpCode: recoveryCodes[0] });
    expect(key.response.statusCode).toBe(400);
    const revokeAll = await agent.request('POST', '/keys/revoke-all', {
      body: { totpCode: recoveryCodes[1] },
    });
    expect(revokeAll.statusCode).toBe(400);
  });

  it('are regenerated only with a TOTP code; the old ones stop working', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const { secret, recoveryCodes } = await enrol(agent);
    const refused = await agent.request('POST', '/2fa/recovery-codes', { body: { code: recoveryCodes[0] } });
    expect(refused.statusCode).toBe(400);
    nextStep();
    const renewed = await agent.request('POST', '/2fa/recovery-codes', {
      body: { code: ctx.totpCode(secret) },
    });
    expect(renewed.statusCode).toBe(200);
    const fresh = renewed.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect((await ctx.agent().logIn(email, PASSWORD, recoveryCodes[1])).statusCode).toBe(400);
    expect((await ctx.agent().logIn(email, PASSWORD, fresh[0])).json()).toMatchObject({
      status: 'signed_in',
    });
  });
});

describe('turning 2FA off', () => {
  it('works with a recovery code, removes the codes, and pauses API withdrawals for 24 h (regression: nothing paused)', async () => {
    const { agent } = await ctx.signedUpAgent();
    nextStep();
    const { secret, recoveryCodes } = await enrol(agent);
    nextStep();
    const key = await ctx.createKey(agent, {
      permissions: ['read', 'trade', 'withdraw'],
      totpCode: ctx.totpCode(secret),
    });
    expect(key.response.statusCode).toBe(201);
    const deposit = await agent.request('POST', '/exchange/deposits', {
      body: { symbol: 'USDC', quantity: '100' },
    });
    expect(deposit.statusCode).toBeLessThan(300);
    // Before: the address book decides (this address is not in it).
    const before = await ctx.signed(key, WITHDRAWAL);
    expect(before.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });

    const start = ctx.clock.now;
    const off = await agent.request('POST', '/2fa/disable', { body: { code: recoveryCodes[3] } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({
      user: { twoFactorEnabled: false },
      apiWithdrawalsPausedUntil: start + DAY,
    });
    const userId = (await agent.request('GET', '/session')).json<{ user: { id: string } }>().user.id;
    const left = await ctx.db
      .selectFrom('totp_recovery_codes')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    expect(left).toEqual([]);

    const paused = await ctx.signed(key, WITHDRAWAL);
    expect(paused.statusCode).toBe(403);
    expect(paused.json()).toEqual({
      code: 'FORBIDDEN',
      message: `API withdrawals are paused until ${new Date(start + DAY).toISOString()}: two-factor authentication was turned off`,
    });
    ctx.clock.now = start + DAY;
    const resumed = await ctx.signed(key, WITHDRAWAL);
    expect(resumed.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });
    ctx.clock.now = Date.now();
  });

  it('accepts the new secret’s first code when turned on again at once (regression: "already used")', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { secret } = await enrol(agent);
    nextStep();
    expect(
      (await agent.request('POST', '/2fa/disable', { body: { code: ctx.totpCode(secret) } })).statusCode,
    ).toBe(200);
    const again = await enrol(agent);
    expect(again.recoveryCodes).toHaveLength(10);
  });

  it('pause length comes from SIGNET_2FA_OFF_WITHDRAWAL_PAUSE', () => {
    expect(consoleConfigFromEnv({}).twoFactorOffWithdrawalPauseMs).toBe(DAY);
    expect(
      consoleConfigFromEnv({ SIGNET_2FA_OFF_WITHDRAWAL_PAUSE: '1h' }).twoFactorOffWithdrawalPauseMs,
    ).toBe(3600_000);
    expect(() => consoleConfigFromEnv({ SIGNET_2FA_OFF_WITHDRAWAL_PAUSE: 'soon' })).toThrow(
      'SIGNET_2FA_OFF_WITHDRAWAL_PAUSE',
    );
  });
});
