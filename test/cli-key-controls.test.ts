/**
 * `signet keys` key controls as an operator runs them: real processes, a real SQLite file, a real server. Create
 * with permissions, allowlist and expiry; list; update; rotate with a grace period; revoke-all.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServer, type RunningServer } from '../src/server/start-server.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
const dir = mkdtempSync(join(tmpdir(), 'signet-cli-keys-'));
const database = join(dir, 'cli.db');
const EMAIL = 'keys@example.com';

async function signet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: database },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const res = await signet(...args, '--json');
  if (res.code !== 0) throw new Error(`signet ${args.join(' ')} failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

async function request(key: { apiKey: string; secret: string }, method = 'GET', path = '/api/v1/capital') {
  return signet(
    'request',
    method,
    path,
    '--api-key',
    key.apiKey,
    '--secret',
    key.secret,
    '--url',
    server.url,
  );
}

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: database });
  await json('users', 'create', '--email', EMAIL, '--password', 'long enough');
  await json('subaccounts', 'create', '--email', EMAIL, '--name', 'Bot');
}, 60_000);
afterAll(() => server.close());

describe('signet keys create with controls', { timeout: 240_000 }, () => {
  it('creates a key with permissions, allowlist and expiry, and list shows them', async () => {
    const created = await json<{ apiKey: string; secret: string }>(
      'keys',
      'create',
      '--email',
      EMAIL,
      '--name',
      'trader',
      '--permissions',
      'read,trade',
      '--allow-ip',
      '127.0.0.1',
      '--allow-ip',
      '10.0.0.0/8',
      '--expires',
      '2099-01-01T00:00:00Z',
    );
    expect(created).toMatchObject({
      readOnly: false,
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1', '10.0.0.0/8'],
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect((await request(created)).code).toBe(0);
    const withdraw = await signet(
      'request',
      'POST',
      '/wapi/v1/capital/withdrawals',
      '--body',
      '{"symbol":"USDC","blockchain":"Ethereum","quantity":"1","address":"0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749"}',
      '--api-key',
      created.apiKey,
      '--secret',
      created.secret,
      '--url',
      server.url,
    );
    expect(withdraw.code).toBe(1);
    expect(withdraw.stdout).toContain('lacks the withdraw permission');

    const list = await json<Array<Record<string, unknown>>>('keys', 'list', '--email', EMAIL);
    expect(list.find((k) => k.apiKey === created.apiKey)).toMatchObject({
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1', '10.0.0.0/8'],
      expiresAt: '2099-01-01T00:00:00.000Z',
      status: 'active',
      lastUsedAt: expect.any(String),
      lastUsedIp: '127.0.0.1',
    });
    const human = await signet('keys', 'list', '--email', EMAIL);
    expect(human.stdout).toContain('read,trade\t127.0.0.1,10.0.0.0/8\t2099-01-01T00:00:00.000Z\tactive\t');
    expect(human.stdout).toContain('from 127.0.0.1');
  });

  it('keeps --read-only as --permissions read', async () => {
    const created = await json('keys', 'create', '--email', EMAIL, '--name', 'viewer', '--read-only');
    expect(created).toMatchObject({ readOnly: true, permissions: ['read'] });
  });

  it('refuses bad controls with one line and exit 1', async () => {
    for (const [args, message] of [
      [['--permissions', 'read,admin'], 'Unknown permission'],
      [['--allow-ip', '0.0.0.0/0'], 'allows every address'],
      [['--allow-ip', '300.1.1.1'], 'is not an IPv4 or IPv6 address'],
      [['--expires', 'tomorrow'], 'Expiry must be'],
    ] as const) {
      const res = await signet('keys', 'create', '--email', EMAIL, '--name', 'bad', ...args);
      expect(res.code).toBe(1);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toContain(message);
    }
    const confirmed = await signet(
      'keys',
      'create',
      '--email',
      EMAIL,
      '--name',
      'open',
      '--allow-ip',
      '0.0.0.0/0',
      '--allow-any-address',
    );
    expect(confirmed.code).toBe(0);
  });
});

describe('signet keys update / rotate / revoke-all', { timeout: 240_000 }, () => {
  it('updates name, permissions, allowlist and expiry, effective on the next request', async () => {
    const created = await json<{ apiKey: string; secret: string }>(
      'keys',
      'create',
      '--email',
      EMAIL,
      '--name',
      'edit me',
    );
    const updated = await json(
      'keys',
      'update',
      created.apiKey,
      '--name',
      'edited',
      '--permissions',
      'read',
      '--allow-ip',
      '192.0.2.1',
      '--expires',
      'never',
    );
    expect(updated).toMatchObject({
      name: 'edited',
      permissions: ['read'],
      allowedIps: ['192.0.2.1'],
      expiresAt: null,
    });
    const refused = await request(created);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('not allowed from address 127.0.0.1');
    expect(await json('keys', 'update', created.apiKey, '--clear-allow-ip')).toMatchObject({
      allowedIps: [],
    });
    expect((await request(created)).code).toBe(0);
    const both = await signet(
      'keys',
      'update',
      created.apiKey,
      '--clear-allow-ip',
      '--allow-ip',
      '192.0.2.1',
    );
    expect(both.code).toBe(2);
  });

  it('rotates: prints the new key and secret once, both work, grace 0 stops the old one', async () => {
    const old = await json<{ apiKey: string; secret: string }>(
      'keys',
      'create',
      '--email',
      EMAIL,
      '--name',
      'rotate me',
      '--permissions',
      'read,trade',
    );
    const rotated = await json<{ apiKey: string; secret: string; oldApiKey: string; oldExpiresAt: string }>(
      'keys',
      'rotate',
      old.apiKey,
      '--grace',
      '1h',
    );
    expect(rotated).toMatchObject({
      name: 'rotate me',
      permissions: ['read', 'trade'],
      oldApiKey: old.apiKey,
    });
    expect(Date.parse(rotated.oldExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect((await request(old)).code).toBe(0);
    expect((await request(rotated)).code).toBe(0);

    const again = await json<{ apiKey: string; secret: string }>(
      'keys',
      'rotate',
      rotated.apiKey,
      '--grace',
      '0',
    );
    expect((await request(rotated)).code).toBe(1);
    expect((await request(again)).code).toBe(0);
    const human = await signet('keys', 'rotate', again.apiKey, '--grace', '7d');
    expect(human.stdout).toMatch(/API secret: \S+/);
    expect((await signet('keys', 'rotate', again.apiKey, '--grace', '2h')).stderr).toContain(
      '0, 1h, 24h, 7d',
    );
  });

  it("revokes a subaccount's keys, then all of them", async () => {
    const bot = await json<{ apiKey: string; secret: string }>(
      'keys',
      'create',
      '--email',
      EMAIL,
      '--name',
      'bot key',
      '--subaccount',
      'Bot',
    );
    const revoked = await json<Array<{ apiKey: string }>>(
      'keys',
      'revoke-all',
      '--email',
      EMAIL,
      '--subaccount',
      'Bot',
    );
    expect(revoked.map((k) => k.apiKey)).toEqual([bot.apiKey]);
    expect((await request(bot)).code).toBe(1);
    const all = await json<Array<{ apiKey: string }>>('keys', 'revoke-all', '--email', EMAIL);
    expect(all.length).toBeGreaterThan(0);
    const list = await json<Array<{ status: string }>>('keys', 'list', '--email', EMAIL);
    expect(list.every((k) => k.status !== 'active')).toBe(true);
  });
});
