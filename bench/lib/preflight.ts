/**
 * What `npm run bench` needs from the machine, checked before the first measurement: PostgreSQL for the scale-out
 * rows (BENCH_PG_URL; BENCH_SCALE_OUT=off skips them) and a load generator. A missing must-have stops the run at
 * once with one line saying what to install (never a stack trace half-way through); wrk is a nice-to-have: without
 * it every section runs on autocannon, and the table's header says so.
 */
import pg from 'pg';

import { loadGenerator } from './load.ts';
import { BENCH_PG_URL } from './server-process.ts';

/** The header line naming the load generator(s) this run uses. */
export function loadGeneratorHeader(): string {
  return loadGenerator() === 'wrk'
    ? 'load generator: wrk for fixed requests, autocannon where each request is signed afresh'
    : 'load generator: autocannon for every section (wrk not found: apt-get install wrk for truer ceilings on 2 cores)';
}

/** Resolves when the machine can run the benchmark; otherwise prints one line and exits 1. */
export async function checkBenchRequirements(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.BENCH_SCALE_OUT === 'off') return;
  const client = new pg.Client({ connectionString: BENCH_PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const url = new URL(BENCH_PG_URL);
    if (url.password) url.password = '***';
    console.error(
      `npm run bench: PostgreSQL unreachable at BENCH_PG_URL=${url} (${(error as Error).message}). ` +
        'Start PostgreSQL (apt-get install postgresql), set BENCH_PG_URL, or skip its rows with BENCH_SCALE_OUT=off.',
    );
    process.exit(1);
  } finally {
    void client.end().catch(() => {});
  }
}
