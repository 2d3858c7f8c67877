/**
 * The `signet` command as an operator runs it: real processes, a real SQLite file, a real server for `request`.
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
const dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
const database = join(dir, 'cli.db');

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

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: database });
  expect(
    (await signet('users', 'create', '--email', 'Op@Example.com', '--password', 'long enough', '--json'))
      .code,
  ).toBe(0);
}, 60_000);
afterAll(() => server.close());

describe('signet users / subaccounts', () => {
  it('refuses a duplicate user with a one-line error and exit 1', async () => {
    const res = await signet('users', 'create', '--email', 'op@example.com', '--password', 'long enough');
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('already exists');
  });

  it('creates and lists subaccounts as JSON', async () => {
    const created = JSON.parse(
      (await signet('subaccounts', 'create', '--email', 'op@example.com', '--name', 'Bot', '--json')).stdout,
    );
    expect(created).toMatchObject({ name: 'Bot', subaccountId: 1 });
    const list = JSON.parse(
      (await signet('subaccounts', 'list', '--email', 'op@example.com', '--json')).stdout,
    );
    expect(list.map((s: { name: string }) => s.name)).toEqual(['Main', 'Bot']);
  });
});

describe('signet keys + request', () => {
  it('creates a key whose secret signs requests, lists it without the secret, and revokes it', async () => {
    const created = JSON.parse(
      (
        await signet(
          'keys',
          'create',
          '--email',
          'op@example.com',
          '--name',
          'bot',
          '--subaccount',
          'Bot',
          '--json',
        )
      ).stdout,
    );
    expect(Object.keys(created).sort()).toEqual([
      'allowedIps',
      'apiKey',
      'createdAt',
      'expiresAt',
      'name',
      'permissions',
      'readOnly',
      'secret',
      'subaccount',
    ]);
    expect(created).toMatchObject({ name: 'bot', subaccount: 'Bot', readOnly: false });

    const ok = await signet(
      'request',
      'GET',
      '/api/v1/capital',
      '--api-key',
      created.apiKey,
      '--secret',
      created.secret,
      '--url',
      server.url,
      '--json',
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({});

    const list = JSON.parse((await signet('keys', 'list', '--email', 'op@example.com', '--json')).stdout);
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(created.secret);

    expect((await signet('keys', 'revoke', created.apiKey, '--json')).code).toBe(0);
    const refused = await signet(
      'request',
      'GET',
      '/api/v1/capital',
      '--api-key',
      created.apiKey,
      '--secret',
      created.secret,
      '--url',
      server.url,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('UNAUTHORIZED');
  });

  it('registers a keygen public key, prints no secret, and the keygen secret signs', async () => {
    const pair = JSON.parse((await signet('keygen', '--json')).stdout);
    expect(Object.keys(pair).sort()).toEqual(['apiKey', 'secret']);
    const created = JSON.parse(
      (
        await signet(
          'keys',
          'create',
          '--email',
          'op@example.com',
          '--name',
          'own',
          '--read-only',
          '--public-key',
          pair.apiKey,
          '--json',
        )
      ).stdout,
    );
    expect(created.secret).toBeUndefined();
    expect(created).toMatchObject({ apiKey: pair.apiKey, readOnly: true, subaccount: 'Main' });
    const ok = await signet(
      'request',
      'GET',
      '/api/v1/account',
      '--api-key',
      pair.apiKey,
      '--secret',
      pair.secret,
      '--url',
      server.url,
    );
    expect(ok.code).toBe(0);
    const forbidden = await signet(
      'request',
      'POST',
      '/api/v1/order',
      '--body',
      '{"symbol":"SOL_USDC"}',
      '--api-key',
      pair.apiKey,
      '--secret',
      pair.secret,
      '--url',
      server.url,
    );
    expect(forbidden.code).toBe(1);
    expect(forbidden.stdout).toContain('FORBIDDEN');
  });

  it('fails clearly on bad input', async () => {
    const badKey = await signet(
      'keys',
      'create',
      '--email',
      'op@example.com',
      '--name',
      'x',
      '--public-key',
      'AAAA',
    );
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^signet: Public key must/);
    const noUser = await signet('keys', 'list', '--email', 'nobody@example.com');
    expect(noUser.code).toBe(1);
    const missing = await signet('keys', 'create', '--email', 'op@example.com');
    expect(missing.code).toBe(2);
    const badBody = await signet(
      'request',
      'POST',
      '/api/v1/order',
      '--body',
      '{',
      '--api-key',
      'x',
      '--secret',
      'y',
    );
    expect(badBody.code).toBe(2);
  });
});
