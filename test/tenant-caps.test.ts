/**
 * Caps (issue 21.9). Regression: any user could create unlimited subaccounts and keys, so "2000 requests per
 * minute per subaccount" bounded no tenant. Now SIGNET_MAX_SUBACCOUNTS_PER_USER (default 50) and
 * SIGNET_MAX_KEYS_PER_USER (default 100 working keys) answer a clear 400 at the cap, in the console and the CLI
 * (a real process on the console's SQLite file).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { consoleConfigFromEnv } from '../src/console/console-config.ts';
import { DEFAULT_KEY_POLICY } from '../src/keys/index.ts';
import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
const HOUR = 3600_000;

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext({
    console: {
      requireTwoFactorForKeys: false,
      maxSubaccountsPerUser: 3,
      keys: { ...DEFAULT_KEY_POLICY, maxKeysPerUser: 3 },
    },
  });
});
afterAll(() => ctx.close());

async function signet(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: ctx.databasePath, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the defaults', () => {
  it('are 50 subaccounts and 100 keys per user', () => {
    expect(consoleConfigFromEnv({})).toMatchObject({
      maxSubaccountsPerUser: 50,
      keys: { maxKeysPerUser: 100 },
    });
    expect(consoleConfigFromEnv({ SIGNET_MAX_KEYS_PER_USER: '7' }).keys?.maxKeysPerUser).toBe(7);
    expect(() => consoleConfigFromEnv({ SIGNET_MAX_SUBACCOUNTS_PER_USER: 'lots' })).toThrow(
      'SIGNET_MAX_SUBACCOUNTS_PER_USER',
    );
  });
});

describe('in the console (regression: no cap)', () => {
  it('refuses the subaccount past the cap with a 400 that says so', async () => {
    const { agent } = await ctx.signedUpAgent();
    for (const name of ['A', 'B', 'C']) {
      expect((await agent.request('POST', '/subaccounts', { body: { name } })).statusCode).toBe(201);
    }
    const refused = await agent.request('POST', '/subaccounts', { body: { name: 'D' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      code: 'INVALID_CLIENT_REQUEST',
      detail: 'SUBACCOUNT_LIMIT',
      params: { max: 3 },
      message: expect.stringContaining('3 subaccounts'),
    });
    // Another user has their own allowance.
    const { agent: other } = await ctx.signedUpAgent();
    expect((await other.request('POST', '/subaccounts', { body: { name: 'A' } })).statusCode).toBe(201);
  });

  it('counts working keys only: past the cap 400, a revoked or expired key frees a place', async () => {
    const { agent } = await ctx.signedUpAgent();
    const keys: Array<Awaited<ReturnType<ConsoleTestContext['createKey']>>> = [];
    keys.push(await ctx.createKey(agent, { expiresAt: new Date(ctx.clock.now + HOUR).toISOString() }));
    keys.push(await ctx.createKey(agent));
    keys.push(await ctx.createKey(agent));
    expect(keys.map((k) => k.response.statusCode)).toEqual([201, 201, 201]);
    const refused = await ctx.createKey(agent);
    expect(refused.response.statusCode).toBe(400);
    expect(refused.response.json()).toMatchObject({ detail: 'KEY_LIMIT', params: { max: 3 } });

    const id = (n: number) => keys[n]!.response.json<{ id: string }>().id;
    expect((await agent.request('DELETE', `/keys/${id(1)}`)).statusCode).toBe(200);
    expect((await ctx.createKey(agent)).response.statusCode).toBe(201);
    expect((await ctx.createKey(agent)).response.statusCode).toBe(400);
    ctx.clock.now += 2 * HOUR;
    expect((await ctx.createKey(agent)).response.statusCode).toBe(201);

    // At the cap a rotation still works (the old key is on its way out), but not a second one during the grace.
    const rotated = await agent.request('POST', `/keys/${id(2)}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '24h', password: PASSWORD },
    });
    expect(rotated.statusCode).toBe(201);
    const newId = rotated.json<{ key: { id: string } }>().key.id;
    const again = await agent.request('POST', `/keys/${newId}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '24h', password: PASSWORD },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ detail: 'KEY_LIMIT' });
    ctx.clock.now = Date.now();
  });
});

describe('in the CLI', { timeout: 120_000 }, () => {
  it('refuses past SIGNET_MAX_SUBACCOUNTS_PER_USER and SIGNET_MAX_KEYS_PER_USER', async () => {
    const { email } = await ctx.signedUpAgent();
    const caps = { SIGNET_MAX_SUBACCOUNTS_PER_USER: '1', SIGNET_MAX_KEYS_PER_USER: '1' };
    expect((await signet(caps, 'subaccounts', 'create', '--email', email, '--name', 'Bot')).code).toBe(0);
    const sub = await signet(caps, 'subaccounts', 'create', '--email', email, '--name', 'Bot2');
    expect(sub.code).not.toBe(0);
    expect(sub.stderr).toContain('You have 1 subaccounts, the most this server allows');
    expect((await signet(caps, 'keys', 'create', '--email', email, '--name', 'one')).code).toBe(0);
    const key = await signet(caps, 'keys', 'create', '--email', email, '--name', 'two');
    expect(key.code).not.toBe(0);
    expect(key.stderr).toContain('You have 1 working API keys, the most this server allows');
  });
});
