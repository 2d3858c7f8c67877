/**
 * `signet addresses add|list|remove` as an operator runs them (real processes, a real SQLite file), checked
 * against a real listening server's withdrawals; and `signet serve` announcing SIGNET_WITHDRAWAL_ADDRESSES=any.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { listAuditEvents } from '../src/accounts/audit.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import {
  WITHDRAWAL_ADDRESSES_ANY_WARNING,
  startServer,
  type RunningServer,
} from '../src/server/start-server.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
const dir = mkdtempSync(join(tmpdir(), 'signet-cli-addresses-'));
const database = join(dir, 'cli.db');
const ADDRESS = '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749';

async function signet(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--database', database], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let server: RunningServer;
let userId: string;
let key: { apiKey: string; secret: string };
beforeAll(async () => {
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database,
    withdrawalAddresses: { mode: 'book', coolingOffMs: 24 * 3600_000 },
  });
  const user = await createUser(server.db, { email: 'op@example.com', password: 'long enough' });
  userId = user.id;
  const created = await createApiKey(server.db, { userId: user.id, name: 'bot' });
  key = { apiKey: created.key.apiKey, secret: created.secret as string };
  await server.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '1000' });
}, 60_000);
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function withdraw(): Promise<{ status: number; body: { code?: string } }> {
  const signer = await createSigner(key.secret);
  const prepared = await createSignedRequest(
    {
      method: 'POST',
      path: '/wapi/v1/capital/withdrawals',
      body: { symbol: 'USDC', blockchain: 'Ethereum', quantity: '20', address: ADDRESS },
      timestamp: Date.now(),
    },
    { apiKey: key.apiKey, sign: signer.sign },
  );
  const response = await fetch(server.url + prepared.pathWithQuery, {
    method: prepared.method,
    headers: prepared.headers,
    body: prepared.body,
  });
  return { status: response.status, body: (await response.json()) as { code?: string } };
}

// Each `signet` process takes seconds on a loaded machine; a test here runs up to five of them.
describe('signet addresses', { timeout: 120_000 }, () => {
  it('adds an address pending for the configured cooling-off, without API access unless --api', async () => {
    const res = await signet(
      { SIGNET_ADDRESS_COOLING_OFF: '1h' },
      ...['addresses', 'add', '--email', 'op@example.com', '--blockchain', 'Solana'],
      ...['--address', '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM', '--label', 'Ledger', '--json'],
    );
    expect(res.code, res.stderr).toBe(0);
    const entry = JSON.parse(res.stdout);
    expect(entry).toMatchObject({ label: 'Ledger', status: 'pending', twoFactorRequired: true });
    const left = Date.parse(entry.pendingUntil) - Date.now();
    expect(left).toBeGreaterThan(59 * 60_000);
    expect(left).toBeLessThanOrEqual(60 * 60_000);
  });

  it('with --api and no cooling-off, lets API keys withdraw to it; remove stops them at once', async () => {
    expect((await withdraw()).body.code).toBe('WITHDRAWAL_ADDRESS_NOT_ALLOWED');
    const added = await signet(
      { SIGNET_ADDRESS_COOLING_OFF: '0' },
      ...['addresses', 'add', '--email', 'op@example.com', '--blockchain', 'Ethereum', '--address', ADDRESS],
      ...['--api', '--json'],
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      status: 'active',
      apiWithdrawals: true,
      label: 'Ethereum',
    });
    expect(await withdraw()).toMatchObject({ status: 200 });

    const listed = JSON.parse(
      (await signet({}, 'addresses', 'list', '--email', 'op@example.com', '--json')).stdout,
    );
    expect(listed.map((e: { blockchain: string }) => e.blockchain)).toEqual(['Ethereum', 'Solana']);
    const human = await signet({}, 'addresses', 'list', '--email', 'op@example.com');
    expect(human.stdout).toContain('API withdrawals allowed');

    const removed = await signet(
      {},
      ...[
        'addresses',
        'remove',
        '--email',
        'op@example.com',
        '--address',
        ADDRESS.toUpperCase().replace('0X', '0x'),
      ],
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Removed Ethereum');
    expect(await withdraw()).toMatchObject({ status: 403, body: { code: 'WITHDRAWAL_ADDRESS_NOT_ALLOWED' } });

    const events = await listAuditEvents(server.db, userId);
    expect(
      events.filter((e) => e.type.startsWith('withdrawal_address.')).map((e) => e.details['by']),
    ).toEqual(['operator', 'operator', 'operator']);
  });

  it('fails with one line for a bad address, an unknown address to remove, and a bad cooling-off', async () => {
    for (const [env, args, text] of [
      [
        {},
        ['add', '--email', 'op@example.com', '--blockchain', 'Ethereum', '--address', '0x12'],
        'Invalid Ethereum',
      ],
      [{}, ['remove', '--email', 'op@example.com', '--address', ADDRESS], 'is not in'],
      [
        { SIGNET_ADDRESS_COOLING_OFF: 'soon' },
        ['add', '--email', 'op@example.com', '--blockchain', 'Ethereum', '--address', ADDRESS],
        'SIGNET_ADDRESS_COOLING_OFF',
      ],
    ] as const) {
      const res = await signet(env, 'addresses', ...args);
      expect(res.code).toBe(1);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toContain(text);
    }
  });
});

describe('signet serve with SIGNET_WITHDRAWAL_ADDRESSES=any', () => {
  it('says so as a warning at start', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--database', join(dir, 'any.db'), '--workers', '1'],
      {
        env: { ...process.env, SIGNET_WITHDRAWAL_ADDRESSES: 'any', LOG_LEVEL: 'info' },
      },
    );
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Signet listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`exited: ${output}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    const warning = output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.msg === WITHDRAWAL_ADDRESSES_ANY_WARNING);
    expect(warning?.level).toBe(40); // pino's "warn"
  }, 40_000);
});
