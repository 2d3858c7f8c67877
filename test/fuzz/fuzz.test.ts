/**
 * Fuzzing, the bounded run in `npm test` (a few seconds): every property of properties.ts over real parts.
 * `npm run fuzz -- --seconds N` runs the same properties for as long as asked.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';

import { createTestContext, type TestContext, type TestKey } from '../helpers/context.ts';
import { properties } from './properties.ts';

let ctx: TestContext;
let key: TestKey;
let props: ReturnType<typeof properties>;

beforeAll(async () => {
  ctx = await createTestContext();
  const user = await ctx.createUser();
  key = await ctx.createKey(user);
  await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '100000' });
  await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'SOL', quantity: '1000' });
  props = properties(ctx, key);
});
afterAll(() => ctx.close());

const runs = (n: number) => ({ numRuns: n, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) });

describe('fuzz (bounded)', () => {
  it('the signing-string builder never throws within the depth limit', () => {
    fc.assert(props.signingStringBuilder, runs(300));
  });
  it('the header parser answers every header set with a value, and bounds the failure path', () => {
    fc.assert(props.headerParser, runs(500));
  });
  it('the body parser answers every body (any depth, size, type) without a 5xx', async () => {
    await fc.assert(props.bodyParser, runs(120));
  });
  it('public routes answer every query and header set without a 5xx', async () => {
    await fc.assert(props.publicRoutes, runs(200));
  });
  it('signed routes answer every correctly signed parameter set without a 5xx', async () => {
    await fc.assert(props.signedRoutes, runs(200));
  });
  it('no mutation of a correctly signed request ever verifies', async () => {
    await fc.assert(props.mutatedRequestsNeverVerify, runs(200));
  });
});
