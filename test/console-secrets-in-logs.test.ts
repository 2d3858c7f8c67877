/**
 * Regression guard: nothing secret reaches the server log or the audit trail while a user signs up, signs in
 * (with 2FA), enrols 2FA and creates a key, even with the log at its most verbose level.
 */
import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

const lines: string[] = [];
const stream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString());
    done();
  },
});

let ctx: ConsoleTestContext;
beforeAll(async () => {
  // BuildAppOptions types the logger as `{ level }`; pino also takes a destination stream.
  const logger = { level: 'trace', stream } as unknown as { level: string };
  ctx = await createConsoleTestContext({ app: { logger } });
});
afterAll(() => ctx.close());

describe('console secrets', () => {
  it('never appear in the log or the audit trail', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const firstToken = agent.cookie as string;
    const totpSecret = await ctx.enableTwoFactor(agent);
    const loginCode = ctx.totpCode(totpSecret, 1);
    const fresh = ctx.agent();
    await fresh.logIn(email, 'wrong password that is secret');
    expect((await fresh.logIn(email, PASSWORD, loginCode)).statusCode).toBe(200);
    ctx.clock.now += 30_000;
    const keyCode = ctx.totpCode(totpSecret, 1);
    const { secret } = await ctx.createKey(fresh, { totpCode: keyCode });
    const audit = (await fresh.request('GET', '/audit')).body;

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    for (const [what, value] of Object.entries({
      password: PASSWORD,
      wrongPassword: 'wrong password that is secret',
      sessionToken: firstToken,
      secondSessionToken: fresh.cookie as string,
      csrfToken: fresh.csrfToken as string,
      totpSecret,
      // Six digits could turn up inside a timestamp by chance; a code would be logged as a JSON string.
      loginCode: `"${loginCode}"`,
      keyCode: `"${keyCode}"`,
      apiSecret: secret,
    })) {
      expect(log.includes(value), `${what} in the log`).toBe(false);
      expect(audit.includes(value), `${what} in the audit trail`).toBe(false);
    }
  });
});
