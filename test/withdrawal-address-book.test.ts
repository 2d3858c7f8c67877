/**
 * The withdrawal address book end to end, through the real app: the console adds, allows, cancels and removes
 * entries (with the TOTP code or the password), and the signed API withdraws only to entries allowed for API
 * use whose cooling-off has passed (a 1 h cooling-off here, on the injected clock). Every refusal debits nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createConsoleTestContext,
  PASSWORD,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

const HOUR = 60 * 60 * 1000;
/** A console key that may withdraw: the console's default is read + trade. */
const FULL_ACCESS = ['read', 'trade', 'withdraw'];
const ETH_ADDRESS = '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749';
const SOL_ADDRESS = '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM';
const WITHDRAW = '/wapi/v1/capital/withdrawals';

interface Entry {
  id: string;
  label: string;
  blockchain: string;
  address: string;
  twoFactorRequired: boolean;
  status: 'pending' | 'active';
  pendingUntil: number | null;
  apiWithdrawals: boolean;
}
type Key = { apiKey: string; secret: string };

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext({ withdrawalAddresses: { mode: 'book', coolingOffMs: HOUR } });
});
afterAll(() => ctx.close());

/** A fresh user with 1000 USDC on the main account and a full key (made before 2FA, if any, is turned on). */
async function person(): Promise<{ agent: ConsoleAgent; key: Key }> {
  const { agent } = await ctx.signedUpAgent();
  const created = await ctx.createKey(agent, { permissions: FULL_ACCESS });
  expect(created.response.statusCode, created.response.body).toBe(201);
  const funded = await agent.request('POST', '/exchange/deposits', {
    body: { symbol: 'USDC', quantity: '1000' },
  });
  expect(funded.statusCode, funded.body).toBe(201);
  return { agent, key: created };
}

function addAddress(agent: ConsoleAgent, body: Record<string, unknown>) {
  return agent.request('POST', '/withdrawal-addresses', {
    body: { label: 'Cold wallet', blockchain: 'Ethereum', address: ETH_ADDRESS, ...body },
  });
}

function withdraw(key: Key, body: Record<string, unknown> = {}) {
  return ctx.signed(key, {
    method: 'POST',
    path: WITHDRAW,
    body: { symbol: 'USDC', blockchain: 'Ethereum', quantity: '20', address: ETH_ADDRESS, ...body },
  });
}

async function usdcAvailable(key: Key): Promise<string> {
  const res = await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' });
  return res.json<Record<string, { available: string }>>()['USDC']?.available ?? '0';
}

async function withdrawalCount(key: Key): Promise<number> {
  return (await ctx.signed(key, { method: 'GET', path: WITHDRAW })).json<unknown[]>().length;
}

async function expectRefusedAndNothingDebited(key: Key, body: Record<string, unknown> = {}): Promise<void> {
  const before = await usdcAvailable(key);
  const res = await withdraw(key, body);
  expect(res.statusCode, res.body).toBe(403);
  expect(res.json()).toEqual({
    code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED',
    message: expect.stringContaining(
      'add this address to your address book and allow it for API withdrawals',
    ),
  });
  expect(await usdcAvailable(key)).toBe(before);
  expect(await withdrawalCount(key)).toBe(0);
}

async function auditTypes(agent: ConsoleAgent): Promise<string[]> {
  return (await agent.request('GET', '/audit')).json<Array<{ type: string }>>().map((e) => e.type);
}

