/**
 * `npm run fuzz -- --seconds N` (default 60): the properties of properties.ts, round after round with fresh seeds,
 * until the time is up. Prints runs per property; exits 1 with the counterexample on the first failure.
 */
import fc from 'fast-check';

import { createTestContext } from '../helpers/context.ts';
import { properties } from './properties.ts';

const index = process.argv.indexOf('--seconds');
const seconds = index === -1 ? 60 : Number(process.argv[index + 1]);
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number');

const ctx = await createTestContext();
const user = await ctx.createUser();
const key = await ctx.createKey(user);
await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '100000' });
await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'SOL', quantity: '1000' });
const props = properties(ctx, key) as Record<string, fc.IProperty<unknown[]> | fc.IAsyncProperty<unknown[]>>;
const counts: Record<string, number> = Object.fromEntries(Object.keys(props).map((name) => [name, 0]));
const deadline = Date.now() + seconds * 1000;
let failed = false;
try {
  while (Date.now() < deadline && !failed) {
    for (const [name, property] of Object.entries(props)) {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const result = await fc.check(property as fc.IAsyncProperty<unknown[]>, { numRuns: 100, seed });
      counts[name] = (counts[name] ?? 0) + result.numRuns;
      if (result.failed) {
        failed = true;
        console.error(`FAILED ${name} (seed ${seed}):\n${fc.defaultReportMessage(result)}`);
        break;
      }
      if (Date.now() >= deadline) break;
    }
  }
} finally {
  await ctx.close();
}
for (const [name, runs] of Object.entries(counts)) console.log(`${name.padEnd(28)} ${runs} runs`);
console.log(failed ? 'fuzz: FAILED' : `fuzz: no failure in ${seconds} s`);
process.exitCode = failed ? 1 : 0;
