/**
 * Retired is final (issue 21.5). Regressions: after `keys rotate --grace 0`, `keys update <old> --expires never`
 * (or the console's PATCH) made the old key work again; a key in its grace period could be rotated a second
 * time; an expired key could be extended with the session alone. The CLI runs as a real process on the same
 * SQLite file the console's app serves.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
const CAPITAL = { method: 'GET', path: '/api/v1/capital' } as const;
const HOUR = 3600_000;

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

async function signet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: ctx.databasePath },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a key retired by rotation stays retired', { timeout: 60_000 }, () => {
  it('refuses `keys update <old> --expires never` after `keys rotate --grace 0` (regression: the old key revived)', async () => {
    ctx.clock.now = Date.now();
    const { agent } = await ctx.signedUpAgent();
    const old = await ctx.createKey(agent, { name: 'cli-rotated' });
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(200);
    const rotated = await signet('keys', 'rotate', old.apiKey, '--grace', '0', '--json');
    expect(rotated.code).toBe(0);
    ctx.clock.now = Date.now() + 1;
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(401);

    const revive = await signet('keys', 'update', old.apiKey, '--expires', 'never');
    expect(revive.code).not.toBe(0);
    expect(revive.stderr).toContain('replaced by rotation');
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(401);
  });

  it("refuses the console's PATCH on a retired key, even with the password", async () => {
    ctx.clock.now = Date.now();
    const { agent } = await ctx.signedUpAgent();
    const old = await ctx.createKey(agent);
    const id = old.response.json<{ id: string }>().id;
    const res = await agent.request('POST', `/keys/${id}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '0', password: PASSWORD },
    });
    expect(res.statusCode).toBe(201);
    ctx.clock.now += 1;
    for (const body of [{ expiresAt: null }, { name: 'renamed' }, { permissions: ['read'] }]) {
      const patched = await agent.request('PATCH', `/keys/${id}`, { body: { ...body, password: PASSWORD } });
      expect(patched.statusCode).toBe(409);
      expect(patched.json()).toMatchObject({ detail: 'KEY_RETIRED' });
    }
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(401);
  });
});

describe('a key in its grace period', () => {
  it('cannot be rotated again, nor have its grace extended, but can be cut short (regression: rotated twice)', async () => {
    ctx.clock.now = Date.now();
    const { agent } = await ctx.signedUpAgent();
    const old = await ctx.createKey(agent);
    const id = old.response.json<{ id: string }>().id;
    const start = ctx.clock.now;
    const first = await agent.request('POST', `/keys/${id}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '24h', password: PASSWORD },
    });
    expect(first.statusCode).toBe(201);

    const second = await agent.request('POST', `/keys/${id}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '7d', password: PASSWORD },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ detail: 'KEY_REPLACED' });

    for (const expiresAt of [null, new Date(start + 48 * HOUR).toISOString()]) {
      const extended = await agent.request('PATCH', `/keys/${id}`, {
        body: { expiresAt, password: PASSWORD },
      });
      expect(extended.statusCode).toBe(409);
      expect(extended.json()).toMatchObject({ detail: 'KEY_REPLACED' });
    }
    const shortened = await agent.request('PATCH', `/keys/${id}`, {
      body: { expiresAt: new Date(start + HOUR).toISOString() },
    });
    expect(shortened.statusCode).toBe(200);
    expect(shortened.json()).toMatchObject({ expiresAt: start + HOUR, status: 'grace' });
    ctx.clock.now = start + HOUR;
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(401);
  });
});

describe('an expired key', () => {
  it('is extended only with the proof any widening needs (regression: the session alone revived it)', async () => {
    ctx.clock.now = Date.now();
    const { agent } = await ctx.signedUpAgent();
    const key = await ctx.createKey(agent, { expiresAt: new Date(ctx.clock.now + HOUR).toISOString() });
    const id = key.response.json<{ id: string }>().id;
    ctx.clock.now += 2 * HOUR;
    expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(401);

    const bare = await agent.request('PATCH', `/keys/${id}`, { body: { expiresAt: null } });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({ detail: 'PASSWORD_REQUIRED' });
    expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(401);

    const proven = await agent.request('PATCH', `/keys/${id}`, {
      body: { expiresAt: null, password: PASSWORD },
    });
    expect(proven.statusCode).toBe(200);
    expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(200);
  });
});
