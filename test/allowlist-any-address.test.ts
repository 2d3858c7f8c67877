/**
 * Allowlists (issue 21.8). Regression: `0.0.0.0/1` + `128.0.0.0/1` (or `::/1` + `8000::/1`) passed without the
 * "any address" confirmation, though together they allow every address. Now such lists need it in the console
 * (`allowAnyAddress`) and the CLI (`--allow-any-address`); entries broader than the operator's prefixes
 * (default /8 and /32) are accepted with a warning. The CLI runs as a real process on the console's SQLite file.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

async function signet(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
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

const HALVES = [
  ['0.0.0.0/1', '128.0.0.0/1'],
  ['::/1', '8000::/1'],
  ['192.0.2.1', '::/1', '8000::/2', 'c000::/2'],
];

describe('ranges that together allow every address (regression: the halves passed)', () => {
  it.each(HALVES)('the console refuses %s … without the confirmation', async (...allowedIps) => {
    const { agent } = await ctx.signedUpAgent();
    const refused = await ctx.createKey(agent, { allowedIps });
    expect(refused.response.statusCode).toBe(400);
    expect(refused.response.json()).toMatchObject({
      detail: 'ALLOWLIST_ANY_ADDRESS',
      message: expect.stringMatching(/together allow every IPv[46] address/),
    });
    const confirmed = await ctx.createKey(agent, { allowedIps, allowAnyAddress: true });
    expect(confirmed.response.statusCode).toBe(201);

    const narrow = await ctx.createKey(agent, { allowedIps: ['192.0.2.1'] });
    const id = narrow.response.json<{ id: string }>().id;
    const patched = await agent.request('PATCH', `/keys/${id}`, { body: { allowedIps, password: PASSWORD } });
    expect(patched.json()).toMatchObject({ detail: 'ALLOWLIST_ANY_ADDRESS' });
  });

  it('the CLI refuses them without --allow-any-address', { timeout: 60_000 }, async () => {
    const { email } = await ctx.signedUpAgent();
    const args = ['keys', 'create', '--email', email, '--name', 'halves', '--allow-ip', '0.0.0.0/1'];
    const refused = await signet({}, ...args, '--allow-ip', '128.0.0.0/1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('together allow every IPv4 address');
    const confirmed = await signet({}, ...args, '--allow-ip', '128.0.0.0/1', '--allow-any-address', '--json');
    expect(confirmed.code).toBe(0);
  });
});

describe('broad entries', () => {
  it('are accepted with a warning past the configured prefix', { timeout: 60_000 }, async () => {
    const { email } = await ctx.signedUpAgent();
    const args = [
      'keys',
      'create',
      '--email',
      email,
      '--allow-ip',
      '10.0.0.0/7',
      '--allow-ip',
      '2001:db8::/32',
    ];
    const warned = await signet({}, ...args, '--name', 'broad', '--json');
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('allowlist entry 10.0.0.0/7 is broader than /8');
    expect(warned.stderr).not.toContain('2001:db8::/32');
    const quiet = await signet(
      { SIGNET_ALLOWLIST_WARN_IPV4_PREFIX: '7' },
      ...args,
      '--name',
      'quiet',
      '--json',
    );
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('warning');
    const bad = await signet({ SIGNET_ALLOWLIST_WARN_IPV6_PREFIX: '129' }, ...args, '--name', 'bad');
    expect(bad.stderr).toContain('SIGNET_ALLOWLIST_WARN_IPV6_PREFIX must be a whole number from 0 to 128');
  });

  it('the console learns the prefixes from the session', async () => {
    const { agent } = await ctx.signedUpAgent();
    const session = await agent.request('GET', '/session');
    expect(session.json()).toMatchObject({ broadAllowlistPrefixes: { ipv4: 8, ipv6: 32 } });
  });
});