describe('POST /wapi/v1/capital/withdrawals with the address book on', () => {
  it('refuses an address that is not in the book, and debits nothing', async () => {
    const { key } = await person();
    await expectRefusedAndNothingDebited(key);
  });

  it('refuses an entry that still requires 2FA, even with a twoFactorToken', async () => {
    const { agent, key } = await person();
    expect((await addAddress(agent, { password: PASSWORD })).statusCode).toBe(201);
    ctx.clock.now += HOUR + 1;
    const [entry] = (await agent.request('GET', '/withdrawal-addresses')).json<{ addresses: Entry[] }>()
      .addresses;
    expect(entry).toMatchObject({ status: 'active', twoFactorRequired: true, apiWithdrawals: false });
    await expectRefusedAndNothingDebited(key);
    await expectRefusedAndNothingDebited(key, { twoFactorToken: '123456' });
  });

  it('refuses a pending entry, accepts it once the cooling-off has passed, and stops at once on removal', async () => {
    const { agent, key } = await person();
    const added = await addAddress(agent, { twoFactorRequired: false, password: PASSWORD });
    expect(added.statusCode, added.body).toBe(201);
    const entry = added.json<Entry>();
    expect(entry).toMatchObject({
      status: 'pending',
      pendingUntil: ctx.clock.now + HOUR,
      apiWithdrawals: false,
    });

    await expectRefusedAndNothingDebited(key);
    ctx.clock.now += HOUR - 1;
    await expectRefusedAndNothingDebited(key);
    ctx.clock.now += 1;

    const before = await usdcAvailable(key);
    // EVM addresses compare without case: the checksummed spelling of the same address is the same entry.
    const accepted = await withdraw(key, { address: ETH_ADDRESS.toUpperCase().replace('0X', '0x') });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'pending', quantity: '20', blockchain: 'Ethereum' });
    expect(Number(before) - Number(await usdcAvailable(key))).toBe(25); // 20 + the 5 USDC Ethereum fee

    // The same address on another chain is another entry: not allowed.
    const other = await withdraw(key, { blockchain: 'Base' });
    expect(other.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });

    // Removing an active entry takes the same proof as adding it (regression: Remove acted at once).
    const unproven = await agent.request('DELETE', `/withdrawal-addresses/${entry.id}`);
    expect(unproven.statusCode).toBe(403);
    expect(unproven.json()).toMatchObject({ detail: 'PASSWORD_REQUIRED' });
    const wrong = await agent.request('DELETE', `/withdrawal-addresses/${entry.id}`, {
      body: { password: 'not the password' },
    });
    expect(wrong.json()).toMatchObject({ detail: 'PASSWORD_WRONG' });
    expect((await withdraw(key)).statusCode).toBe(200);
    const removed = await agent.request('DELETE', `/withdrawal-addresses/${entry.id}`, {
      body: { password: PASSWORD },
    });
    expect(removed.statusCode).toBe(204);
    const after = await withdraw(key);
    expect(after.statusCode).toBe(403);
    expect(after.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });
    expect(await auditTypes(agent)).toEqual(
      expect.arrayContaining(['withdrawal_address.added', 'withdrawal_address.removed']),
    );
  });

  it('answers 403 FORBIDDEN to a read-only key before looking at the address book', async () => {
    const { agent } = await person();
    const readOnly = await ctx.createKey(agent, { readOnly: true });
    const res = await withdraw(readOnly);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('still answers malformed input as 400 before the address book', async () => {
    const { key } = await person();
    const res = await withdraw(key, { address: '0x123' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_CLIENT_REQUEST' });
  });

  it('keeps one account’s book to itself', async () => {
    const alice = await person();
    const bob = await person();
    const added = (
      await addAddress(alice.agent, { twoFactorRequired: false, password: PASSWORD })
    ).json<Entry>();
    ctx.clock.now += HOUR;
    await expectRefusedAndNothingDebited(bob.key);
    for (const [method, path] of [
      ['DELETE', `/withdrawal-addresses/${added.id}`],
      ['POST', `/withdrawal-addresses/${added.id}/cancel`],
    ] as const) {
      const res = await bob.agent.request(method, path);
      expect(res.statusCode).toBe(404);
    }
    expect((await bob.agent.request('GET', '/withdrawal-addresses')).json()).toMatchObject({ addresses: [] });
    expect((await withdraw(alice.key)).statusCode).toBe(200);
  });
});

describe('changing the address book from the console', () => {
  it('removes a pending entry without a proof: it never took effect', async () => {
    const { agent } = await person();
    const entry = (await addAddress(agent, { password: PASSWORD })).json<Entry>();
    expect(entry.status).toBe('pending');
    expect((await agent.request('DELETE', `/withdrawal-addresses/${entry.id}`)).statusCode).toBe(204);
    expect((await agent.request('GET', '/withdrawal-addresses')).json()).toMatchObject({ addresses: [] });
  });

  it('needs a valid, unused TOTP code when the account has 2FA, and records the change without the code', async () => {
    const { agent } = await person();
    const secret = await ctx.enableTwoFactor(agent);
    const missing = await addAddress(agent, { password: PASSWORD });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    expect((await addAddress(agent, { totpCode: '000000' })).json()).toMatchObject({
      code: 'INVALID_TWO_FACTOR_CODE',
    });
    const code = ctx.totpCode(secret, 1);
    const added = await addAddress(agent, { totpCode: code });
    expect(added.statusCode, added.body).toBe(201);
    // The same code again (for another address): already spent.
    const replay = await addAddress(agent, { blockchain: 'Solana', address: SOL_ADDRESS, totpCode: code });
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    // Nothing of the refused attempts reached the book.
    const listed = (await agent.request('GET', '/withdrawal-addresses')).json<{ addresses: Entry[] }>();
    expect(listed.addresses.map((e) => e.address)).toEqual([ETH_ADDRESS]);

    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string; details: object }>>();
    const event = events.find((e) => e.type === 'withdrawal_address.added');
    expect(event?.details).toMatchObject({ address: ETH_ADDRESS, confirmedBy: 'totp', apiAllowed: false });
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it('needs the password on an account without 2FA', async () => {
    const { agent } = await person();
    expect((await addAddress(agent, {})).json()).toMatchObject({ code: 'FORBIDDEN' });
    const wrong = await addAddress(agent, { password: 'not the password' });
    expect(wrong.statusCode).toBe(403);
    expect((await addAddress(agent, { password: PASSWORD })).statusCode).toBe(201);
    const events = await agent.request('GET', '/audit');
    expect(events.body).not.toContain(PASSWORD);
  });

  it('throttles wrong passwords, so a stolen session cannot guess the password here', async () => {
    const { agent } = await person();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await addAddress(agent, { password: `guess ${i}` })).statusCode);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    const held = await addAddress(agent, { password: PASSWORD });
    expect(held.statusCode).toBe(429);
    expect(held.headers['retry-after']).toBeDefined();
  });

  it('refuses an invalid address, an unknown chain, a bad label and a duplicate before spending the code', async () => {
    const { agent } = await person();
    const secret = await ctx.enableTwoFactor(agent);
    const code = ctx.totpCode(secret, 1);
    for (const body of [
      { address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab274' },
      { blockchain: 'Narnia' },
      { label: '   ' },
      { label: 'x'.repeat(65) },
    ]) {
      const res = await addAddress(agent, { ...body, totpCode: code });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_CLIENT_REQUEST' });
    }
    expect((await addAddress(agent, { totpCode: code })).statusCode).toBe(201);
    const duplicate = await addAddress(agent, { address: ETH_ADDRESS.toUpperCase().replace('0X', '0x') });
    expect(duplicate.statusCode).toBe(409);
  });

  it('cancels a pending addition (the entry goes) and a pending API allowance (2FA is required again)', async () => {
    const { agent, key } = await person();
    const first = (await addAddress(agent, { twoFactorRequired: false, password: PASSWORD })).json<Entry>();
    const cancelled = await agent.request('POST', `/withdrawal-addresses/${first.id}/cancel`);
    expect(cancelled.json()).toEqual({ address: null });
    expect((await agent.request('GET', '/withdrawal-addresses')).json()).toMatchObject({ addresses: [] });

    const second = (await addAddress(agent, { password: PASSWORD })).json<Entry>();
    ctx.clock.now += HOUR;
    const noProof = await agent.request('POST', `/withdrawal-addresses/${second.id}/api-access`, {
      body: { allowApi: true },
    });
    expect(noProof.statusCode).toBe(403);
    const allowed = await agent.request('POST', `/withdrawal-addresses/${second.id}/api-access`, {
      body: { allowApi: true, password: PASSWORD },
    });
    expect(allowed.json()).toMatchObject({
      status: 'pending',
      twoFactorRequired: false,
      pendingUntil: ctx.clock.now + HOUR,
    });
    await expectRefusedAndNothingDebited(key);
    const undone = await agent.request('POST', `/withdrawal-addresses/${second.id}/cancel`);
    expect(undone.json()).toMatchObject({ address: { status: 'active', twoFactorRequired: true } });
    ctx.clock.now += HOUR;
    await expectRefusedAndNothingDebited(key);
    const nothingPending = await agent.request('POST', `/withdrawal-addresses/${second.id}/cancel`);
    expect(nothingPending.statusCode).toBe(409);
    expect(await auditTypes(agent)).toEqual(
      expect.arrayContaining(['withdrawal_address.cancelled', 'withdrawal_address.api_allowed']),
    );
  });

  it('requires 2FA again at once, without a proof', async () => {
    const { agent, key } = await person();
    const entry = (await addAddress(agent, { twoFactorRequired: false, password: PASSWORD })).json<Entry>();
    ctx.clock.now += HOUR;
    expect((await withdraw(key)).statusCode).toBe(200);
    const tightened = await agent.request('POST', `/withdrawal-addresses/${entry.id}/api-access`, {
      body: { allowApi: false },
    });
    expect(tightened.json()).toMatchObject({ twoFactorRequired: true, apiWithdrawals: false });
    const refused = await withdraw(key);
    expect(refused.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });
    expect(await auditTypes(agent)).toContain('withdrawal_address.two_factor_required');
  });
});

describe('POST /console/api/exchange/withdrawals', () => {
  const body = { symbol: 'USDC', blockchain: 'Ethereum', quantity: '20', address: ETH_ADDRESS };

  it('refuses an address outside the book with the code the page links from', async () => {
    const { agent } = await person();
    const res = await agent.request('POST', '/exchange/withdrawals', {
      body: { ...body, password: PASSWORD },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });
  });

  it('refuses a pending entry, then asks for the 2FA code for an entry that requires it', async () => {
    const { agent } = await person();
    const secret = await ctx.enableTwoFactor(agent);
    expect((await addAddress(agent, { totpCode: ctx.totpCode(secret, 1) })).statusCode).toBe(201);
    const pending = await agent.request('POST', '/exchange/withdrawals', { body });
    expect(pending.json()).toMatchObject({ code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' });
    ctx.clock.now += HOUR;
    const noCode = await agent.request('POST', '/exchange/withdrawals', { body });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    const withCode = await agent.request('POST', '/exchange/withdrawals', {
      body: { ...body, totpCode: ctx.totpCode(secret) },
    });
    expect(withCode.statusCode, withCode.body).toBe(201);
    expect(withCode.json()).toMatchObject({ status: 'pending', quantity: '20', toAddress: ETH_ADDRESS });
  });
});

describe('SIGNET_WITHDRAWAL_ADDRESSES=any', () => {
  it('lets a full key withdraw to any valid address, as before the address book', async () => {
    const open = await createConsoleTestContext({ withdrawalAddresses: { mode: 'any', coolingOffMs: HOUR } });
    try {
      const { agent } = await open.signedUpAgent();
      const key = await open.createKey(agent, { permissions: FULL_ACCESS });
      await agent.request('POST', '/exchange/deposits', { body: { symbol: 'USDC', quantity: '100' } });
      const res = await open.signed(key, {
        method: 'POST',
        path: WITHDRAW,
        body: { symbol: 'USDC', blockchain: 'Ethereum', quantity: '20', address: ETH_ADDRESS },
      });
      expect(res.statusCode, res.body).toBe(200);
      const page = (await agent.request('GET', '/withdrawal-addresses')).json();
      expect(page).toMatchObject({ mode: 'any', coolingOffMs: HOUR });
    } finally {
      await open.close();
    }
  });
});
